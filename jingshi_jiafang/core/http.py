"""Small HTTP helpers shared by the apps' views."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse


def post_only(redirect_to: str | Callable[..., str], *, url_kwargs: Iterable[str] | None = None):
    """A workflow action that takes POST only, but answers a GET with a redirect to the page its form lives on.

    After a form error the browser shows the action's address (e.g. /households/7/officer/); reloading it, going
    back to it or opening it from the history is a GET, which `require_POST` answers with an empty 405 page.
    `redirect_to` is that page's URL name, reversed with the action URL's keyword arguments, or with only those
    named in `url_kwargs` (`()` for a page without any); or a function of the request and the URL's arguments
    that returns the page's URL, when it needs more (a query string). The GET touches nothing: the page it lands
    on checks scope as always, so the redirect says nothing about whether the object exists. Other methods get 405.
    """
    names = None if url_kwargs is None else tuple(url_kwargs)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                if callable(redirect_to):
                    return HttpResponseRedirect(redirect_to(request, *args, **kwargs))
                page_kwargs = kwargs if names is None else {name: kwargs[name] for name in names}
                return HttpResponseRedirect(reverse(redirect_to, kwargs=page_kwargs))
            return HttpResponseNotAllowed(["POST"])

        return wrapped

    return decorator
