"""Scores (考核): what each metric counts, for whom, counted in the database.

Every metric is a numerator over a denominator for one subject and month. The same base queryset per metric feeds
the monthly job (grouped by subject in SQL: a handful of queries for the whole county, whatever the number of
officers) and the drill-down page (filtered to one subject), so the records a page lists are exactly the ones
that were counted. `DEFINITIONS` is the text the ranking page and docs/scores.md show.

Subjects:
- officer (民警): their own linked households, their own visits, their own night plans, the matters assigned to
  them, the ledger items they answer for.
- cadre (干部: 局领导 and 中层干部): the villages they are linked to (a leader: every village of their town),
  and their own pair (结对联建).
- unit (单位: stations and police rooms): everything of the unit and the units under it — its villages'
  households, its officers' night plans, the callbacks, matters and ledger items of the unit.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from evaluation.models import Callback, Metric, Satisfaction, Score, ScoreComponent, ScoreWeight, SubjectKind
from feedback.models import Matter
from feedback.scopes import matters_visible_to
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, AreaLink, Household, HouseholdLink, PairingLink, Unit, User
from jingshi_jiafang.core.scopes import county_units, households_visible_to, unit_subtree
from ledger.models import LedgerItem
from ledger.scopes import ledger_items_visible_to
from ledger.selectors.pairing import Period, pairing_compliance, pairings_in_period, period_of
from visits.models import NightVisitPlan, Visit

Role = User.Role

# Which metrics score which kind of subject: a cadre plans no night visits, only leaders and cadres are paired.
METRICS_OF = {
    SubjectKind.OFFICER: (
        Metric.VISIT_COVERAGE,
        Metric.NIGHT_COMPLIANCE,
        Metric.CALLBACK_CONFIRMED,
        Metric.SATISFACTION,
        Metric.MATTERS_ON_TIME,
        Metric.LEDGER_ON_TIME,
        Metric.FALSE_VISITS,
    ),
    SubjectKind.CADRE: (
        Metric.VISIT_COVERAGE,
        Metric.CALLBACK_CONFIRMED,
        Metric.SATISFACTION,
        Metric.MATTERS_ON_TIME,
        Metric.LEDGER_ON_TIME,
        Metric.PAIRING,
        Metric.FALSE_VISITS,
    ),
    SubjectKind.UNIT: (
        Metric.VISIT_COVERAGE,
        Metric.NIGHT_COMPLIANCE,
        Metric.CALLBACK_CONFIRMED,
        Metric.SATISFACTION,
        Metric.MATTERS_ON_TIME,
        Metric.LEDGER_ON_TIME,
        Metric.FALSE_VISITS,
    ),
}
PENALTY_METRICS = frozenset({Metric.FALSE_VISITS})
# The households a subject is to visit: the method's core, and the one base every kind has. Without it the other
# rates alone would rank a subject (a station head who only closes matters, a cadre with a pair and no village)
# above those who visit, so such a subject is kept with its figures but not ranked (models.UNRANKED_REASONS).
BASE_METRIC = Metric.VISIT_COVERAGE
SUBJECT_ROLES = {SubjectKind.OFFICER: (Role.OFFICER,), SubjectKind.CADRE: (Role.LEADER, Role.CADRE)}
SCORED_UNIT_KINDS = (Unit.Kind.STATION, Unit.Kind.POLICE_ROOM)

# Numerator / denominator of each metric, per kind of subject, in words.
DEFINITIONS = {
    Metric.VISIT_COVERAGE: {
        SubjectKind.OFFICER: "本月本人走访过的联系户 / 月末(或今日)本人联系的户",
        SubjectKind.CADRE: "本月有人走访过的户 / 所联系村(居)的户(局领导:所联系镇的全部村居)",
        SubjectKind.UNIT: "本月有人走访过的户 / 本单位及下属单位辖区村(居)的户",
    },
    Metric.NIGHT_COMPLIANCE: {
        SubjectKind.OFFICER: "按时完成的夜访安排 / 本月已过的本人夜访安排(当晚在该村夜访且及时录入为完成)",
        SubjectKind.UNIT: "按时完成的夜访安排 / 本单位民警本月已过的夜访安排",
    },
    Metric.CALLBACK_CONFIRMED: {
        SubjectKind.OFFICER: "回访核实属实的本人走访 / 本月已核实(属实或虚假)的本人走访",
        SubjectKind.CADRE: "回访属实的走访 / 所联系村(居)本月已核实的走访",
        SubjectKind.UNIT: "回访属实的走访 / 本单位本月已核实的走访",
    },
    Metric.SATISFACTION: {
        SubjectKind.OFFICER: "满意与基本满意 / 本月回访中答复了满意度的本人走访、办结诉求和销号台账",
        SubjectKind.CADRE: "满意与基本满意 / 所联系村(居)本月答复了满意度的回访",
        SubjectKind.UNIT: "满意与基本满意 / 本单位本月答复了满意度的回访",
    },
    Metric.MATTERS_ON_TIME: {
        SubjectKind.OFFICER: "期限前办结的诉求 / 承办人为本人、办理期限在本月且已到期的诉求(合并的除外)",
        SubjectKind.CADRE: "期限前办结的诉求 / 所联系村(居)的户提出、办理期限在本月且已到期的诉求",
        SubjectKind.UNIT: "期限前办结的诉求 / 承办(未分流时为责任)单位是本单位、办理期限在本月且已到期的诉求",
    },
    Metric.LEDGER_ON_TIME: {
        SubjectKind.OFFICER: "期限当日或之前销号的事项 / 责任人为本人、兑现期限在本月且已过的台账事项",
        SubjectKind.CADRE: "期限当日或之前销号的事项 / 所联系村(居)的户、兑现期限在本月且已过的台账事项",
        SubjectKind.UNIT: "期限当日或之前销号的事项 / 责任单位是本单位、兑现期限在本月且已过的台账事项",
    },
    Metric.PAIRING: {
        SubjectKind.CADRE: "达标的周(每周联系)和月(每月走访) / 本月已判定的周和月(进行中的周、月不计)",
    },
    Metric.FALSE_VISITS: {
        SubjectKind.OFFICER: "回访核实为未走访(虚假走访)的本人走访,每次扣分",
        SubjectKind.CADRE: "所联系村(居)回访核实为虚假走访的走访,每次扣分",
        SubjectKind.UNIT: "本单位回访核实为虚假走访的走访,每次扣分",
    },
}

FORMULA = (
    "各比率指标得分 = 比率 × 权重 × 100 ÷ 本月有数据的比率指标权重之和;"
    "某项本月无分母(无数据)时不计入,其权重按比例分给其余指标,满分仍为100分。"
    "总分 = 各比率指标得分之和 − 虚假走访次数 × 每次扣分。"
    "访户率是排名的基础:有联系户而本月未走访的,访户率为0;本月没有要走访的户(访户率无数据)的,"
    "不计总分、不参与排名,其余指标照常列出供参考。"
    "年度得分为当年参与排名各月的平均:总分和各项得分取月平均,比率按全年分子、分母合计。"
)

# The bureau's default weights, created by the data migration from this table (ScoreWeight rows from then on).
DEFAULT_WEIGHTS = {
    SubjectKind.OFFICER: {
        Metric.VISIT_COVERAGE: 25,
        Metric.NIGHT_COMPLIANCE: 15,
        Metric.CALLBACK_CONFIRMED: 20,
        Metric.SATISFACTION: 15,
        Metric.MATTERS_ON_TIME: 15,
        Metric.LEDGER_ON_TIME: 10,
        Metric.FALSE_VISITS: 5,
    },
    SubjectKind.CADRE: {
        Metric.VISIT_COVERAGE: 20,
        Metric.CALLBACK_CONFIRMED: 15,
        Metric.SATISFACTION: 15,
        Metric.MATTERS_ON_TIME: 10,
        Metric.LEDGER_ON_TIME: 10,
        Metric.PAIRING: 30,
        Metric.FALSE_VISITS: 5,
    },
    SubjectKind.UNIT: {
        Metric.VISIT_COVERAGE: 25,
        Metric.NIGHT_COMPLIANCE: 15,
        Metric.CALLBACK_CONFIRMED: 15,
        Metric.SATISFACTION: 15,
        Metric.MATTERS_ON_TIME: 15,
        Metric.LEDGER_ON_TIME: 15,
        Metric.FALSE_VISITS: 2,
    },
}


# The month.


@dataclass(frozen=True)
class Window:
    """A month as counted on `today`: a plan, a deadline or an evening still to come is not judged yet."""

    start: date
    end: date  # the last day of the month
    today: date

    @property
    def judged_end(self) -> date:
        """The last day whose evening plans and ledger deadlines are over."""
        return min(self.end, self.today - timedelta(days=1))

    @property
    def links_on(self) -> date:
        """Whose households and villages: the links of the month's last day, or today's in the current month."""
        return min(self.end, self.today)

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_at(self) -> datetime:
        """The first moment after the month."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def month_window(month: date, today: date | None = None) -> Window:
    start = month.replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return Window(start, end, today or timezone.localdate())


def weights_for(month: date) -> dict[str, dict[str, ScoreWeight]]:
    """The weight in force in `month` for each kind and metric: the row with the latest start on or before it."""
    weights: dict[str, dict[str, ScoreWeight]] = defaultdict(dict)
    for weight in ScoreWeight.objects.filter(valid_from__lte=month).order_by("valid_from", "id"):
        weights[weight.subject_kind][weight.metric] = weight
    return weights


def weight_history() -> QuerySet[ScoreWeight]:
    return ScoreWeight.objects.select_related("created_by").order_by("subject_kind", "metric", "-valid_from")


# The base of each metric: the same rows for the job's counts and for the drill-down.


def month_visits(window: Window) -> QuerySet[Visit]:
    return Visit.objects.filter(
        household__isnull=False, visited_at__gte=window.starts_at, visited_at__lt=window.ends_at
    )


def judged_night_plans(window: Window) -> QuerySet[NightVisitPlan]:
    """Plans of the month whose evening is over, each with `kept`: as `visits.selectors.night_plans_of_week`
    judges it (a night visit by that officer in that village that evening, entered within the late-entry grace)."""
    kept = Visit.objects.filter(
        kind=Visit.Kind.NIGHT,
        visitor=OuterRef("officer"),
        village=OuterRef("village"),
        visited_at__date=OuterRef("date"),
        created_at__lte=F("visited_at") + timedelta(hours=settings.VISIT_LATE_ENTRY_HOURS),
    )
    return NightVisitPlan.objects.filter(date__gte=window.start, date__lte=window.judged_end).annotate(
        kept=Exists(kept)
    )


def answered_callbacks(window: Window) -> QuerySet[Callback]:
    """Callbacks made (reached and answered) of the month's visits and closings, by the day of the source."""
    return Callback.objects.filter(
        state=Callback.State.DONE, source_date__gte=window.start, source_date__lte=window.end
    )


SATISFIED = (Satisfaction.SATISFIED, Satisfaction.FAIRLY_SATISFIED)


def due_matters(window: Window) -> QuerySet[Matter]:
    """Matters whose deadline fell in the month and has passed, with `on_time` (closed by the deadline)."""
    until = min(window.ends_at, timezone.now())
    return (
        Matter.objects.exclude(state=Matter.State.MERGED)
        .filter(deadline__gte=window.starts_at, deadline__lt=until)
        .annotate(
            on_time=Q(state=Matter.State.CLOSED, closed_at__lte=F("deadline")),
            scored_unit=Coalesce("assigned_unit", "unit"),
        )
    )


def due_ledger_items(window: Window) -> QuerySet[LedgerItem]:
    """Ledger items whose deadline fell in the month and is over, with `on_time` (closed on or before it)."""
    return LedgerItem.objects.filter(deadline__gte=window.start, deadline__lte=window.judged_end).annotate(
        on_time=Q(state=LedgerItem.State.CLOSED, closed_at__date__lte=F("deadline"))
    )


# Counting the whole county for a month, grouped in SQL.


Counts = dict[str, dict[object, dict[str, list[int]]]]  # kind → subject key → metric → [numerator, denominator]


@dataclass
class Land:
    """The tree of units and the map of villages, read once: units roll up to the units above them."""

    unit_parent: dict[int, int | None]
    village_unit: dict[int, int]
    village_town: dict[int, int]
    town_villages: dict[int, list[int]]
    unit_town: dict[int, int] = field(default_factory=dict)

    def with_ancestors(self, unit_id: int | None) -> list[int]:
        chain = []
        while unit_id is not None and unit_id not in chain:
            chain.append(unit_id)
            unit_id = self.unit_parent.get(unit_id)
        return chain


def read_land() -> Land:
    unit_parent = dict(Unit.objects.values_list("pk", "parent_id"))
    village_unit, village_town, town_villages, unit_town = {}, {}, defaultdict(list), {}
    for pk, kind, parent_id, unit_id in Area.objects.values_list("pk", "kind", "parent_id", "unit_id"):
        if kind == Area.Kind.VILLAGE:
            village_unit[pk], village_town[pk] = unit_id, parent_id
            town_villages[parent_id].append(pk)
            unit_town.setdefault(unit_id, parent_id)
        else:
            unit_town.setdefault(unit_id, pk)
    return Land(unit_parent, village_unit, village_town, dict(town_villages), unit_town)


def scored_people(kind: str) -> dict[int, dict]:
    rows = User.objects.filter(role__in=SUBJECT_ROLES[kind], is_active=True).values("pk", "unit_id")
    return {row["pk"]: row for row in rows}


def cadre_villages(on: date, users=None) -> dict[int, set[int]]:
    """Each leader's and cadre's villages on a day: a cadre's linked villages, a leader's towns' villages."""
    land_towns = defaultdict(list)
    for pk, parent_id in Area.objects.filter(kind=Area.Kind.VILLAGE).values_list("pk", "parent_id"):
        land_towns[parent_id].append(pk)
    links = AreaLink.objects.active(on).filter(user__role__in=SUBJECT_ROLES[SubjectKind.CADRE])
    if users is not None:
        links = links.filter(user__in=users)
    villages: dict[int, set[int]] = defaultdict(set)
    for user_id, area_id, kind in links.values_list("user_id", "area_id", "area__kind"):
        villages[user_id].update(land_towns.get(area_id, []) if kind == Area.Kind.TOWN else [area_id])
    return villages


def _add(counts: dict, key, metric: str, numerator: int, denominator: int) -> None:
    pair = counts[key].setdefault(metric, [0, 0])
    pair[0] += numerator
    pair[1] += denominator


def _grouped(queryset: QuerySet, key: str, numerator: Q) -> list[tuple]:
    """(key, numerator, denominator) per group, in one query."""
    rows = queryset.order_by().values(key).annotate(den=Count("pk"), num=Count("pk", filter=numerator))
    return [(row[key], row["num"], row["den"]) for row in rows if row[key] is not None]


@dataclass
class MonthCounts:
    counts: Counts
    land: Land
    officers: dict[int, dict]
    cadres: dict[int, dict]
    villages_of: dict[int, set[int]]
    units: list[int]


def count_month(window: Window) -> MonthCounts:
    """Numerator and denominator of every metric for every officer, cadre and unit of the county: a fixed
    number of grouped queries (about twenty), never one per person or metric."""
    land = read_land()
    officers = scored_people(SubjectKind.OFFICER)
    cadres = scored_people(SubjectKind.CADRE)
    villages_of = cadre_villages(window.links_on, cadres)
    counts: Counts = {kind: defaultdict(dict) for kind in SubjectKind.values}
    by_village: dict[int, dict[str, list[int]]] = defaultdict(dict)

    def to_villages(metric, rows):
        for village, num, den in rows:
            _add(by_village, village, metric, num, den)

    def to_units(metric, rows):
        for unit, num, den in rows:
            for pk in land.with_ancestors(unit):
                _add(counts[SubjectKind.UNIT], pk, metric, num, den)

    def to_officers(metric, rows):
        for user, num, den in rows:
            if user in officers:
                _add(counts[SubjectKind.OFFICER], user, metric, num, den)

    # 访户率: an officer's own links and own visits; a village's households and anyone's visits.
    visited_by_officer = Exists(
        month_visits(window).filter(household=OuterRef("household"), visitor=OuterRef("officer"))
    )
    links = HouseholdLink.objects.active(window.links_on).filter(officer__in=officers).annotate(v=visited_by_officer)
    to_officers(Metric.VISIT_COVERAGE, _grouped(links, "officer", Q(v=True)))
    households = Household.objects.annotate(v=Exists(month_visits(window).filter(household=OuterRef("pk"))))
    village_rows = _grouped(households, "village", Q(v=True))
    to_villages(Metric.VISIT_COVERAGE, village_rows)
    to_units(Metric.VISIT_COVERAGE, [(land.village_unit.get(v), n, d) for v, n, d in village_rows])

    # 夜访守时率.
    plans = judged_night_plans(window)
    to_officers(Metric.NIGHT_COMPLIANCE, _grouped(plans, "officer", Q(kept=True)))
    to_units(Metric.NIGHT_COMPLIANCE, _grouped(plans, "officer__unit", Q(kept=True)))

    # 回访属实率, 满意率, 虚假走访: one pass per grouping.
    callbacks = answered_callbacks(window)
    checked = Q(source=Callback.Source.VISIT) & ~Q(visit_check="")
    for key, sink in (("worker", to_officers), ("village", to_villages), ("unit", to_units)):
        rows = (
            callbacks.order_by()
            .values(key)
            .annotate(
                checked=Count("pk", filter=checked),
                confirmed=Count("pk", filter=checked & Q(visit_check=Callback.VisitCheck.CONFIRMED)),
                denied=Count("pk", filter=checked & Q(visit_check=Callback.VisitCheck.DENIED)),
                answered=Count("pk", filter=~Q(satisfaction="")),
                satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
            )
        )
        rows = [row for row in rows if row[key] is not None]
        sink(Metric.CALLBACK_CONFIRMED, [(r[key], r["confirmed"], r["checked"]) for r in rows])
        sink(Metric.SATISFACTION, [(r[key], r["satisfied"], r["answered"]) for r in rows])
        sink(Metric.FALSE_VISITS, [(r[key], r["denied"], r["checked"]) for r in rows])

    # 诉求按时办结率.
    matters = due_matters(window)
    to_officers(Metric.MATTERS_ON_TIME, _grouped(matters, "assignee", Q(on_time=True)))
    to_villages(Metric.MATTERS_ON_TIME, _grouped(matters, "household__village", Q(on_time=True)))
    to_units(Metric.MATTERS_ON_TIME, _grouped(matters, "scored_unit", Q(on_time=True)))

    # 台账按时销号率.
    items = due_ledger_items(window)
    to_officers(Metric.LEDGER_ON_TIME, _grouped(items, "responsible", Q(on_time=True)))
    to_villages(Metric.LEDGER_ON_TIME, _grouped(items, "household__village", Q(on_time=True)))
    to_units(Metric.LEDGER_ON_TIME, _grouped(items, "unit", Q(on_time=True)))

    # A cadre's figures are their villages' sums.
    for user, villages in villages_of.items():
        for village in villages:
            for metric, (num, den) in by_village.get(village, {}).items():
                _add(counts[SubjectKind.CADRE], user, metric, num, den)

    # 结对履职率: the pairing duty as ledger/selectors/pairing.py judges it (two grouped queries per duty).
    for user, (met, judged) in pairing_counts(window, cadres).items():
        _add(counts[SubjectKind.CADRE], user, Metric.PAIRING, met, judged)
    units = list(Unit.objects.filter(kind__in=SCORED_UNIT_KINDS).values_list("pk", flat=True))
    return MonthCounts(counts, land, officers, cadres, villages_of, units)


def pairing_counts(window: Window, users) -> dict[int, tuple[int, int]]:
    """Per leader or cadre: the weeks (starting in the month) and the month judged met, over those judged met or
    missed. A week or month still running is neither."""
    month = Period("month", window.start, window.end)
    pairings = list(pairings_in_period(PairingLink.objects.filter(user__in=users), month))
    result: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for duty in ("week", "month"):
        for compliance in pairing_compliance(pairings=pairings, period=month, duty=duty, today=window.today):
            judged = compliance.duties[0]
            result[compliance.pairing.user_id][0] += judged.met
            result[compliance.pairing.user_id][1] += judged.met + judged.missed
    return {user: (met, judged) for user, (met, judged) in result.items()}


# Reading scores: who sees which.


def scores_visible_to(user: User) -> QuerySet[Score]:
    """The evaluation centre and the bureau's leaders: every score. A unit head: their unit's officers and their
    unit and the units under it. Anyone scored: their own."""
    scores = Score.objects.all()
    if not user.is_authenticated or not user.is_active:
        return scores.none()
    if can.sees_all_scores(user):
        county = county_units(user)
        return scores.filter(Q(user__unit__in=county) | Q(unit__in=county))
    scope = Q(pk__in=[])
    if can.may_head_unit(user):
        units = unit_subtree(user.unit)
        scope |= Q(subject_kind=SubjectKind.OFFICER, user__unit__in=units)
        scope |= Q(subject_kind=SubjectKind.UNIT, unit__in=units)
    if can.may_read_own_score(user):
        scope |= Q(user=user)
    return scores.filter(scope)


def ranking(*, viewer: User, period: str, start: date, kind: str) -> QuerySet[Score]:
    return (
        scores_visible_to(viewer)
        .filter(period=period, period_start=start, subject_kind=kind)
        .select_related("user__unit", "unit", "town")
        .prefetch_related("components")
        .order_by(F("rank").asc(nulls_last=True), "id")
    )


def definitions_for(kind: str, weights: dict[str, ScoreWeight]) -> list[dict]:
    """The formula table the page shows: each metric with its definition and the weight in force."""
    return [
        {
            "metric": Metric(metric).label,
            "definition": DEFINITIONS[metric][kind],
            "weight": weights[metric].weight if metric in weights else None,
            "penalty": metric in PENALTY_METRICS,
        }
        for metric in METRICS_OF[kind]
    ]


# The drill-down: the records behind a component, for one subject, as far as the viewer may see them.


@dataclass
class Records:
    kind: str  # households, plans, callbacks, matters, ledger_items, periods
    title: str
    rows: object  # a queryset, or a list for pairing periods


def _subject_filters(score: Score, window: Window) -> dict:
    """The filter each metric's base takes for this subject."""
    if score.subject_kind == SubjectKind.OFFICER:
        user = score.user_id
        return {
            "plans": Q(officer=user),
            "callbacks": Q(worker=user),
            "matters": Q(assignee=user),
            "items": Q(responsible=user),
        }
    if score.subject_kind == SubjectKind.CADRE:
        villages = cadre_villages(window.links_on, [score.user_id]).get(score.user_id, set())
        return {
            "villages": villages,
            "callbacks": Q(village__in=villages),
            "matters": Q(household__village__in=villages),
            "items": Q(household__village__in=villages),
        }
    units = list(unit_subtree(score.unit).values_list("pk", flat=True))
    return {
        "units": units,
        "plans": Q(officer__unit__in=units),
        "callbacks": Q(unit__in=units),
        "matters": Q(scored_unit__in=units),
        "items": Q(unit__in=units),
    }


def component_records(*, score: Score, metric: str, viewer: User, today: date | None = None) -> Records:
    """The records a component counted for the subject, misses first. Records of residents go through the
    viewer's own scopes: a leader linked to one town sees the names of that town's households only."""
    window = month_window(score.period_start, today)
    subject = _subject_filters(score, window)
    if metric == Metric.VISIT_COVERAGE:
        visits = month_visits(window)
        if score.subject_kind == SubjectKind.OFFICER:
            households = Household.objects.filter(
                pk__in=HouseholdLink.objects.active(window.links_on).filter(officer=score.user_id).values("household")
            ).exclude(pk__in=visits.filter(visitor=score.user_id).values("household"))
        else:
            villages = subject.get("villages")
            area = Q(village__in=villages) if villages is not None else Q(village__unit__in=subject["units"])
            households = Household.objects.filter(area).exclude(pk__in=visits.values("household"))
        rows = (
            households.filter(pk__in=households_visible_to(viewer).values("pk"))
            .select_related("village__parent")
            .order_by("village__code", "pk")
        )
        # An officer's own visits count: a household someone else visited this month is listed, with that
        # visit's date, so the title says whose visits are missing.
        title = "本月本人未走访的联系户" if score.subject_kind == SubjectKind.OFFICER else "本月未走访的户"
        return Records("households", title, rows)
    if metric == Metric.NIGHT_COMPLIANCE:
        rows = (
            judged_night_plans(window)
            .filter(subject["plans"])
            .select_related("officer", "village__parent")
            .order_by("kept", "date", "pk")
        )
        return Records("plans", "夜访安排(未按时完成的在前)", rows)
    if metric == Metric.PAIRING:
        return Records("periods", "结对履职:各周联系、当月走访", _pairing_periods(score, window))
    if metric in (Metric.CALLBACK_CONFIRMED, Metric.SATISFACTION, Metric.FALSE_VISITS):
        callbacks = answered_callbacks(window).filter(subject["callbacks"])
        callbacks = callbacks.filter(Q(household__isnull=True) | Q(household__in=households_visible_to(viewer)))
        callbacks = callbacks.select_related("household", "visit__organisation", "matter", "ledger_item", "worker")
        if metric == Metric.SATISFACTION:
            return Records(
                "callbacks",
                "答复了满意度的回访(不满意的在前)",
                callbacks.exclude(satisfaction="")
                .annotate(unhappy=Q(satisfaction=Satisfaction.NOT_SATISFIED))
                .order_by("-unhappy", "source_date", "pk"),
            )
        checked = callbacks.filter(source=Callback.Source.VISIT).exclude(visit_check="")
        if metric == Metric.FALSE_VISITS:
            return Records(
                "callbacks",
                "虚假走访(回访核实未走访)",
                checked.filter(visit_check=Callback.VisitCheck.DENIED).order_by("source_date", "pk"),
            )
        # "confirmed" sorts before "denied": the false visits are put first by a flag, not by the code.
        false_first = checked.annotate(false_visit=Q(visit_check=Callback.VisitCheck.DENIED))
        return Records(
            "callbacks", "已核实的家访(虚假走访在前)", false_first.order_by("-false_visit", "source_date", "pk")
        )
    if metric == Metric.MATTERS_ON_TIME:
        rows = (
            due_matters(window)
            .filter(subject["matters"])
            .filter(pk__in=matters_visible_to(viewer).values("pk"))
            .select_related("household", "assignee", "assigned_unit", "unit")
            .order_by("on_time", "deadline", "pk")
        )
        return Records("matters", "到期的诉求(未按时办结的在前)", rows)
    rows = (
        due_ledger_items(window)
        .filter(subject["items"])
        .filter(pk__in=ledger_items_visible_to(viewer).values("pk"))
        .select_related("household", "responsible", "unit")
        .order_by("on_time", "deadline", "pk")
    )
    return Records("ledger_items", "到期的台账事项(未按时销号的在前)", rows)


@dataclass(frozen=True)
class PeriodRow:
    label: str
    duty: str
    count: int
    required: int
    status: str  # met, missed, open


def _pairing_periods(score: Score, window: Window) -> list[PeriodRow]:
    """Each week starting in the month and the month itself, judged for the subject's pair."""
    month = Period("month", window.start, window.end)
    pairings = list(pairings_in_period(PairingLink.objects.filter(user=score.user_id), month))
    rows = []
    for duty in ("week", "month"):
        for kind_period in _periods_of(duty, month):
            for compliance in pairing_compliance(pairings=pairings, period=kind_period, today=window.today):
                judged = compliance.duties[0]
                if not judged.due:
                    continue
                status = "missed" if judged.missed else ("open" if judged.open else "met")
                rows.append(PeriodRow(kind_period.label, judged.label, judged.count, judged.required, status))
    return rows


def _periods_of(duty: str, month: Period) -> list[Period]:
    if duty == "month":
        return [month]
    first = month.start + timedelta(days=-month.start.weekday() % 7)
    weeks = []
    while first <= month.end:
        weeks.append(period_of("week", first))
        first += timedelta(weeks=1)
    return weeks


def component_of(score: Score, metric: str) -> ScoreComponent | None:
    return next((c for c in score.components.all() if c.metric == metric), None)


def get_score_for_user(user: User, pk: int) -> Score:
    """A score the user may see, or 404: another unit's officer's score cannot be confirmed to exist."""
    try:
        return scores_visible_to(user).select_related("user__unit", "unit", "town").get(pk=pk)
    except Score.DoesNotExist:
        raise Http404("没有找到该考核得分,或您无权查看。") from None


def months_of_subject(score: Score) -> QuerySet[Score]:
    """The monthly scores behind an annual one: the months the subject was ranked."""
    subject = {"unit": score.unit_id} if score.subject_kind == SubjectKind.UNIT else {"user": score.user_id}
    return Score.objects.filter(
        rank__isnull=False,
        period=Score.Period.MONTH,
        period_start__year=score.period_start.year,
        subject_kind=score.subject_kind,
        **subject,
    ).order_by("period_start")
