from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from visits import selectors, services
from visits.audit import audit_record
from visits.filters import HouseholdFilter
from visits.forms import AssignOfficerForm, AttachmentForm, RevealForm
from visits.models import User
from visits.night import window_text
from visits.pagination import paginate
from visits.privacy import REVEAL_ACTIONS, can_reveal
from visits.scopes import VISITOR_ROLES, get_area_for_user, get_household_for_user

_HOME_TEMPLATES = {role: f"visits/home_{role}.html" for role in User.Role}


@login_required
def home(request):
    user = request.user
    context = {
        "summary": selectors.scope_summary(user=user),
        "area_links": selectors.area_links_of(user=user),
        "tonight": selectors.tonight_plan(user=user) if user.role == User.Role.OFFICER else None,
        "night_window": window_text(),
    }
    return render(request, _HOME_TEMPLATES.get(user.role, "visits/home_unassigned.html"), context)


@login_required
def household_list(request):
    unit_wide = request.GET.get("scope") == "unit" and request.user.role in VISITOR_ROLES
    areas = selectors.visible_area_choices(user=request.user, unit_wide=unit_wide)
    households = selectors.household_list(user=request.user, unit_wide=unit_wide)
    household_filter = HouseholdFilter(request.GET or None, queryset=households, areas=areas)
    context = {"filter": household_filter, "unit_wide": unit_wide, **paginate(request, household_filter.qs)}
    return render(request, "visits/household_list.html", context)


@login_required
def household_detail(request, pk: int):
    household = get_household_for_user(request.user, pk)
    return render(request, "visits/household_detail.html", household_context(request, household))


def household_context(request, household, revealed: str = "", attachment_form=None, assign_form=None) -> dict:
    may_upload = request.user.role in services.UPLOAD_ROLES
    may_assign = request.user.is_unit_head and request.user.role == User.Role.OFFICER
    return {
        "assign_form": assign_form or (AssignOfficerForm(head=request.user) if may_assign else None),
        "household": household,
        "links": selectors.household_link_history(household=household),
        "attachments": household.attachments.select_related("uploaded_by"),
        "may_visit": request.user.role in VISITOR_ROLES,
        **paginate(request, selectors.household_timeline(household=household)),
        "attachment_form": attachment_form or (AttachmentForm() if may_upload else None),
        "revealed": revealed,
    }


@require_POST
@login_required
def household_reveal(request, pk: int):
    """Show one number in full, for this response only, and record who saw it."""
    household = get_household_for_user(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("无效的请求。")
    field = form.cleaned_data["field"]
    if not can_reveal(request.user, field):
        raise PermissionDenied("您的角色无权查看完整号码。")
    audit_record(action=REVEAL_ACTIONS[field], request=request, target=household)
    return render(request, "visits/household_detail.html", household_context(request, household, revealed=field))


@require_POST
@login_required
def household_assign(request, pk: int):
    """A unit head makes another officer responsible for the household; the old link ends, the history stays."""
    household = get_household_for_user(request.user, pk)
    if not (request.user.is_unit_head and request.user.role == User.Role.OFFICER):
        raise PermissionDenied("只有单位负责人可以调整责任民警。")
    form = AssignOfficerForm(request.POST, head=request.user)
    if form.is_valid():
        try:
            services.household_assign_officer(
                household=household, actor=request.user, request=request, **form.cleaned_data
            )
        except services.LinkError as error:
            form.add_error(None, str(error))
    if not form.is_valid():
        context = household_context(request, household, assign_form=form)
        return render(request, "visits/household_detail.html", context, status=400)
    messages.success(request, f"已将{household}的责任民警调整为{form.cleaned_data['officer']}。")
    return redirect(household)


@login_required
def area_list(request):
    villages = selectors.villages_with_household_counts(user=request.user)
    return render(request, "visits/area_list.html", paginate(request, villages))


@login_required
def area_detail(request, pk: int):
    area = get_area_for_user(request.user, pk)
    town = area if area.is_town else None
    villages = selectors.villages_with_household_counts(user=request.user, town=town) if town else None
    return render(request, "visits/area_detail.html", {"area": area, "villages": villages})
