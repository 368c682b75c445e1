"""Echo cards on the unit's side: issue a batch, print it, hand a card out on a visit, void one, reconcile; and
the household's contact card."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from feedback import selectors, services
from feedback.forms import CardBatchForm, CardHandOutForm, CardVoidForm
from feedback.services.cards import CardError
from feedback.views.public import public_echo_url
from feedback.workflows import CARD_FLOW
from jingshi_jiafang.core.capabilities import may_manage_cards
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.qr import qr_data_url
from jingshi_jiafang.core.scopes import get_household_for_user
from visits.scopes import get_visit_for_user


def _card_units(request):
    if not may_manage_cards(request.user):
        raise PermissionDenied("只有单位负责人和值班民警管理回音卡。")
    return selectors.card_units_for(request.user)


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


_OVERVIEW = post_only(lambda request: reverse("feedback:card_overview"))


@_OVERVIEW
@login_required
def card_batch_issue(request):
    form = CardBatchForm(request.POST, units=_card_units(request))
    if not form.is_valid():
        if "submission_key" in form.errors:
            messages.error(request, "页面已过期,请刷新回音卡页面后重新制卡。")
        else:
            messages.error(request, "请选择发卡单位,张数为 1 至 1000。")
        return redirect("feedback:card_overview")
    try:
        batch, created = services.card_batch_issue_once(actor=request.user, **form.cleaned_data)
    except CardError as error:
        messages.error(request, str(error))
        return redirect("feedback:card_overview")
    if created:
        messages.success(request, f"已制卡 {batch.count} 张:{batch}。")
    else:
        messages.info(request, f"这张表单已经提交过,没有再制卡:下面是当时制好的 {batch.count} 张({batch})。")
    return redirect(batch)


@login_required
def card_batch_print(request, pk: int):
    batch = selectors.get_card_batch_for_user(request.user, pk)
    try:
        sheet = services.card_batch_sheet(batch=batch, actor=request.user, request=request)
    except CardError as error:
        raise PermissionDenied(str(error)) from error
    echo_url = public_echo_url(request)
    cards = [(card, qr_data_url(f"{echo_url}?{urlencode({'card': card.number})}")) for card in sheet]
    return render(request, "feedback/card_batch_print.html", {"batch": batch, "cards": cards, "echo_url": echo_url})


@login_required
def contact_card_print(request, pk: int):
    """警民联系卡 of a household: its responsible officer's name, post and phone, whoever prints it."""
    household = get_household_for_user(request.user, pk)
    context = {"household": household, "officer": selectors.contact_card_officer(household=household)}
    return render(request, "feedback/contact_card_print.html", context)


@_OVERVIEW
@login_required
def card_void(request):
    units = _card_units(request)
    form = CardVoidForm(request.POST)
    if form.is_valid():
        card = selectors.get_card_by_number(units=units, number=form.cleaned_data["number"])
        try:
            if card is None:
                raise CardError("本单位没有这个卡号。")
            card = services.card_void(card=card, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, CARD_FLOW.action("void").done_message(card))
        except CardError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "请填写卡号和作废原因。")
    return redirect("feedback:card_overview")


# The stock list on the hand-out page: the top of the pile; any other card is typed by its sequence number.
HAND_OUT_CHOICES = 100


@login_required
@require_http_methods(["GET", "POST"])
def card_hand_out(request, pk: int):
    """On a visit: the echo card left at the household, picked from the unit's stock or typed by its number."""
    visit = get_visit_for_user(request.user, pk)
    if visit.visitor_id != request.user.pk or visit.household_id is None:
        raise PermissionDenied("只能登记自己走访时发放的回音卡。")
    stock = selectors.card_stock_numbers(actor=request.user, limit=HAND_OUT_CHOICES)
    form = CardHandOutForm(request.POST if request.method == "POST" else None, stock=stock)
    if form.is_valid():
        try:
            card = services.card_hand_out(
                number=form.cleaned_data["chosen"], household=visit.household, actor=request.user, visit=visit
            )
        except CardError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, CARD_FLOW.action("hand_out").done_message(card))
            return redirect(visit)
    context = {"visit": visit, "form": form, "stock": stock, "handed_out": visit.echo_cards.order_by("number")}
    if not stock:
        # Only a card in stock can be handed out, and the visit page offers this one only while there is one: with
        # none the page says why rather than show a form bound to fail. A form sent anyway (a second tap after
        # the last card went) is answered by the service, which says what became of the card typed.
        context["spent"] = selectors.cards_to_hand_out(actor=request.user) == "spent"
        if not form.is_bound:
            context["form"] = None
    return render(request, "feedback/card_hand_out.html", context, status=400 if form.errors else 200)
