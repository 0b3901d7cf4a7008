from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

# The main navigation; an entry whose app is not installed is left out.
NAV = [
    ("home", _("Home")),
    ("stories:feed", _("Stories")),
    ("decisions:log", _("Decisions")),
    ("meetings:list", _("Meetings")),
    ("customers:directory", _("Customers")),
    ("insights:scorecard", _("Insights")),
    ("improvements:patterns", _("Improvements")),
]


def _nav_items(request):
    items = []
    for name, label in NAV:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    return items


def portal(request):
    return {
        "AVAILABLE_LANGUAGES": settings.LANGUAGES,
        "nav_items": SimpleLazyObject(lambda: _nav_items(request)),
    }
