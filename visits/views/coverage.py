"""Visit coverage: for an area and a period, the share of households visited, those never visited, and the
overdue list with the officer responsible."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from jingshi_jiafang.core.capabilities import may_view_coverage
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.scopes import towns_visible_to, villages_visible_to
from visits import selectors
from visits.filters import CoverageFilterForm

DEFAULT_PERIOD_DAYS = 90


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


@login_required
def coverage(request):
    user = request.user
    if not may_view_coverage(user):
        raise PermissionDenied("您的角色无权查看走访覆盖情况。")
    towns = towns_visible_to(user).order_by("code")
    filters = CoverageFilterForm(request.GET, towns=towns)
    start, end = filters.period(default_days=DEFAULT_PERIOD_DAYS)
    overdue_days = filters.overdue_days_or_default()
    villages = villages_visible_to(user)
    if town := filters.value("area"):
        villages = villages.filter(parent=town)
    cutoff = timezone.now() - timedelta(days=overdue_days)
    period = {"start": _midnight(start), "end": _midnight(end + timedelta(days=1))}
    rows = selectors.coverage_by_village(villages=villages, cutoff=cutoff, **period)
    totals = selectors.VillageCoverage(
        village=None,
        households=sum(r.households for r in rows),
        visited=sum(r.visited for r in rows),
        never_visited=sum(r.never_visited for r in rows),
        overdue=sum(r.overdue for r in rows),
    )
    context = {
        "rows": rows,
        "totals": totals,
        "organisations": selectors.organisation_coverage(villages=villages, **period),
        "towns": towns,
        "town": town,
        "start": start,
        "end": end,
        "overdue_days": overdue_days,
        "filters": filters,
        "filter_errors": filters.errors_text(),
        **paginate(request, selectors.overdue_households(villages=villages, cutoff=cutoff)),
    }
    return render(request, "visits/coverage.html", context)
