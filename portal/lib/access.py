from functools import wraps

from portal.permissions import require


def permission_required(action):
    """A view for people the matrix allows `action` (no object); anyone else signed in gets 403
    (LoginRequiredMiddleware sends the anonymous to sign in first)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require(request.user, action)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


admin_required = permission_required("admin.site")
