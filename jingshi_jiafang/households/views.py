from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core import selectors as core_selectors
from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.filters import HouseholdFilter, number_search_kind, searched_number
from jingshi_jiafang.core.forms import AssignOfficerForm, AttachmentForm, RevealForm
from jingshi_jiafang.core.household_list_cache import household_list_page
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.privacy import mask_id_number, mask_phone
from jingshi_jiafang.core.scopes import get_area_for_user, get_household_for_user
from jingshi_jiafang.households import services as household_services
from jingshi_jiafang.households.timeline import household_timeline
from ledger import selectors as ledger_selectors
from ledger.permissions import may_open_for as may_open_ledger_item


@login_required
def household_list(request):
    # A search by name or number is drawn afresh: a number looked up is audited with what it found.
    searched = any(request.GET.get(name) for name in HouseholdFilter.SEARCH_FIELDS)
    draw = partial(_household_list_drawn, request)
    households = draw() if searched else household_list_page(request.user, request.GET.urlencode(), draw)
    return render(request, "households/household_list.html", {"household_list": households})


def _household_list_drawn(request) -> str:
    areas = core_selectors.visible_area_choices(user=request.user)
    households = core_selectors.household_list(user=request.user)
    household_filter = HouseholdFilter(request.GET or None, queryset=households, areas=areas)
    _audit_number_search(request, household_filter)
    context = {
        "filter": household_filter,
        **paginate(request, household_filter.qs),
    }
    return render_to_string("households/_household_list_body.html", context, request=request)


def _audit_number_search(request, household_filter: HouseholdFilter) -> None:
    """Looking a resident up by phone or ID number is recorded like revealing one: who, which kind, how many
    found. A full number is kept masked, so the audit log does not become a list of numbers; the last four
    digits are what a masked number shows anyway."""
    if not household_filter.is_bound:
        return
    for name in HouseholdFilter.SEARCH_FIELDS:
        text = searched_number(household_filter.form.data.get(name, ""))
        kind = number_search_kind(text)
        if kind is None:
            continue
        masked = {"id_number": mask_id_number, "phone": mask_phone}.get(kind, str)(text)
        audit_record(
            action=Action.SEARCH_NUMBER,
            request=request,
            detail={"kind": kind, "text": masked, "found": household_filter.qs.count()},
        )


@login_required
def household_detail(request, pk: int):
    household = get_household_for_user(request.user, pk)
    return render(request, "households/household_detail.html", household_context(request, household))


def household_context(request, household, revealed: str = "", attachment_form=None, assign_form=None) -> dict:
    may_upload = can.may_upload_attachments(request.user)
    may_assign = can.may_reassign_households(request.user)
    household = core_selectors.with_links_and_attachments(household)
    return {
        "assign_form": assign_form or (AssignOfficerForm(head=request.user) if may_assign else None),
        "household": household,
        "links": household.links.all(),
        "attachments": household.attachments.all(),
        "may_visit": can.may_visit(request.user),
        "ledger_items": ledger_selectors.open_items_for_household(household=household, user=request.user),
        "may_open_ledger_item": may_open_ledger_item(request.user, household),
        **paginate(request, household_timeline(household=household)),
        "attachment_form": attachment_form or (AttachmentForm() if may_upload else None),
        "revealed": revealed,
    }


@post_only("households:household_detail")
@login_required
def household_reveal(request, pk: int):
    """Show one number in full, for this response only, and record who saw it."""
    household = get_household_for_user(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("无效的请求。")
    try:
        field = core_services.personal_number_reveal(
            household=household, field=form.cleaned_data["field"], actor=request.user, request=request
        )
    except core_services.RevealError as error:
        raise PermissionDenied(str(error)) from error
    return render(request, "households/household_detail.html", household_context(request, household, revealed=field))


@post_only("households:household_detail")
@login_required
def household_assign(request, pk: int):
    """A unit head makes another officer responsible for the household; the old link ends, the history stays."""
    household = get_household_for_user(request.user, pk)
    if not can.may_reassign_households(request.user):
        raise PermissionDenied("只有单位负责人可以调整责任民警。")
    form = AssignOfficerForm(request.POST, head=request.user)
    handed = 0
    if form.is_valid():
        officer = form.cleaned_data["officer"]
        try:
            handed = household_services.household_reassign(
                household=household, actor=request.user, request=request, **form.cleaned_data
            )
        except core_services.LinkError as error:
            form.add_error(None, str(error))
    if not form.is_valid():
        context = household_context(request, household, assign_form=form)
        return render(request, "households/household_detail.html", context, status=400)
    handed_text = f"该户 {handed} 件未销号的台账事项已一并转给{officer}。" if handed else ""
    start = form.cleaned_data["start_date"]
    when = "" if start == timezone.localdate() else f"自 {start:%Y-%m-%d} 起"
    if start > timezone.localdate():
        handed_text = f"该户未销号的台账事项在 {start:%Y-%m-%d} 当天转给{officer}。"
    messages.success(request, f"已将{household}的责任民警{when}调整为{officer}。{handed_text}")
    return redirect(household)


@login_required
def area_list(request):
    villages = core_selectors.villages_with_household_counts(user=request.user)
    return render(request, "households/area_list.html", paginate(request, villages))


@login_required
def area_detail(request, pk: int):
    area = get_area_for_user(request.user, pk)
    town = area if area.is_town else None
    villages = core_selectors.villages_with_household_counts(user=request.user, town=town) if town else None
    # Those who read an area's figures reach them from its page: a cadre's village was a page of one button.
    context = {"area": area, "villages": villages, "may_view_figures": can.may_view_dashboard(request.user)}
    return render(request, "households/area_detail.html", context)
