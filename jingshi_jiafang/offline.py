"""The offline layer of the officer's phone (a progressive enhancement: every page works without it).

The app is installable (web app manifest, icons); a service worker at the root scope keeps the static files and,
per signed-in visitor, the pages an officer needs at a door (home with the households due, the household list, a
household, its visit form); `static/js/offline.js` keeps a visit saved without a signal in IndexedDB and sends it
when the signal is back, once, under the form's submission key. Logging out clears all of it.

Which user a page was rendered for travels in the `X-Offline-User` response header (and the `data-offline-user`
attribute of the page): an opaque key, not the user's id, from which the service worker names the cache it puts
the page in, and by which it drops every other user's pages.
"""

import hashlib
import json
import os
import re

from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_GET, require_safe

from jingshi_jiafang.core.capabilities import may_visit

USER_HEADER = "X-Offline-User"

# The files every page needs, kept by the service worker so that a cached page opens styled and working.
PRECACHED_STATIC = (
    "vendor/bootstrap-5.3.9/bootstrap.min.css",
    "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
    "css/app.css",
    "js/confirm.js",
    "js/print.js",
    "js/offline.js",
    "favicon.svg",
    "icons/icon-192.png",
)

# A number no real household has, replaced by a pattern: the door pages' paths follow the URL configuration.
_ANY_ID = 987654321


def offline_user_key(user) -> str:
    """The opaque name of a visitor's offline data on the phone, or "" for anyone who logs no visits (their pages
    are never kept). Derived from the secret key: the page does not learn the user's id from it."""
    if user is None or not user.is_authenticated or not may_visit(user):
        return ""
    return salted_hmac("jingshi_jiafang.offline", str(user.pk)).hexdigest()[:24]


def door_page_patterns() -> list[str]:
    """Paths (as JavaScript regular expressions) of the pages the service worker keeps for the officer: no more than
    the door needs (the diary, the matters, the ledger hold more of residents' data and wait for a signal)."""
    paths = [
        reverse("home"),
        reverse("households:household_list"),
        reverse("households:household_detail", args=[_ANY_ID]),
        reverse("visits:visit_create", args=[_ANY_ID]),
        reverse("visits:organisation_list"),
        reverse("visits:organisation_detail", args=[_ANY_ID]),
        reverse("visits:organisation_visit_create", args=[_ANY_ID]),
    ]
    return ["^" + re.escape(path).replace(str(_ANY_ID), r"\d+") + "$" for path in paths]


class OfflineUserMiddleware:
    """Names, on every HTML page of a visitor, whose page it is (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            key = offline_user_key(getattr(request, "user", None))
            if key:
                response[USER_HEADER] = key
        return response


def context(request) -> dict:
    """`offline_user` in every template: the page's `data-offline-user`, which turns the offline layer on."""
    return {"offline_user": offline_user_key(getattr(request, "user", None))}


@require_GET
def manifest(request):
    icon = static("icons/icon-192.png")
    large = static("icons/icon-512.png")
    maskable = static("icons/icon-maskable-512.png")
    data = {
        "name": "警事家访",
        "short_name": "警事家访",
        "description": "民警入户走访、民情日记与群众诉求办理",
        "lang": "zh-CN",
        "dir": "ltr",
        "id": reverse("home"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b3d91",
        "icons": [
            {"src": icon, "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": large, "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": maskable, "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


def _form_result_url() -> str:
    return reverse("offline_page") + "?after=form"


@require_GET
def service_worker(request):
    precache = [static(path) for path in PRECACHED_STATIC] + [reverse("offline_page"), _form_result_url()]
    values = {
        "precache": json.dumps(precache),
        "door_pages": json.dumps(door_page_patterns()),
        "offline_url": json.dumps(reverse("offline_page")),
        "form_result_url": json.dumps(_form_result_url()),
        "user_header": json.dumps(USER_HEADER),
    }
    body = render_to_string("offline/sw.js", {**values, "version": ""})
    # A changed worker, a new list of files (a deploy: new hashed names) or a changed file (development, where
    # names are not hashed) is a new version: the browser installs it and the old static cache is dropped.
    version = hashlib.sha256((body + _static_stamps()).encode()).hexdigest()[:12]
    body = render_to_string("offline/sw.js", {**values, "version": json.dumps(version)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # At the root so that its scope is the whole site; the header says so explicitly.
    response["Service-Worker-Allowed"] = "/"
    # The browser checks for a new worker on every visit: never an old one from a cache.
    response["Cache-Control"] = "no-cache"
    return response


def _static_stamps() -> str:
    stamps = []
    for path in PRECACHED_STATIC:
        found = finders.find(path)
        if found:
            stat = os.stat(found)
            stamps.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(stamps)


@require_GET
def offline_page(request):
    """What the phone shows for a page it does not keep, without a signal; with `after=form`, for the page a
    form's post returned, reached again by the back button. The same for everyone (the service worker keeps one
    copy of each for all): no name, no household."""
    return render(request, "offline/offline.html", {"after_form": request.GET.get("after") == "form"})


@require_safe
def session_probe(request):
    """Whether this phone's login still holds, asked by the visit form before it sends: 204, or 401 when the
    session lapsed (never a redirect to the login page, which would lose the form). A lapsed login keeps the visit
    on the phone, sent once the officer has logged in again."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


class LogoutView(auth_views.LogoutView):
    """Logging out also clears the phone: the browser drops the kept pages and the visits waiting to be sent
    (`Clear-Site-Data`), and offline.js clears them itself where a browser ignores the header."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
