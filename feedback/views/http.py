"""POST-only views whose address, opened again with GET, leads back to the page their form lives on.

A phone reloads the address a form was posted to (after a form error the page shown is the POST's response), and
a person may type it back in: an empty 405 there is a dead end. R2 is adding a shared decorator to
`jingshi_jiafang/core/http.py`; this one is feedback's until that is on main.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect


def post_only(page: Callable[..., str]):
    """Accept POST; send GET and HEAD to `page(request, **url_kwargs)`, the URL of the form's page (which checks
    who may see it as always); refuse anything else."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                return redirect(page(request, *args, **kwargs))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
