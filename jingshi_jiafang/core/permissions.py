from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def capability_required(may, message: str = "您无权访问此页面。"):
    """A page for those `may(user)` (a predicate of `core.capabilities`) admits: anyone else signed in gets 403
    with `message`, anyone signed out the login page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not may(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
