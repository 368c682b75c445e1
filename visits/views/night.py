"""Night visits (警民夜谈): the station head's plan and the compliance page."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core import selectors as core_selectors
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.models import Area, Unit, User
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.scopes import areas_visible_to, unit_subtree, units_visible_to, villages_within
from visits import selectors, services
from visits.filters import NightComplianceFilterForm, PeriodFilterForm
from visits.forms import NightPlanForm
from visits.models import NightVisitPlan
from visits.night import first_plannable_date, next_night_date, week_start, window_text
from visits.scopes import get_night_plan_for_planner

# An area's compliance without days asked for: the last month.
AREA_PERIOD_DAYS = 30


def _week(request) -> date:
    return PeriodFilterForm(request.GET).week()


def _planner(request) -> User:
    if not can.may_plan_night_visits(request.user):
        raise PermissionDenied("只有单位负责人可以安排夜访。")
    return request.user


def _to_week(day: date):
    return redirect(f"{reverse('visits:night_plan')}?week={week_start(day).isoformat()}")


def _week_context(week: date) -> dict:
    return {"week": week, "previous_week": week - timedelta(days=7), "next_week": week + timedelta(days=7)}


def _plan_page(request, *, planner: User, week: date, form: NightPlanForm, status: int = 200):
    plans = list(selectors.night_plans_of_week(units=unit_subtree(planner.unit), week=week))
    context = {
        "plans": plans,
        "form": form,
        "window": window_text(),
        "today": timezone.localdate(),
        "removable_from": first_plannable_date(),
        **_week_context(week),
    }
    return render(request, "visits/night_plan.html", context, status=status)


@login_required
def night_plan(request):
    """Opens on the week of the next night-visit evening: on a Saturday or Sunday this week's evenings are past,
    and the head plans the coming ones."""
    planner = _planner(request)
    week = PeriodFilterForm(request.GET).week(default=next_night_date(timezone.localdate()))
    return _plan_page(request, planner=planner, week=week, form=NightPlanForm(planner=planner))


@post_only("visits:night_plan", url_kwargs=())
@login_required
def night_plan_add(request):
    """A refused plan is shown on the plan page again with the reason on the form and the choices kept."""
    planner = _planner(request)
    form = NightPlanForm(request.POST, planner=planner)
    if form.is_valid():
        try:
            plan = services.night_plan_add(planner=planner, **form.cleaned_data)
        except services.VisitError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已安排{plan.officer}于{plan.date.month}月{plan.date.day}日夜访{plan.village}。")
            return _to_week(plan.date)
    week = week_start(form.cleaned_data["date"]) if "date" in form.cleaned_data else _week(request)
    return _plan_page(request, planner=planner, week=week, form=form, status=400)


@post_only("visits:night_plan", url_kwargs=())
@login_required
def night_plan_remove(request, pk: int):
    planner = _planner(request)
    plan = get_night_plan_for_planner(planner, pk)
    try:
        services.night_plan_remove(planner=planner, plan=plan, request=request)
        messages.success(request, "夜访安排已删除。")
    except services.VisitError as error:
        messages.error(request, str(error))
    return _to_week(plan.date)


@login_required
def night_compliance(request):
    user = request.user
    if not can.may_view_night_compliance(user):
        raise PermissionDenied("您的角色无权查看夜访考核。")
    stations = units_visible_to(user).filter(kind__in=[Unit.Kind.STATION, Unit.Kind.BUREAU]).order_by("code")
    filters = NightComplianceFilterForm(
        request.GET, units=stations, areas=areas_visible_to(user).select_related("parent")
    )
    if area := filters.value("area"):
        return _area_compliance(request, filters, area)
    unit = filters.value("unit") or _own_unit(user, stations)
    week = filters.week()
    plans = (
        selectors.night_plans_of_week(units=unit_subtree(unit), week=week) if unit else NightVisitPlan.objects.none()
    )
    context = {
        "stations": stations,
        "unit": unit,
        "plans": list(plans),
        "totals": selectors.night_compliance(plans),
        "filter_errors": filters.errors_text(),
        "today": timezone.localdate(),
        "removable_from": first_plannable_date(),
        **_week_context(week),
    }
    return render(request, "visits/night_compliance.html", context)


def _area_compliance(request, filters: NightComplianceFilterForm, area: Area):
    """An area's evenings over days, whichever unit planned them (what the dashboard's 夜访落实率 counts), a page
    at a time: a town's months of plans are too many for one page."""
    start, end = filters.period(default_days=AREA_PERIOD_DAYS)
    plans = selectors.night_plans_of_area(villages=villages_within(request.user, area), start=start, end=end)
    context = {
        "area": area,
        "start": start,
        "end": end,
        "totals": selectors.night_compliance(plans),
        "filter_errors": filters.errors_text(),
        "today": timezone.localdate(),
        **paginate(request, plans),
    }
    return render(request, "visits/night_compliance.html", context)


def _own_unit(user: User, stations) -> Unit | None:
    """Where the page opens: a unit head's own unit, a leader's the station of their linked town, everyone else's
    the whole county (the bureau) when they may see it."""
    if can.may_head_unit(user):
        return user.unit
    if can.area_link_kind(user) == Area.Kind.TOWN:
        town = core_selectors.area_links_of(user=user).filter(area__kind=Area.Kind.TOWN).first()
        if town is not None and (station := stations.filter(pk=town.area.unit_id).first()):
            return station
    return stations.filter(kind=Unit.Kind.BUREAU).first() or stations.first()
