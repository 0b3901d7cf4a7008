from axes.backends import AxesStandaloneBackend


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout for sign-ins that come through a web request.

    Sign-ins without a request (management commands, the test client's login()) have no address
    to lock out and are left to the model backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def normalised_username(request, credentials):
    """Count failures per account whatever the case the email was typed in."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    # axes stores it in a 255-character column (an email has at most 254): a longer one would be a 500.
    return username.strip().lower()[:255] or None
