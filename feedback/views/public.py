"""The resident's side, with no login: echo back with the card's number and code, and check the status.
Rate limited per address; a wrong number or code gets the same answer whichever part was wrong."""

from urllib.parse import urljoin

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from feedback import selectors, services
from feedback.forms import EchoForm, StatusForm
from feedback.services.cards import CardError, EchoOutcome
from visits.ratelimit import within_limit

WRONG_CARD = "卡号或验证码不正确,请核对回音卡上的卡号和验证码。"
WRONG_QUERY = "查询编号或查询密码不正确。"


def public_echo_url(request, *, status: bool = False) -> str:
    """Where residents go, as printed on cards and slips: PUBLIC_ECHO_URL when the bureau set one (the address
    residents reach from outside), else this server's own address as the request came in."""
    if settings.PUBLIC_ECHO_URL:
        return urljoin(settings.PUBLIC_ECHO_URL, "status/") if status else settings.PUBLIC_ECHO_URL
    return request.build_absolute_uri(reverse("feedback:echo_status" if status else "feedback:echo"))


def _limited(request, scope: str) -> bool:
    return request.method == "POST" and not within_limit(
        request, scope=scope, limit=settings.ECHO_RATE_LIMIT, window=settings.ECHO_RATE_WINDOW
    )


def _too_many(request):
    return render(request, "feedback/public_too_many.html", status=429)


@require_http_methods(["GET", "POST"])
def echo(request):
    if _limited(request, "echo"):
        return _too_many(request)
    form = EchoForm(request.POST if request.method == "POST" else None, initial={"number": request.GET.get("card", "")})
    if form.is_valid():
        try:
            outcome = services.card_echo(request=request, **form.cleaned_data)
        except (CardError, services.MatterError) as error:
            form.add_error(None, str(error))
        else:
            if outcome is not None:
                matter, password, kind = outcome
                context = {"matter": matter, "password": password, "follow_up": kind == EchoOutcome.FOLLOW_UP}
                return render(request, "feedback/public_echo_done.html", context)
            form.add_error(None, WRONG_CARD)
    return render(request, "feedback/public_echo.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def status(request):
    if _limited(request, "echo-status"):
        return _too_many(request)
    form = StatusForm(request.POST if request.method == "POST" else None)
    matter = None
    if form.is_valid():
        matter = selectors.lookup_for_resident(**form.cleaned_data)
        if matter is None:
            form.add_error(None, WRONG_QUERY)
    context = {"form": form, "matter": matter}
    return render(request, "feedback/public_status.html", context, status=400 if form.errors else 200)
