"""Visit coverage (走访覆盖): per village, its households, those visited in a period, never visited and overdue.

Counted live, a county-wide page reads 600,000 households and a quarter's visits on every load. So an hourly job
(`coverage_counts_keep`, `manage.py keep_coverage_counts`) keeps, per village, its households and a running count
of households by the day of their latest visit; the page then answers any period that runs up to today and any
overdue threshold with two index probes per village. A period that ends before the counts were kept is counted
live: the latest visit of each household no longer says whether it was visited back then."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.models import Area, Household
from jingshi_jiafang.core.selectors import current_officer_name
from visits.models import CoverageCount, CoverageDay, Visit

BATCH_SIZE = 5_000


@dataclass
class CoverageRow:
    """A village's coverage, or a town's (the sum of its villages) when `villages` is filled."""

    area: Area
    households: int = 0
    visited: int = 0
    never_visited: int = 0
    overdue: int = 0
    villages: list["CoverageRow"] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.visited / self.households if self.households else 0.0

    def add(self, other: "CoverageRow") -> None:
        self.households += other.households
        self.visited += other.visited
        self.never_visited += other.never_visited
        self.overdue += other.overdue


@transaction.atomic
def coverage_counts_keep(*, now: datetime | None = None) -> int:
    """Count every village's households again, replacing the last counts in one transaction (a reader sees the
    old counts or the new, never half). Returns the number of day rows written."""
    now = now or timezone.now()
    totals = Household.objects.values("village").annotate(
        total=Count("pk"), never=Count("pk", filter=Q(last_visited_at__isnull=True))
    )
    by_day = (
        Household.objects.filter(last_visited_at__isnull=False)
        .annotate(day=TruncDate("last_visited_at"))
        .values_list("village", "day")
        .annotate(n=Count("pk"))
        .order_by("village", "-day")
    )
    CoverageDay.objects.all().delete()
    CoverageCount.objects.all().delete()
    CoverageCount.objects.bulk_create(
        (
            CoverageCount(
                village_id=row["village"], households=row["total"], never_visited=row["never"], counted_at=now
            )
            for row in totals
        ),
        batch_size=BATCH_SIZE,
    )
    days = list(_running_counts(by_day.iterator(chunk_size=BATCH_SIZE)))
    CoverageDay.objects.bulk_create(days, batch_size=BATCH_SIZE)
    return len(days)


def _running_counts(rows):
    """(village, day, households last visited that day), latest day first, into rows counting that day or later."""
    for village, days in groupby(rows, key=lambda row: row[0]):
        since = 0
        for _village, day, households in days:
            since += households
            yield CoverageDay(village_id=village, day=day, visited_since=since)


def counted_at(villages: QuerySet[Area]) -> datetime | None:
    """When the counts of these villages were kept, None if they never were."""
    return CoverageCount.objects.filter(village__in=villages).values_list("counted_at", flat=True).first()


def coverage_kept(*, villages: QuerySet[Area], since: date, overdue_before: date) -> list[CoverageRow]:
    """Per village from the kept counts: households visited on `since` or later, and overdue (latest visit before
    `overdue_before`, or none). One query: two index probes per village."""

    def visited_on_or_after(day: date):
        days = CoverageDay.objects.filter(village=OuterRef("pk"), day__gte=day).order_by("day")
        return Coalesce(Subquery(days.values("visited_since")[:1]), Value(0))

    annotated = villages.annotate(
        counted=Coalesce(F("coverage_count__households"), Value(0)),
        never=Coalesce(F("coverage_count__never_visited"), Value(0)),
        visited=visited_on_or_after(since),
        recent=visited_on_or_after(overdue_before),
    )
    return [
        CoverageRow(v, v.counted, v.visited, v.never, v.counted - v.recent)
        for v in annotated.select_related("parent", "unit").order_by("code")
    ]


def coverage_live(*, villages: QuerySet[Area], start: date, end: date, overdue_before: date) -> list[CoverageRow]:
    """The same, counted from the households and the visits of [start, end]: for a period in the past. Two
    grouped queries, whose cost follows the households and visits counted."""
    overdue = Q(last_visited_at__lt=midnight(overdue_before)) | Q(last_visited_at__isnull=True)
    rows = {v.pk: CoverageRow(v) for v in villages.select_related("parent", "unit").order_by("code")}
    household_counts = (
        Household.objects.filter(village__in=rows)
        .values("village")
        .annotate(
            total=Count("pk"),
            never=Count("pk", filter=Q(last_visited_at__isnull=True)),
            late=Count("pk", filter=overdue),
        )
    )
    for row in household_counts:
        coverage = rows[row["village"]]
        coverage.households, coverage.never_visited, coverage.overdue = row["total"], row["never"], row["late"]
    in_period = Q(visited_at__gte=midnight(start), visited_at__lt=midnight(end + timedelta(days=1)))
    visited = (
        Visit.objects.filter(in_period, village__in=rows, household__isnull=False)
        .values("village")
        .annotate(households=Count("household", distinct=True))
    )
    for row in visited:
        rows[row["village"]].visited = row["households"]
    return list(rows.values())


def by_town(rows: list[CoverageRow]) -> list[CoverageRow]:
    """Village rows summed into their towns, in town code order; each town keeps its villages."""
    towns: dict[int, CoverageRow] = {}
    for row in rows:
        town = towns.setdefault(row.area.parent_id, CoverageRow(row.area.parent))
        town.add(row)
        town.villages.append(row)
    return sorted(towns.values(), key=lambda town: town.area.code)


def partial_towns(rows: list[CoverageRow]) -> list[tuple[Area, list[Area]]]:
    """The towns the rows hold only some villages of (a cadre's two villages of a town), each with those villages:
    their figures are those villages' alone, which the page says. One query."""
    shown: dict[Area, list[Area]] = {}
    for row in rows:
        shown.setdefault(row.area.parent, []).append(row.area)
    in_town = dict(
        Area.objects.filter(kind=Area.Kind.VILLAGE, parent__in=[town.pk for town in shown])
        .values("parent")
        .annotate(n=Count("pk"))
        .values_list("parent", "n")
    )
    return [(town, villages) for town, villages in shown.items() if len(villages) < in_town.get(town.pk, 0)]


def overdue_households(*, villages: QuerySet[Area], overdue_before: date) -> QuerySet[Household]:
    """Households of these villages not visited since `overdue_before`, never visited first, then the longest
    waiting: the order of household_due_idx, so a page of them is read from the index, not sorted."""
    return (
        Household.objects.filter(village__in=villages)
        .filter(Q(last_visited_at__lt=midnight(overdue_before)) | Q(last_visited_at__isnull=True))
        .select_related("village__parent")
        .annotate(officer_name=current_officer_name())
        .order_by(F("last_visited_at").asc(nulls_first=True), "pk")
    )
