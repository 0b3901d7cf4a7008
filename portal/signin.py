"""The sign-in page and the company sign-in's views (portal/oidc.py holds the rules they apply).

- `SignInView`: the password form (unless PASSWORD_SIGN_IN is off) and, when OIDC is configured, the
  button that starts a sign-in at the company's identity provider.
- `start` and `callback`: mozilla-django-oidc's views, answering 404 while OIDC is not configured; a
  refused sign-in is a page that says why (`refused`), never a bare 400 or 500.
- `SessionRecheckMiddleware`: the library's SessionRefresh, fitted to htmx and to our refusal page.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from mozilla_django_oidc.middleware import SessionRefresh
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .oidc import CompanySignInBackend, SignInRefused, enabled, get_settings, provider_metadata, setting

logger = logging.getLogger(__name__)

R = SignInRefused
REFUSALS = {
    R.INVALID: (400, _("We could not confirm this sign-in with your company's identity provider, so it was not accepted. Please try again.")),
    R.EXPIRED: (400, _("The sign-in from your company's identity provider had expired before it reached Lifeline. Please try again.")),
    R.PROVIDER: (403, _("Your company's identity provider did not sign you in. If you were signed in to Lifeline, that session has ended.")),
    R.UNAVAILABLE: (503, _("Your company's identity provider cannot be reached just now. Please try again in a few minutes.")),
    R.NO_EMAIL: (403, _("Your company account has no email address that Lifeline can use. Ask your IT team to add one.")),
    R.UNVERIFIED: (403, _("The email address of your company account is not verified. Ask your IT team to verify it, then sign in again.")),
    R.DOMAIN: (403, _("Email addresses at this domain cannot sign in to Lifeline.")),
    R.UNKNOWN: (403, _("There is no Lifeline account for your email address yet. Ask an admin to add you.")),
    R.INACTIVE: (403, _("Your Lifeline account is switched off. Ask an admin if you need it again.")),
}


def _signed_in_by_provider(request):
    backend = request.session.get(auth.BACKEND_SESSION_KEY, "")
    return backend == f"{CompanySignInBackend.__module__}.{CompanySignInBackend.__qualname__}"


def refused(request, refusal):
    """The page for a refused sign-in. Whoever was signed in through the provider in this browser is
    signed out (a recheck that fails ends the session); a password sign-in is left alone."""
    logger.warning("Company sign-in refused: %s", refusal)
    if request.user.is_authenticated and _signed_in_by_provider(request):
        auth.logout(request)
    status, message = REFUSALS[refusal.reason]
    return render(request, "registration/oidc_refused.html", {"message": message, "reason": refusal.reason}, status=status)


@method_decorator(login_not_required, name="dispatch")
class SignInView(LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            password_sign_in=settings.PASSWORD_SIGN_IN,
            company_sign_in=enabled(),
            provider_name=settings.OIDC_PROVIDER_NAME,
            **kwargs,
        )


def password_sign_in_required(view):
    """Password change and reset exist only while passwords sign in (PASSWORD_SIGN_IN)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@method_decorator(login_not_required, name="dispatch")
class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge (`?next=` kept)."""

    get_settings = staticmethod(get_settings)
    OIDC_OP_AUTH_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library's reads the endpoint before it is needed

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            return super().get(request)
        except SignInRefused as refusal:
            return refused(request, refusal)


@method_decorator(login_not_required, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: an error, or a code with the state we sent."""

    get_settings = staticmethod(get_settings)

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            return self.sign_in(request)
        except SignInRefused as refusal:
            return refused(request, refusal)

    def sign_in(self, request):
        state = request.GET.get("state")
        if request.GET.get("error"):
            if state in request.session.get("oidc_states", {}):
                del request.session["oidc_states"][state]  # a state is good for one answer
                request.session.modified = True
            raise SignInRefused(SignInRefused.PROVIDER, request.GET["error"])
        if not request.GET.get("code") or state not in request.session.get("oidc_states", {}):
            raise SignInRefused(SignInRefused.INVALID, "no code, or a state this browser was not sent with")
        # RFC 9207: a provider that names itself must be ours (a mix-up attack sends another's code here).
        if "iss" in request.GET and request.GET["iss"] != provider_metadata()["issuer"]:
            del request.session["oidc_states"][state]
            request.session.modified = True
            raise SignInRefused(SignInRefused.INVALID, f"answer from issuer {request.GET['iss']!r}")
        return super().get(request)

    def login_failure(self):
        raise SignInRefused(SignInRefused.INVALID, "no person")


class SessionRecheckMiddleware(SessionRefresh):
    """mozilla-django-oidc's SessionRefresh, for people signed in through the provider while it is on.

    Every OIDC_RECHECK_SECONDS their next page (a GET) goes by the provider without a prompt and comes
    back; someone the provider no longer signs in comes back with an error and is signed out (`callback`).
    POSTs are left alone (nothing written is lost) and recheck on the page they redirect to. An htmx
    request cannot follow a redirect to another site: it gets HX-Redirect, and comes back to its page.
    """

    get_settings = staticmethod(get_settings)
    OIDC_EXEMPT_URLS = []
    OIDC_OP_AUTHORIZATION_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")
    OIDC_RP_SCOPES = setting("OIDC_RP_SCOPES")
    OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
    OIDC_STATE_SIZE = OIDC_NONCE_SIZE = 32
    OIDC_USE_NONCE = True

    def __init__(self, get_response):
        MiddlewareMixin.__init__(self, get_response)  # the library's reads the endpoints at start

    @property
    def exempt_urls(self):
        return {reverse("oidc_start"), reverse("oidc_callback"), reverse("logout")}

    def process_request(self, request):
        if not enabled() or not self.is_refreshable_url(request):
            return None
        try:
            response = super().process_request(request)
        except SignInRefused as refusal:
            return refused(request, refusal)
        if response is not None and request.headers.get("HX-Request"):
            here = request.headers.get("HX-Current-URL", "")
            if url_has_allowed_host_and_scheme(here, {request.get_host()}, request.is_secure()):
                request.session["oidc_login_next"] = here
            response = HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
        return response
