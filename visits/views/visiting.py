"""Logging visits and reading them back: the visit form, a visit, and the public-sentiment diary (民情日记)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.capabilities import may_reveal
from jingshi_jiafang.core.forms import RevealForm
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.privacy import reveal_of_item
from jingshi_jiafang.core.scopes import (
    areas_visible_to,
    households_visible_to,
    is_paired_with,
    organisations_visible_to,
    villages_within,
)
from visits import selectors, services
from visits.filters import DiaryFilterForm
from visits.models import Finding
from visits.scopes import get_household_for_visit, get_visit_for_user
from visits.visit_forms import RegistrationItemsForm, SubmissionKeyForm, VisitForm


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk: int):
    # A form sent again (a double tap, or a visit kept on the phone and sent when the signal came back) lands on
    # the visit it recorded, before the form is checked again: by then the late-entry window may have closed or
    # the household left the officer's reach, and the visit is recorded all the same.
    if request.method == "POST" and (visit := visit_already_recorded(request)) is not None:
        messages.success(request, "这次走访已经保存过,没有重复记录。")
        return redirect(visit)
    household = get_household_for_visit(request.user, pk)
    paired = is_paired_with(request.user, household)
    form = VisitForm(request.POST or None, household=household, paired=paired)
    current = selectors.registration_values(household=household)
    corrections = RegistrationItemsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid() & corrections.is_valid():
        try:
            visit, created = services.visit_log(
                visitor=request.user,
                household=household,
                submission_key=form.cleaned_data["submission_key"],
                details=form.visit_details(),
                facts=form.fact_values(),
                corrections=corrections.corrections(),
                findings=form.finding_inputs(),
                requests=form.request_lines(),
            )
        except services.VisitError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "走访已记录,已写入民情日记。" if created else "这次走访已经保存过,没有重复记录。")
            return redirect(visit)
    context = {"household": household, "form": form, "corrections": corrections}
    return render(request, "visits/visit_form.html", context, status=400 if request.method == "POST" else 200)


def visit_already_recorded(request):
    """The visit a POSTed submission key already recorded for this visitor, if any (household or organisation)."""
    sent = SubmissionKeyForm(request.POST)
    if not sent.is_valid():
        return None
    return selectors.visit_of_submission(visitor=request.user, submission_key=sent.cleaned_data["submission_key"])


@login_required
def visit_detail(request, pk: int):
    visit = get_visit_for_user(request.user, pk)
    return render(request, "visits/visit_detail.html", _visit_context(request, visit))


def _visit_context(request, visit, revealed: str = "") -> dict:
    outcomes = selectors.visit_outcomes(visit=visit, user=request.user)
    reveals = {reveal_of_item(c.field) for c in outcomes["corrections"]} - {"", revealed}
    return {
        "visit": visit,
        **outcomes,
        # The household page, its contact card and its matters are open to whoever reaches the household (a
        # matter is visible with its household: feedback's rule); the links are shown only then, never to a 404.
        "household_in_reach": bool(visit.household_id)
        and households_visible_to(request.user).filter(pk=visit.household_id).exists(),
        "organisation_in_reach": bool(visit.organisation_id)
        and organisations_visible_to(request.user).filter(pk=visit.organisation_id).exists(),
        # The matters of an organisation visit open for the officer who reported them (feedback's rule: such a
        # matter has no household to be seen with).
        "matters_in_reach": bool(visit.organisation_id) and visit.visitor_id == request.user.pk,
        "revealed": revealed,
        "reveal_fields": sorted(field for field in reveals if may_reveal(request.user, field)),
    }


@post_only("visits:visit_detail")
@login_required
def visit_reveal(request, pk: int):
    """Show the personal items of this visit's corrections in full, for this response only, and record who saw them."""
    visit = get_visit_for_user(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("无效的请求。")
    try:
        field = core_services.personal_number_reveal(
            household=visit.household,
            field=form.cleaned_data["field"],
            actor=request.user,
            target=visit,
            request=request,
        )
    except core_services.RevealError as error:
        raise PermissionDenied(str(error)) from error
    return render(request, "visits/visit_detail.html", _visit_context(request, visit, revealed=field))


@login_required
def diary(request):
    user = request.user
    filters = DiaryFilterForm(request.GET, areas=areas_visible_to(user))
    month = filters.month()
    area = filters.value("area")
    area_filter = None
    if area is not None:
        area_filter = selectors.AreaVisitsFilter(
            villages=villages_within(user, area),
            start=filters.value("from"),
            end=filters.value("to"),
            visited=filters.value("visited") or "",
            finding=filters.value("finding") or "",
            corrections=bool(filters.value("corrections")),
        )
    visits = selectors.diary_entries(user=user, month=month, area=area_filter)
    context = {
        "month": month,
        "area": area,
        "area_filter": area_filter,
        # An area's records say their households too: the dashboard's 走访户数 counts each once, not its visits.
        "households": selectors.households_among(visits) if area_filter else None,
        "corrections_made": selectors.corrections_among(visits) if area_filter and area_filter.corrections else None,
        "visited_label": dict(DiaryFilterForm.base_fields["visited"].choices).get(filters.value("visited") or ""),
        "finding_label": dict(Finding.Kind.choices).get(filters.value("finding") or ""),
        "filter_errors": filters.errors_text(),
        **paginate(request, visits),
    }
    return render(request, "visits/diary.html", context)
