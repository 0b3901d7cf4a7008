from axes.backends import AxesStandaloneBackend
from django.conf import settings


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout for sign-ins that come through a web request.

    Sign-ins without a request (management commands, the test client's login()) have no address
    to lock out and are left to the model backend. A sign-in through the company's identity provider
    (portal.oidc) has no password to guess: it is not counted, and no run of refusals there can pause
    anyone's sign-in.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or (username is None and password is None):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def normalised_username(request, credentials):
    """Count failures per account whatever the case the email was typed in."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    # axes stores it in a 255-character column (an email has at most 254): a longer one would be a 500.
    return username.strip().lower()[:255] or None


def client_ip(request):
    """The address the first of settings.PROXY_COUNT proxies saw the request come from.

    Each proxy appends the address it was reached from to X-Forwarded-For, so with N of ours in front
    the client's address is the N-th from the end; anything before it the client may have written
    itself. Without proxies (or a header too short to hold what they add), the connection's address.
    django-axes asks django-ipware for this only when it is installed; these few lines save that
    dependency and make the counting from the end explicit.
    """
    count = settings.PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
