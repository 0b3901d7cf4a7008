"""Finding a colleague by name or email, for the person pickers (portal/lib/pickers.py)."""

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import User

LIMIT = 10


def people_search(q, *, limit=LIMIT):
    """Active people whose name contains `q` or whose email starts with it, by name."""
    if not q:
        return User.objects.none()
    return (
        User.objects.filter(Q(name__icontains=q) | Q(email__istartswith=q), is_active=True)
        .select_related("team").order_by("name", "pk")[:limit]
    )


@require_GET
def people_autocomplete(request):
    """`?q=` (or the picker's `<field>_search`) → a list of people to choose from."""
    q = request.GET.get("q") or next((v for k, v in request.GET.items() if k.endswith("_search")), "")
    people = people_search(q.replace("\x00", "").strip()[:100])
    return render(
        request, "includes/people_autocomplete.html",
        {"people": people, "field": request.GET.get("field", ""), "q": q},
    )
