"""The resident's side, with no login: echo back with the card's number and code, and check the status.
Failed attempts are limited per address (only failures count: they are what guessing makes); a wrong number or
code gets the same answer whichever part was wrong."""

import math
import time
from urllib.parse import urljoin

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from feedback import selectors, services
from feedback.forms import EchoForm, RatingForm, StatusForm
from feedback.models import Matter
from feedback.models.matters import QUERY_PASSWORDS_PER_MATTER
from feedback.services.cards import CardError
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.ratelimit import failure_record, failures_exhausted, seconds_until_reset

WRONG_CARD = "卡号或验证码不正确,请核对回音卡上的卡号和验证码。"
WRONG_QUERY = "查询编号或查询密码不正确。"
# The matter whose status a resident has just opened with its password; rating it needs no second typing of the
# password, for a while.
SESSION_KEY = "echo_status"
SESSION_SECONDS = 30 * 60


def public_echo_url(request, *, status: bool = False) -> str:
    """Where residents go, as printed on cards and slips: PUBLIC_ECHO_URL when the bureau set one (the address
    residents reach from outside), else this server's own address as the request came in."""
    if settings.PUBLIC_ECHO_URL:
        return urljoin(settings.PUBLIC_ECHO_URL, "status/") if status else settings.PUBLIC_ECHO_URL
    return request.build_absolute_uri(reverse("feedback:echo_status" if status else "feedback:echo"))


# Each page's failures are counted apart, and the too-many page leads back to the page that was refused.
_PAGES = {"echo": "feedback:echo", "echo-status": "feedback:echo_status"}


def _limited(request, scope: str) -> bool:
    """Whether this address has used up its failed attempts. Only a failure counts (`_failed`): a resident who
    looks up their matter again and again, or echoes a follow-up, is never locked out."""
    return request.method == "POST" and failures_exhausted(request, scope=scope, limit=settings.ECHO_RATE_LIMIT)


def _failed(request, scope: str) -> None:
    """A wrong number, code, reference or password: what a guesser produces."""
    failure_record(request, scope=scope, window=settings.ECHO_RATE_WINDOW)


def _too_many(request, scope: str):
    wait = seconds_until_reset(request, scope=scope, window=settings.ECHO_RATE_WINDOW)
    context = {"minutes": math.ceil(wait / 60), "back": reverse(_PAGES[scope])}
    response = render(request, "feedback/public_too_many.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def echo(request):
    if _limited(request, "echo"):
        return _too_many(request, "echo")
    form = EchoForm(request.POST if request.method == "POST" else None, initial={"number": request.GET.get("card", "")})
    if form.is_valid():
        try:
            result = services.card_echo(request=request, **form.cleaned_data)
        except (CardError, services.MatterError) as error:
            form.add_error(None, str(error))
        else:
            if result is not None:
                return render(
                    request,
                    "feedback/public_echo_done.html",
                    {
                        "result": result,
                        "matter": result.matter,
                        "password": result.password,
                        "passwords_per_matter": QUERY_PASSWORDS_PER_MATTER,
                        "handling_days": _handling_days(),
                    },
                )
            _failed(request, "echo")
            form.add_error(None, WRONG_CARD)
    return render(request, "feedback/public_echo.html", {"form": form}, status=400 if form.errors else 200)


def _handling_days() -> dict:
    """What a resident may expect: the days a dispatched matter has, shortest and longest by category, and an
    urgent one's (settings.MATTER_DEADLINE_DAYS)."""
    days = dict(settings.MATTER_DEADLINE_DAYS)
    urgent = days.pop("urgent")
    return {"urgent": urgent, "least": min(days.values()), "most": max(days.values())}


@require_http_methods(["GET", "POST"])
def status(request):
    if _limited(request, "echo-status"):
        return _too_many(request, "echo-status")
    # ?reference=: the link under a just-sent echo fills in its number; the password is typed.
    reference = request.GET.get("reference", "")[:20]
    form = StatusForm(request.POST if request.method == "POST" else None, initial={"reference": reference})
    if form.is_valid():
        matter = selectors.lookup_for_resident(**form.cleaned_data)
        if matter is not None:
            request.session[SESSION_KEY] = {"pk": matter.pk, "until": time.time() + SESSION_SECONDS}
            return _status_page(request, matter)
        _failed(request, "echo-status")
        form.add_error(None, WRONG_QUERY)
    return render(request, "feedback/public_status.html", {"form": form}, status=400 if form.errors else 200)


def _status_page(request, matter: Matter, rating_form: RatingForm | None = None, status: int = 200):
    context = {"status": selectors.resident_status(matter=matter), "rating_form": rating_form or RatingForm()}
    return render(request, "feedback/public_status.html", context, status=status)


@post_only("feedback:echo_status", url_kwargs=())
def rate(request):
    """The resident rates the answer of the matter they opened on the status page a moment ago. Nothing to guess
    here: only the session of a status page opened with the right password may rate."""
    opened = request.session.get(SESSION_KEY) or {}
    matter = Matter.objects.filter(pk=opened.get("pk")).first() if opened.get("until", 0) > time.time() else None
    if matter is None:
        messages.error(request, "查询已超时,请重新输入查询编号和查询密码。")
        return redirect("feedback:echo_status")
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _status_page(request, matter, form, status=400)
    try:
        services.matter_rate_answer(matter=matter, request=request, **form.cleaned_data)
    except services.MatterError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "感谢您的评价!"
            if form.cleaned_data["outcome"] != "not_satisfied"
            else "感谢您的评价。您的诉求已重新交办,我们会再次答复您。",
        )
    matter.refresh_from_db()
    return _status_page(request, matter)
