"""The leadership dashboard's figures for an area and a period, read from the summary tables.

Every figure is a SUM over `VillageMonthSummary` rows (the day rows of each village summed by month,
evaluation/models/summaries.py) in SQL, the periods being whole months: the totals, the bars by town or village,
the monthly trend each cost one grouped query of a row per village and month, whatever the county's history. Only
two small grouped counts read live tables: households per area (the coverage's denominator) and matters by
their current stage (the funnel).
"""

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from evaluation.models import VillageMonthSummary
from evaluation.models.summaries import COUNT_FIELDS, RUN_MONTHS, first_visits_field
from evaluation.selectors.questionnaires import index_trend
from feedback.models import Category, Matter
from feedback.selectors import STAGES as MATTER_STAGES
from feedback.selectors import states_reached
from jingshi_jiafang.core.dates import add_months, midnight
from jingshi_jiafang.core.models import Area, Household, User
from jingshi_jiafang.core.scopes import county_villages, villages_visible_to, villages_within
from jingshi_jiafang.core.selectors import units_placed_in

TREND_MONTHS = 12
TOPIC_FIELDS = {
    Category.PUBLIC_SECURITY: "matters_public_security",
    Category.LAW_ENFORCEMENT: "matters_law_enforcement",
    Category.FORCE_CONDUCT: "matters_force_conduct",
    Category.LITIGATION: "matters_litigation",
    Category.OTHER: "matters_other",
    "": "matters_unclassified",
}


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass(frozen=True)
class Period:
    """Whole months: `start` is the first day of the first, `end` the last day of the last."""

    kind: str  # month, year, range
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y}年{self.start.month}月"
        if self.kind == "year":
            return f"{self.start:%Y}年"
        return f"{self.start:%Y}年{self.start.month}月至{self.end:%Y}年{self.end.month}月"

    @property
    def month_starts(self) -> list[date]:
        """The first day of each month of the period, oldest first."""
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return [add_months(self.start, n) for n in range(count)]

    def query(self) -> dict:
        if self.kind == "month":
            return {"period": "month", "month": f"{self.start:%Y-%m}"}
        if self.kind == "year":
            return {"period": "year", "year": str(self.start.year)}
        return {"period": "range", "from": f"{self.start:%Y-%m}", "to": f"{self.end:%Y-%m}"}

    @classmethod
    def month(cls, month: date) -> "Period":
        return cls("month", month.replace(day=1), month_end(month))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def months(cls, first: date, last: date) -> "Period":
        return cls("range", first.replace(day=1), month_end(last))

    @classmethod
    def this_month(cls) -> "Period":
        return cls.month(timezone.localdate())


@dataclass(frozen=True)
class Scope:
    """The area a dashboard is about, as the user may see it: `area` None is the user's whole reach (the county
    for the county-wide departments and the leaders linked to every town)."""

    user: User
    area: Area | None = None

    @property
    def villages(self) -> QuerySet[Area]:
        return villages_visible_to(self.user) if self.area is None else villages_within(self.user, self.area)

    @property
    def whole_towns(self) -> QuerySet[Area]:
        """The towns all of whose villages the scope holds: their records with no village (a talk-room walk-in,
        its callbacks and ledger items) are the scope's too, as in the monthly report; a cadre's two villages
        or a village's page hold none of them."""
        villages = self.villages
        outside = Area.objects.filter(kind=Area.Kind.VILLAGE).exclude(pk__in=villages).values("parent")
        return Area.objects.filter(kind=Area.Kind.TOWN, pk__in=villages.values("parent")).exclude(pk__in=outside)

    def partial_towns(self) -> list[tuple[Area, list[Area]]]:
        """The towns the scope holds only some villages of, each with those villages (a cadre's two villages of a
        town): their figures here are those villages' alone, which the page says, as a leader's page of the same
        town counts all of it. One query; none for a village's page, which is about that village only."""
        if self.area is not None and self.area.kind == Area.Kind.VILLAGE:
            return []
        towns: dict[Area, list[Area]] = {}
        for village in self.villages.exclude(parent__in=self.whole_towns).select_related("parent").order_by("code"):
            towns.setdefault(village.parent, []).append(village)
        return list(towns.items())

    def summary_rows(self) -> QuerySet[VillageMonthSummary]:
        """The month rows of the scope: its villages' and its whole towns' own (what has no village)."""
        return VillageMonthSummary.objects.filter(Q(village__in=self.villages) | Q(village__in=self.whole_towns))

    @property
    def level(self) -> str:
        """What the bars are: towns for the whole reach, villages for a town, none for a village."""
        if self.area is None:
            return Area.Kind.TOWN
        return Area.Kind.VILLAGE if self.area.kind == Area.Kind.TOWN else ""


# The figures summed for a period; the columns of first visits are read only by `_households_visited`.
FIGURE_FIELDS = tuple(name for name in COUNT_FIELDS if not name.startswith("households_first_of_"))
HOUSEHOLDS_VISITED = "households_in_period"


def _households_visited(period: Period) -> Sum | None:
    """The period's distinct households visited, as one SUM over its month rows: a household counts in the first
    month of the period it was visited, the n-th month's row giving those not visited in the n - 1 before (see the
    summaries' models). None for a period longer than the tables can count."""
    months = period.month_starts
    if len(months) > RUN_MONTHS:
        return None
    firsts = [When(month=month, then=F(first_visits_field(n))) for n, month in enumerate(months, 1)]
    return Sum(Case(*firsts, default=Value(0)))


def _sums(households: Sum | None) -> dict:
    sums = {name: Sum(name) for name in FIGURE_FIELDS}
    if households is not None:
        sums[HOUSEHOLDS_VISITED] = households
    return sums


def _zeros(row: dict | None, households: Sum | None) -> dict:
    """The sums of `row` with None made 0 (no rows at all); the households visited stay None when uncounted."""
    counts = {name: (row or {}).get(name) or 0 for name in FIGURE_FIELDS}
    counts[HOUSEHOLDS_VISITED] = None if households is None else (row or {}).get(HOUSEHOLDS_VISITED) or 0
    return counts


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """The sums of one area and period, and the rates the page shows."""

    counts: dict
    households: int

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def visits(self) -> int:
        c = self.counts
        return c["visits_day"] + c["visits_night"] + c["visits_topic"] + c["visits_pairing"]

    @property
    def households_visited(self) -> int | None:
        """Distinct households visited in the period, each once however often visited; None for a period longer
        than the summaries can count (RUN_MONTHS)."""
        return self.counts.get(HOUSEHOLDS_VISITED)

    @property
    def coverage(self) -> float | None:
        visited = self.households_visited
        return None if visited is None else _rate(visited, self.households)

    @property
    def problems_solved(self) -> int:
        return self.counts["problems_solved_on_visit"] + self.counts["problems_solved_in_ledger"]

    @property
    def night_rate(self) -> float | None:
        c = self.counts
        return _rate(c["night_kept"], c["night_kept"] + c["night_missed"])

    @property
    def matters_closed(self) -> int:
        return self.counts["matters_closed_on_time"] + self.counts["matters_closed_late"]

    @property
    def matters_on_time_rate(self) -> float | None:
        return _rate(self.counts["matters_closed_on_time"], self.matters_closed)

    @property
    def ledger_closed(self) -> int:
        return self.counts["ledger_closed_on_time"] + self.counts["ledger_closed_late"]

    @property
    def ledger_on_time_rate(self) -> float | None:
        return _rate(self.counts["ledger_closed_on_time"], self.ledger_closed)

    @property
    def reach_rate(self) -> float | None:
        return _rate(self.counts["callbacks_reached"], self.counts["callbacks_made"])

    @property
    def answers(self) -> int:
        c = self.counts
        return c["satisfied"] + c["fairly_satisfied"] + c["not_satisfied"]

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: satisfied or fairly satisfied, of those who answered."""
        return _rate(self.counts["satisfied"] + self.counts["fairly_satisfied"], self.answers)


@dataclass
class AreaRow:
    area: Area
    figures: Figures
    # A town's own row among its villages: what has no village.
    unplaced: bool = False

    @property
    def name(self) -> str:
        return "未落到村(说事厅等)" if self.unplaced else self.area.name


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    figures: Figures
    rows: list[AreaRow]
    trend_months: list[date]
    trend: list[Figures]
    stages: list[tuple[str, str, int]]  # (stage, label, matters of the period that reached it)
    topics: list[tuple[str, str, int]] = field(default_factory=list)  # (category, label, count)

    @property
    def received_closed(self) -> int:
        """Of the matters received in the period, those closed by now: the funnel's last stage."""
        return self.stages[-1][2]


HOUSEHOLD_COUNTS_SECONDS = 600


def _households_by(villages: QuerySet[Area], group: str) -> dict[int, int]:
    """Households per village or per town (`group` is `village` or `village__parent`): one grouped count, kept
    for ten minutes. The count reads every household of the scope (600,000 for the county) while the rest of
    the page reads summary rows; the number of households changes with an import or a registration, not from
    one minute to the next."""
    key = "dashboard-households:" + hashlib.sha256(f"{group}|{villages.query}".encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        rows = Household.objects.filter(village__in=villages).values(group).annotate(n=Count("pk")).order_by()
        counts = {row[group]: row["n"] for row in rows}
        cache.set(key, counts, HOUSEHOLD_COUNTS_SECONDS)
    return counts


def _stages(scope: Scope, period: Period) -> list[tuple[str, str, int]]:
    """The funnel from live matters: of those received in the period (merged ones are counted in the one they
    joined), how many have reached each stage (汇报 → 办结) by now, as (stage, label, count). One grouped query on
    the matters' own village (copied from the household when registered) and an index on (created_at, village,
    state); a matter with no village is its unit's, in a whole town of the scope (`town_of_unit`, as the summary
    rows and the monthly report place it)."""
    units = units_placed_in(scope.whole_towns)
    # Bounds in time, not `created_at__date`: a date cast of every row cannot use the index on created_at, and the
    # funnel would cost every matter of the county's history on each load.
    received = Matter.objects.filter(
        Q(village__in=scope.villages) | Q(village__isnull=True, unit__in=units),
        created_at__gte=midnight(period.start),
        created_at__lt=midnight(period.end + timedelta(days=1)),
    ).exclude(state=Matter.State.MERGED)
    # count(*), not count(id): the index holds every column read, so PostgreSQL answers from it alone.
    counts = dict(received.values_list("state").annotate(n=Count("*")).order_by())
    return [
        (stage, Matter.State(stage).label, sum(counts.get(state, 0) for state in states_reached(stage)))
        for stage in MATTER_STAGES
    ]


def dashboard(*, scope: Scope, period: Period) -> Dashboard:
    """Everything the dashboard page draws: six queries, whatever the county's size."""
    villages = scope.villages
    in_period = scope.summary_rows().filter(month__range=(period.start, period.end))
    level = scope.level
    group = {Area.Kind.TOWN: "village__parent", Area.Kind.VILLAGE: "village"}.get(level)

    households = _households_by(villages, group or "village")
    visited = _households_visited(period)
    sums = _sums(visited)
    figures = Figures(_zeros(in_period.aggregate(**sums), visited), sum(households.values()))

    rows: list[AreaRow] = []
    if level:
        summary_group = "town" if level == Area.Kind.TOWN else "village"
        by_area = {row.pop(summary_group): row for row in in_period.values(summary_group).annotate(**sums).order_by()}
        areas = Area.objects.filter(pk__in=households.keys() | by_area.keys()).order_by("code")
        rows = [
            AreaRow(
                area,
                Figures(_zeros(by_area.get(area.pk), visited), households.get(area.pk, 0)),
                unplaced=area.kind == Area.Kind.TOWN and level == Area.Kind.VILLAGE,
            )
            for area in areas
        ]
        rows.sort(key=lambda row: row.unplaced)

    first_month = add_months(period.end.replace(day=1), 1 - TREND_MONTHS)
    months = [add_months(first_month, n) for n in range(TREND_MONTHS)]
    # A row per month: its distinct households are its first visits of the month.
    month_households = Sum(first_visits_field(1))
    trend_rows = (
        scope.summary_rows()
        .filter(month__range=(first_month, period.end))
        .values("month")
        .annotate(**_sums(month_households))
        .order_by()
    )
    by_month = {row.pop("month"): row for row in trend_rows}
    trend = [Figures(_zeros(by_month.get(month), month_households), 0) for month in months]

    topics = [
        (category, dict(Category.choices).get(category, "未分类"), figures.counts[name])
        for category, name in TOPIC_FIELDS.items()
    ]
    return Dashboard(
        scope=scope,
        period=period,
        figures=figures,
        rows=rows,
        trend_months=months,
        trend=trend,
        stages=_stages(scope, period),
        topics=topics,
    )


def sense_of_security_trend(*, scope: Scope, months: list[date]) -> list[float | None]:
    """安全感指数 per month of `months` (first days, oldest first) from the questionnaires (one query), over the
    villages the dashboard shows: a leader's town, not the county. A month without answered questionnaires is
    None, and the chart leaves a gap."""
    if not months:
        return []
    first, last = months[0], months[-1]
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    by_month = {
        row["month"]: row["security"]
        for row in index_trend(area=scope.area, months=span, today=last, villages=scope.villages)
    }
    return [by_month.get(month) for month in months]


def home_figures(*, scope: Scope, period: Period) -> Figures:
    """The home page's compact figures: the sums and the households of the area, two queries."""
    households = Household.objects.filter(village__in=scope.villages).count()
    visited = _households_visited(period)
    in_period = scope.summary_rows().filter(month__range=(period.start, period.end))
    return Figures(_zeros(in_period.aggregate(**_sums(visited)), visited), households)


def whole_reach_is_county(user: User) -> bool:
    """Whether the user's reach is every village of their county (the title says 全县 then); a database may hold
    other counties beside it."""
    county = county_villages(user)
    return county.exists() and not county.exclude(pk__in=villages_visible_to(user)).exists()
