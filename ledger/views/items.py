"""Ledger pages: the unit's ledger, my items, an item's page and its actions (one POST view; the workflow's
registry decides), opening an item from a visit or a household, the evidence download, and the printed ledger."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.audit import Action as AuditAction
from jingshi_jiafang.core.audit import audit_record
from jingshi_jiafang.core.models import Household
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.scopes import get_household_for_user, villages_visible_to
from jingshi_jiafang.core.workflow import Action
from ledger import selectors, services
from ledger.forms import ItemOpenForm, LedgerFilterForm
from ledger.models import LedgerItem
from ledger.permissions import follows_its_matter, may_open_for
from ledger.scopes import (
    get_evidence_for_user,
    get_ledger_for_user,
    get_ledger_item_for_user,
    ledger_items_visible_to,
)
from ledger.workflows import LEDGER_FLOW, offered_actions
from visits.scopes import get_visit_for_user


def _filtered(request):
    form = LedgerFilterForm(request.GET, villages=villages_visible_to(request.user))
    form.is_valid()
    items = form.filter(ledger_items_visible_to(request.user), overdue_q=selectors.overdue(timezone.localdate()))
    return form, items


@login_required
def item_list(request):
    """The unit's ledger: counts and on-time closure for a period, overdue per person, the filtered items."""
    if not can.may_read_ledgers(request.user):
        raise PermissionDenied("您的角色不查看台账。")
    form, items = _filtered(request)
    start, end = form.summary_period()
    context = {
        "form": form,
        "summary": selectors.summary(items=items, start=start, end=end, all_items=form.lists_days_closed),
        "overdue_people": selectors.overdue_per_person(items=items),
        **paginate(request, selectors.listed(items)),
    }
    return render(request, "ledger/item_list.html", context)


@login_required
def my_items(request):
    if not can.may_answer_for_ledger_items(request.user):
        raise PermissionDenied("您的角色不负责台账事项。")
    # ?due=week: the home page's 本周到期 card, in full.
    this_week = request.GET.get("due") == "week"
    items = selectors.items_due_this_week(user=request.user) if this_week else selectors.my_items(user=request.user)
    context = {
        "week_end": selectors.week_end(timezone.localdate()),
        "this_week": this_week,
        **paginate(request, items),
    }
    return render(request, "ledger/my_items.html", context)


def _form(request, item: LedgerItem, action: Action, data=None, files=None):
    if action.form_class is None:
        return None
    return action.form_class(data, files, prefix=action.name, user=request.user, item=item)


def _detail_context(request, item: LedgerItem, bound: dict | None = None) -> dict:
    bound = bound or {}
    actions = offered_actions(request.user, item)
    may_close = any(action.name == "close" for action in actions)
    waiting_close = item.state == LedgerItem.State.DELIVERED and not may_close
    return {
        "item": item,
        # A refused step is summed up at the top of the page (a phone may be scrolled far from its form) and
        # its errors stay in its own form as well; the summary links down to that form.
        "refused": [
            {
                "form": form,
                "title": f"“{LEDGER_FLOW.action(name).label}”没有完成,请改正以下问题:",
                "anchor": f"action-{name}",
            }
            for name, form in bound.items()
        ],
        "events": selectors.item_history(item=item),
        "actions": [(action, bound.get(action.name) or _form(request, item, action)) for action in actions],
        "waiting_close": waiting_close,
        "follows_matter": item.is_open and follows_its_matter(item),
        "closers": selectors.heads_who_may_close(item=item) if waiting_close else [],
    }


@login_required
def item_detail(request, pk: int):
    item = get_ledger_item_for_user(request.user, pk)
    return render(request, "ledger/item_detail.html", _detail_context(request, item))


# How each action of the registry (ledger/workflows.py) calls its service with its form's cleaned data.
PERFORM = {
    "register": lambda i, u, d, r: services.ledger_item_register(item=i, actor=u, request=r, **d),
    "deliver": lambda i, u, d, r: services.ledger_item_deliver(item=i, actor=u, request=r, **d),
    "close": lambda i, u, d, r: services.ledger_item_close(item=i, actor=u, request=r, **d),
    "send_back": lambda i, u, d, r: services.ledger_item_send_back(item=i, actor=u, request=r, **d),
    "evidence": lambda i, u, d, r: services.ledger_item_evidence_add(item=i, actor=u, request=r, **d),
    "reopen": lambda i, u, d, r: services.ledger_item_reopen(item=i, actor=u, request=r, **d),
}
if PERFORM.keys() != LEDGER_FLOW.actions.keys():
    raise ImproperlyConfigured("Every action in the ledger registry needs its service call in PERFORM.")


@require_POST
@login_required
def item_act(request, pk: int, action: str):
    item = get_ledger_item_for_user(request.user, pk)
    if action not in {offered.name for offered in offered_actions(request.user, item)}:
        raise PermissionDenied("您不能对这个台账事项执行该操作。")
    action = LEDGER_FLOW.action(action)
    form = _form(request, item, action, request.POST, request.FILES)
    if form is not None and not form.is_valid():
        context = _detail_context(request, item, bound={action.name: form})
        return render(request, "ledger/item_detail.html", context, status=400)
    try:
        PERFORM[action.name](item, request.user, form.cleaned_data if form else {}, request)
    except services.LedgerError as error:
        if form is None:
            messages.error(request, str(error))
            return redirect(item)
        # Refused by the rules: the filled-in form comes back with the reason, beside it and at the top.
        form.add_error(None, str(error))
        item.refresh_from_db()
        context = _detail_context(request, item, bound={action.name: form})
        return render(request, "ledger/item_detail.html", context, status=400)
    messages.success(request, action.done_message(item))
    return redirect(item)


def _open(request, *, household: Household, visit=None, back):
    if not may_open_for(request.user, household):
        raise PermissionDenied("您不能为该户登记台账事项。")
    form = ItemOpenForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item, opened = services.ledger_item_open_once(
                actor=request.user,
                household=household,
                visit=visit,
                unit=household.village.unit,
                source=LedgerItem.Source.VISIT if visit else LedgerItem.Source.HOUSEHOLD,
                request=request,
                **form.cleaned_data,
            )
        except services.LedgerError as error:
            form.add_error(None, str(error))
        else:
            if opened:
                messages.success(request, "已记入台账(掌握)。请在核实后登记。")
            else:
                messages.info(request, "这件事已经记入台账,没有再记一次:这是当时记入的事项。")
            return redirect(item)
    context = {"form": form, "household": household, "visit": visit, "back": back}
    return render(request, "ledger/item_form.html", context, status=400 if form.errors else 200)


@login_required
def item_open_for_household(request, pk: int):
    household = get_household_for_user(request.user, pk)
    return _open(request, household=household, back=household.get_absolute_url())


@login_required
def item_open_for_visit(request, pk: int):
    visit = get_visit_for_user(request.user, pk)
    if visit.household is None:
        raise PermissionDenied("这次走访不是入户走访。")
    # A visitor who has since lost the household sees the visit but may no longer work its household.
    return _open(request, household=visit.household, visit=visit, back=visit.get_absolute_url())


@login_required
def evidence_download(request, pk: int):
    evidence = get_evidence_for_user(request.user, pk)
    audit_record(action=AuditAction.DOWNLOAD, request=request, target=evidence)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=not evidence.is_image,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def ledger_print(request, pk: int):
    """One ledger on A4, with the items of it the user may see and their history."""
    ledger = get_ledger_for_user(request.user, pk)
    items = ledger_items_visible_to(request.user).filter(ledger=ledger)
    return render(request, "ledger/ledger_print.html", {"ledgers": selectors.ledgers_for_print(items=items)})


@login_required
def ledger_print_filtered(request):
    """The ledgers of the filtered items, one per A4 page, a page of ledgers per print run."""
    _, items = _filtered(request)
    ledgers = selectors.ledgers_for_print(items=items)
    page = paginate(request, ledgers)
    return render(request, "ledger/ledger_print.html", {"ledgers": page["page"].object_list, **page})
