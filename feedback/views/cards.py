"""Echo cards on the unit's side: issue a batch, print it, hand a card out on a visit, void one, reconcile."""

import base64
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from feedback import selectors, services
from feedback.forms import CardBatchForm, CardHandOutForm, CardVoidForm
from feedback.services.cards import CardError
from visits.audit import Action, audit_record
from visits.pagination import paginate
from visits.scopes import get_visit_for_user


def _card_units(request):
    units = selectors.card_units_for(request.user)
    if not units.exists():
        raise PermissionDenied("只有单位负责人和值班民警管理回音卡。")
    return units


@login_required
def card_overview(request):
    units = _card_units(request)
    context = {
        "issue_form": CardBatchForm(units=units, initial={"unit": request.user.unit_id}),
        "void_form": CardVoidForm(),
        "stock": selectors.card_stock(units=units),
        **paginate(request, selectors.card_batches_visible_to(request.user)),
    }
    return render(request, "feedback/card_overview.html", context)


@require_POST
@login_required
def card_batch_issue(request):
    form = CardBatchForm(request.POST, units=_card_units(request))
    if not form.is_valid():
        messages.error(request, "请选择发卡单位,张数为 1 至 1000。")
        return redirect("feedback:card_overview")
    batch = services.card_batch_issue(actor=request.user, **form.cleaned_data)
    messages.success(request, f"已制卡 {batch.count} 张:{batch}。")
    return redirect(batch)


def _qr(number: str) -> str:
    buffer = BytesIO()
    url = f"{settings.PUBLIC_ECHO_URL}?{urlencode({'card': number})}"
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=4, border=1).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def card_batch_print(request, pk: int):
    batch = selectors.get_card_batch_for_user(request.user, pk)
    # The sheet carries every card's verification code: printing it is an export.
    audit_record(action=Action.EXPORT, request=request, target=batch, detail={"what": "echo_card_sheet"})
    cards = [(card, _qr(card.number)) for card in batch.cards.order_by("sequence")]
    context = {"batch": batch, "cards": cards, "officer": request.user, "echo_url": settings.PUBLIC_ECHO_URL}
    return render(request, "feedback/card_batch_print.html", context)


@require_POST
@login_required
def card_void(request):
    units = _card_units(request)
    form = CardVoidForm(request.POST)
    if form.is_valid():
        card = selectors.get_card_by_number(units=units, number=form.cleaned_data["number"])
        try:
            if card is None:
                raise CardError("本单位没有这个卡号。")
            services.card_void(card=card, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"回音卡 {card.number} 已作废。")
        except CardError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "请填写卡号和作废原因。")
    return redirect("feedback:card_overview")


@require_POST
@login_required
def card_hand_out(request, pk: int):
    """On a visit's page: the card left at the household."""
    visit = get_visit_for_user(request.user, pk)
    if visit.visitor_id != request.user.pk:
        raise PermissionDenied("只能登记自己走访时发放的回音卡。")
    form = CardHandOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写回音卡卡号。")
        return redirect(visit)
    try:
        card = services.card_hand_out(
            number=form.cleaned_data["number"], household=visit.household, actor=request.user, visit=visit
        )
        messages.success(request, f"回音卡 {card.number} 已登记发放给{visit.household}。")
    except CardError as error:
        messages.error(request, str(error))
    return redirect(visit)
