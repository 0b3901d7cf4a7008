from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate, check_for_language
from django.views.decorators.http import require_GET, require_POST

from customers.selectors import followed_customers

from .lib.panels import panels_for


@require_GET
def home(request):
    context = {"followed": followed_customers(user=request.user), "home_panels": panels_for(request.user)}
    return render(request, "portal/home.html", context)


@login_not_required
@require_POST
def set_language(request):
    """Switch language from any page; kept on the person when signed in."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
        activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response


@login_not_required
@require_GET
def healthz(request):
    """For load balancers: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status = {"database": "ok"}
        code = 200
    except Exception:  # noqa: BLE001 - a health check reports, it does not raise
        status, code = {"database": "unavailable"}, 503
    return JsonResponse(status, status=code)


@login_not_required
def not_found(request, exception=None):
    return render(request, "404.html", status=404)
