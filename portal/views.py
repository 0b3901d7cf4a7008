import logging
import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import activate, check_for_language
from django.views.decorators.http import require_GET, require_POST

from .celery import app as celery_app
from .lib.cache import OncePerMinute
from .lib.panels import panels_for
from .lib.urls import back_to
from .refused import written_text

logger = logging.getLogger(__name__)


@require_GET
def home(request):
    """The dashboard: each app's panels (a story to start the day, reviews awaiting me, debriefs I
    owe and my next meetings, open seats this month, customers I follow), a fixed number of queries."""
    return render(request, "portal/home.html", {"home_panels": panels_for(request.user)})


@login_not_required
@require_POST
def set_language(request):
    """Switch language from any page; kept on the person when signed in."""
    response = HttpResponseRedirect(back_to(request, request.POST.get("next")) or reverse("home"))
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


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_cache():
    """A round trip through the configured cache. Its errors are ignored (a miss), so a value that
    does not come back is how a server that is down shows."""
    token = secrets.token_hex(8)
    cache.set("healthz", token, timeout=10)
    return "ok" if cache.get("healthz") == token else "unavailable"


def _check_broker():
    if not settings.REDIS_URL:
        return "not configured"
    with celery_app.connection_for_write(settings.REDIS_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return "ok"


@login_not_required
@require_GET
def healthz(request):
    """For load balancers and monitoring: do the database, the cache and the broker answer? 503 names
    the one that does not. `cache_errors` counts the cache errors this worker has met (pages went on
    without it)."""
    status = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            status[name] = check()
        except Exception:  # noqa: BLE001 - a health check reports failures, it does not raise them
            logger.exception("Health check failed: %s", name)
            status[name] = "unavailable"
    healthy = "unavailable" not in status.values()
    return JsonResponse(status | {"cache_errors": OncePerMinute.errors}, status=200 if healthy else 503)


@login_not_required
def forbidden(request, exception=None):
    """handler403. A form its sender may no longer send (their seat was given up, their role changed while
    it was open) shows what was written, to copy (portal.refused.written_text)."""
    written = written_text(request) if request.method == "POST" else []
    return render(request, "403.html", {"written": written}, status=403)


def not_found(request, exception=None):
    """A form sent to what no longer exists (deleted while the form was open) says nothing was saved and
    shows what was written, to copy (portal.refused.written_text)."""
    written = written_text(request) if request.method == "POST" else []
    response = render(request, "404.html", {"written": written}, status=404)
    response.is_product_page = True
    return response


@login_not_required
def server_error(request):
    """A friendly page with the id to quote; rendered without the database, which may be the problem."""
    html = loader.get_template("500.html").render({"request_id": getattr(request, "id", "")})
    return HttpResponseServerError(html)
