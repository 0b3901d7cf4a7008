from functools import wraps

from django.core.exceptions import PermissionDenied


def admin_required(view):
    """Admins only; anyone else signed in gets 403 (LoginRequiredMiddleware handles the rest)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
