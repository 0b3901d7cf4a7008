import contextvars
import functools
import logging
import re
import uuid
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages import get_messages
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.lib.locks import lock_timed_out

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@functools.cache
def _policy_with(origin):
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


def content_security_policy():
    """With company sign-in on, a form may also lead to the identity provider: when the page its redirect
    lands on is due for a check (portal/signin.py), the browser follows on to the provider, and Chromium
    holds every hop of a form's redirects to form-action."""
    issuer = urlsplit(settings.OIDC_ISSUER) if settings.OIDC_ISSUER else None
    if not issuer or issuer.scheme not in ("http", "https") or not issuer.netloc:
        return CONTENT_SECURITY_POLICY
    return _policy_with(f"{issuer.scheme}://{issuer.netloc}")


class ContentSecurityPolicyMiddleware:
    """No inline scripts, no eval: htmx is configured to match (see base.html)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class UserPreferencesMiddleware:
    """Signed-in people see the portal in their own language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            _speak_as(request, request.user)
        response = self.get_response(request)
        timezone.deactivate()
        return response


def _speak_as(request, person):
    if person.language in dict(settings.LANGUAGES):
        translation.activate(person.language)
        request.LANGUAGE_CODE = person.language
    try:
        timezone.activate(zoneinfo.ZoneInfo(person.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


def speak_to_recipient(request, person):
    """A page opened from a link emailed to `person` (a pulse, an unsubscribe link) with nobody signed in
    reads in their language and time zone, as the email did, unless this browser picked a language on
    the portal (the language cookie). Signed in, the page is the signed-in person's, as everywhere."""
    if person is None or request.user.is_authenticated or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return
    _speak_as(request, person)


_request_id = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id: logged with each record, returned as X-Request-ID, shown on error pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response.headers["X-Request-ID"] = request.id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class HtmxMessagesMiddleware:
    """A message added while answering an htmx request ("Note added to the timeline.") would otherwise wait
    for the next full page, where it no longer fits. When an htmx response swaps in part of a page and
    messages are pending, they go with it out of band, into the page's message region (base.html,
    includes/messages.html), shown over the page's foot so they are seen wherever the person is.
    A response that sends the browser elsewhere keeps them for the page it lands on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not any(header in response for header in ("HX-Redirect", "HX-Location", "HX-Refresh"))
        ):
            pending = get_messages(request)
            if len(pending):
                notice = render_to_string("includes/messages_oob.html", {"messages": pending}, request)
                response.content += notice.encode(response.charset)
        return response


class ProductNotFoundMiddleware:
    """With DEBUG on, Django answers an unknown address with its technical 404 page (URL patterns and
    all); show the product's own page instead, as with DEBUG off (handler404), so a demo looks like the
    product. Last in MIDDLEWARE: what it returns passes through every other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and not getattr(response, "is_product_page", False):
            from portal.views import not_found

            response = not_found(request)
        return response


class BusyMiddleware:
    """A write that waited too long for a row another writer holds is answered 503 with Retry-After and
    a page saying nothing was changed and to try again (its transaction was rolled back), not as a
    server fault. htmx requests get the same status, which static/js/lifeline.js turns into its notice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not lock_timed_out(exception):
            return None
        logger.warning("%s %s waited too long for a lock", request.method, request.path, exc_info=exception)
        from portal.refused import form_page, written_text  # not at the top: logging imports this module before apps load

        written = [] if getattr(request, "htmx", False) else written_text(request)  # htmx: the form stays
        back = form_page(request) if request.method == "POST" else None  # the form, to send it again from
        response = render(request, "503.html", {"written": written, "back": back}, status=503)
        response["Retry-After"] = "5"
        return response
