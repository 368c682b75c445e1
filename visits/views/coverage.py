"""Visit coverage: for an area and a period, the share of households visited, those never visited, and the
overdue list with the officer responsible. County-wide, a row per town that opens the town's villages."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from jingshi_jiafang.core.capabilities import may_view_coverage
from jingshi_jiafang.core.pagination import paginate_uncounted
from jingshi_jiafang.core.scopes import areas_visible_to, towns_visible_to, villages_visible_to, villages_within
from visits import coverage as counts
from visits import selectors
from visits.filters import CoverageFilterForm

DEFAULT_PERIOD_DAYS = 90


@login_required
def coverage(request):
    user = request.user
    if not may_view_coverage(user):
        raise PermissionDenied("您的角色无权查看走访覆盖情况。")
    towns = towns_visible_to(user).order_by("code")
    filters = CoverageFilterForm(request.GET, areas=areas_visible_to(user).select_related("parent"))
    start, end = filters.period(default_days=DEFAULT_PERIOD_DAYS)
    overdue_days = filters.overdue_days_or_default()
    overdue_before = timezone.localdate() - timedelta(days=overdue_days)
    area = filters.value("area")
    villages = villages_within(user, area) if area else villages_visible_to(user)
    counted_at = counts.counted_at(villages)
    if counted_at and end >= timezone.localtime(counted_at).date():
        rows = counts.coverage_kept(villages=villages, since=start, overdue_before=overdue_before)
    else:
        counted_at = None
        rows = counts.coverage_live(villages=villages, start=start, end=end, overdue_before=overdue_before)
    totals = counts.CoverageRow(area=None)
    for row in rows:
        totals.add(row)
    by_town = not area and len({row.area.parent_id for row in rows}) > 1
    context = {
        "partial_towns": [] if area and area.kind == area.Kind.VILLAGE else counts.partial_towns(rows),
        "rows": counts.by_town(rows) if by_town else rows,
        "by_town": by_town,
        "drill_query": urlencode({"from": start.isoformat(), "to": end.isoformat(), "overdue_days": overdue_days}),
        "totals": totals,
        "counted_at": counted_at,
        "organisations": selectors.organisation_coverage(villages=villages, start=start, end=end),
        "towns": towns,
        "area": area,
        "start": start,
        "end": end,
        "overdue_days": overdue_days,
        "filters": filters,
        "filter_errors": filters.errors_text(),
        **paginate_uncounted(request, counts.overdue_households(villages=villages, overdue_before=overdue_before)),
    }
    return render(request, "visits/coverage.html", context)
