"""Error pages in Chinese, in the site's layout, each with a way back.

403 and 404 render with the request (menu and user shown). The 500 page and the CSRF failure page
(`403_csrf.html`, which Django's own CSRF view picks up by name) are rendered by Django without a request context:
when the database or a context processor is what failed they must still render, so `500.html` uses no template
tag at all and `403_csrf.html` nothing that needs the request.
"""

from django.http import HttpResponseForbidden, HttpResponseNotFound
from django.shortcuts import redirect
from django.template import loader
from django.templatetags.static import static


def _message(exception) -> str:
    """The message a view raised (ours are written for the user, in Chinese); Django's own 404s carry a dict of
    tried URL patterns or nothing, which is not for the user."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) else ""


def page_not_found(request, exception=None):
    body = loader.render_to_string("404.html", {"message": _message(exception)}, request)
    return HttpResponseNotFound(body)


def permission_denied(request, exception=None):
    body = loader.render_to_string("403.html", {"message": _message(exception)}, request)
    return HttpResponseForbidden(body)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the icon the pages link."""
    return redirect(static("favicon.svg"), permanent=True)
