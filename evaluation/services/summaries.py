"""Rebuilding the summary tables (evaluation/models/summaries.py) from the source tables.

A refresh deletes the rows of its days (and village or unit) and inserts them again from a dozen GROUP BY
queries over the sources, all in one transaction: run twice, it writes the same rows. The same queries serve one
day (the daily job, the hourly refresh of today), one village and day (a late or corrected visit), and a range of
days (a backfill, the demo): the day is a column of the GROUP BY, so a range costs the same number of queries as
a day.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Least, TruncDate, TruncMonth
from django.utils import timezone

from evaluation.models import (
    Callback,
    CallbackAttempt,
    Satisfaction,
    UnitDaySummary,
    VillageDaySummary,
    VillageMonthSummary,
)
from evaluation.models.summaries import COUNT_FIELDS, RUN_MONTHS, first_visits_field
from feedback.models import Category, Matter
from feedback.workflows import MATTER_FLOW
from jingshi_jiafang.core.dates import add_months, midnight
from jingshi_jiafang.core.models import Area, Unit
from jingshi_jiafang.core.selectors import town_of_unit
from ledger.models import LedgerItem
from ledger.workflows import LEDGER_FLOW
from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit

SUMS = {name: Sum(name) for name in COUNT_FIELDS}
TOWN = Area.Kind.TOWN

# Ledger items that were a resident's problem brought through a matter, a card, the talk room or a topic visit:
# closing one is a complex problem solved (see the module docstring of the models).
PROBLEM_SOURCES = (
    LedgerItem.Source.MATTER,
    LedgerItem.Source.ECHO_CARD,
    LedgerItem.Source.TALK_ROOM,
    LedgerItem.Source.TOPIC_VISIT,
)
# More (day, village, unit) to rebuild after one transaction than this, and one range refresh is cheaper.
BATCH_AS_RANGE = 20
MATTER_TOPIC_FIELDS = {
    Category.PUBLIC_SECURITY: "matters_public_security",
    Category.LAW_ENFORCEMENT: "matters_law_enforcement",
    Category.FORCE_CONDUCT: "matters_force_conduct",
    Category.LITIGATION: "matters_litigation",
    Category.OTHER: "matters_other",
}


@dataclass(frozen=True)
class _Source:
    """One GROUP BY: rows of a source table in the days, the day each counts on, where it counts, what."""

    rows: models.QuerySet
    day: object  # an expression or a field name giving the local date
    village: str  # path to the village (Area) id
    unit: str  # path to the unit id
    counts: dict
    # A value computed per row that the rows are grouped by as well, and what a group's counts add to the columns:
    # computed once in the GROUP BY instead of once in each column's FILTER, where SQL would repeat it.
    bucket: object = None
    spread: Callable[[int, dict], dict] | None = None


def _first_visits(months_since_previous: int, counts: dict) -> dict:
    """A household last visited `months_since_previous` calendar months before this visit (RUN_MONTHS or more,
    or never) is visited for the first time in each run of up to that many months ending with this one."""
    households = counts["households"]
    return {first_visits_field(n): households for n in range(1, months_since_previous + 1)}


def _month_number(moment: str):
    """The local month of a time as one number, so that months subtract across a new year."""
    return ExtractYear(TruncDate(moment)) * 12 + ExtractMonth(TruncDate(moment))


def _visit_sources(lo: datetime, hi: datetime) -> list[_Source]:
    visits = Visit.objects.filter(visited_at__gte=lo, visited_at__lt=hi)
    # The method's figures are about households: an organisation's visit is counted apart, never as a 昼访.
    kind_counts = {
        f"visits_{kind}": Count("pk", filter=Q(household__isnull=False, kind=getattr(Visit.Kind, kind.upper())))
        for kind in ("day", "night", "topic", "pairing")
    }
    kind_counts["visits_organisation"] = Count("pk", filter=Q(organisation__isnull=False))
    # How many calendar months lie between this visit and the household's one before it: 0 in the same month,
    # RUN_MONTHS for a year or more, or none. Local dates on both sides, so the comparison is the same in SQLite and
    # PostgreSQL whatever the session time zone; the subquery gives a month number so that SQL holds it once.
    previous = Visit.objects.filter(household=OuterRef("household"), visited_at__lt=OuterRef("visited_at"))
    previous_month = previous.order_by("-visited_at").values(month=_month_number("visited_at"))[:1]
    months_between = _month_number("visited_at") - Subquery(previous_month)
    months_since_previous = Least(Coalesce(months_between, RUN_MONTHS), RUN_MONTHS)
    return [
        _Source(
            visits,
            TruncDate("visited_at"),
            "village",
            "unit",
            {**kind_counts, "households_visited": Count("household", distinct=True)},
        ),
        _Source(
            visits.filter(household__isnull=False),
            TruncDate("visited_at"),
            "village",
            "unit",
            {"households": Count("household", distinct=True)},
            bucket=months_since_previous,
            spread=_first_visits,
        ),
        _Source(
            RegistrationCorrection.objects.filter(visit__visited_at__gte=lo, visit__visited_at__lt=hi),
            TruncDate("visit__visited_at"),
            "visit__village",
            "visit__unit",
            {"corrections": Count("pk")},
        ),
        _Source(
            Finding.objects.filter(visit__visited_at__gte=lo, visit__visited_at__lt=hi),
            TruncDate("visit__visited_at"),
            "visit__village",
            "visit__unit",
            {
                "disputes_found": Count("pk", filter=Q(kind=Finding.Kind.DISPUTE)),
                "disputes_mediated": Count("pk", filter=Q(kind=Finding.Kind.DISPUTE, mediated_on_spot=True)),
                "problems_solved_on_visit": Count("pk", filter=Q(kind=Finding.Kind.PROBLEM_SOLVED)),
                "stability_info": Count("pk", filter=Q(kind=Finding.Kind.STABILITY)),
                "case_clues": Count("pk", filter=Q(kind=Finding.Kind.CASE_CLUE)),
            },
        ),
    ]


def _night_source(start: date, end: date) -> _Source:
    # Kept as the night-visit compliance page reads it (visits.selectors.night_plans_of_week): a night visit by
    # that officer in that village that evening, entered within the late-entry grace.
    kept = Visit.objects.filter(
        kind=Visit.Kind.NIGHT,
        visitor=OuterRef("officer"),
        village=OuterRef("village"),
        visited_at__date=OuterRef("date"),
        created_at__lte=F("visited_at") + timedelta(hours=settings.VISIT_LATE_ENTRY_HOURS),
    )
    plans = NightVisitPlan.objects.filter(date__range=(start, end)).annotate(kept=Exists(kept))
    return _Source(
        plans,
        F("date"),
        "village",
        "unit",
        {
            "night_plans": Count("pk"),
            "night_kept": Count("pk", filter=Q(kept=True)),
            # An evening not yet past is neither kept nor missed: the refresh of the next morning decides.
            "night_missed": Count("pk", filter=Q(kept=False, date__lt=timezone.localdate())),
        },
    )


def _matter_sources(lo: datetime, hi: datetime) -> list[_Source]:
    topic_counts = {field: Count("pk", filter=Q(category=category)) for category, field in MATTER_TOPIC_FIELDS.items()}
    on_time = Q(matter__deadline__isnull=True) | Q(at__lte=F("matter__deadline"))
    return [
        _Source(
            Matter.objects.filter(created_at__gte=lo, created_at__lt=hi).exclude(state=Matter.State.MERGED),
            TruncDate("created_at"),
            "household__village",
            "unit",
            {
                "matters_received": Count("pk"),
                **topic_counts,
                "matters_unclassified": Count("pk", filter=Q(category="")),
            },
        ),
        _Source(
            MATTER_FLOW.moves_into(Matter.State.CLOSED).filter(at__gte=lo, at__lt=hi),
            TruncDate("at"),
            "matter__household__village",
            "matter__unit",
            {
                "matters_closed_on_time": Count("pk", filter=on_time),
                "matters_closed_late": Count("pk", filter=~on_time),
            },
        ),
    ]


def _callback_sources(start: date, end: date, lo: datetime, hi: datetime) -> list[_Source]:
    Check = Callback.VisitCheck
    return [
        _Source(
            CallbackAttempt.objects.filter(call_date__range=(start, end)),
            F("call_date"),
            "callback__village",
            "callback__unit",
            {
                "callbacks_made": Count("pk"),
                "callbacks_reached": Count("pk", filter=Q(reached=True)),
                "callbacks_given_up": Count("pk", filter=Q(gave_up=True)),
            },
        ),
        _Source(
            Callback.objects.filter(state=Callback.State.DONE, done_at__gte=lo, done_at__lt=hi),
            TruncDate("done_at"),
            "village",
            "unit",
            {
                "callbacks_confirmed": Count("pk", filter=Q(visit_check=Check.CONFIRMED)),
                "callbacks_denied": Count("pk", filter=Q(visit_check=Check.DENIED)),
                # The columns are named as the answers are stored.
                **{answer.value: Count("pk", filter=Q(satisfaction=answer)) for answer in Satisfaction},
            },
        ),
    ]


def _ledger_source(lo: datetime, hi: datetime) -> _Source:
    on_time = Q(at__date__lte=F("item__deadline"))
    return _Source(
        LEDGER_FLOW.moves_into(LedgerItem.State.CLOSED).filter(at__gte=lo, at__lt=hi),
        TruncDate("at"),
        "item__household__village",
        "item__unit",
        {
            "ledger_closed_on_time": Count("pk", filter=on_time),
            "ledger_closed_late": Count("pk", filter=~on_time),
            "problems_solved_in_ledger": Count("pk", filter=Q(item__source__in=PROBLEM_SOURCES)),
        },
    )


def _sources(start: date, end: date) -> list[_Source]:
    lo, hi = midnight(start), midnight(end + timedelta(days=1))
    return [
        *_visit_sources(lo, hi),
        _night_source(start, end),
        *_matter_sources(lo, hi),
        *_callback_sources(start, end, lo, hi),
        _ledger_source(lo, hi),
    ]


def _counted(start: date, end: date, dimension: str, only: int | None) -> dict[tuple[date, int], dict]:
    """(day, village or unit id) → counts, from one grouped query per source. By village, what has no village (a
    talk-room walk-in's matter, its callbacks and ledger items) counts in a row of its unit's town, the town
    standing in its `village` column: a town's and the county's figures hold them, as the monthly report does."""
    rows: dict[tuple[date, int], dict] = defaultdict(dict)
    town_only = only is not None and dimension == "village" and Area.objects.filter(pk=only, kind=TOWN).exists()
    towns = town_of_unit() if dimension == "village" and (only is None or town_only) else {}
    if town_only:
        towns = {unit: town for unit, town in towns.items() if town == only}
    for source in _sources(start, end):
        path = getattr(source, dimension)
        if not town_only:
            queryset = source.rows.filter(**{f"{path}__isnull": False})
            _count(rows, source, queryset if only is None else queryset.filter(**{path: only}), path)
        if towns:
            unplaced = source.rows.filter(**{f"{source.village}__isnull": True, f"{source.unit}__in": list(towns)})
            _count(rows, source, unplaced, source.unit, key=towns.__getitem__)
    return rows


def _count(rows: dict, source: _Source, queryset, path: str, key: Callable[[int], int] = lambda pk: pk) -> None:
    """Add the source's counts of `queryset`, grouped by day and `path` (each value made a row's key by `key`)."""
    grouping = {"summary_day": source.day, "summary_key": F(path)}
    if source.bucket is None:
        for row in queryset.values(**grouping).annotate(**source.counts).order_by():
            counts = rows[(row.pop("summary_day"), key(row.pop("summary_key")))]
            for name, value in row.items():
                counts[name] = counts.get(name, 0) + value
        return
    grouped = queryset.values(**grouping, summary_bucket=source.bucket).annotate(**source.counts).order_by()
    for row in grouped:
        counts = rows[(row.pop("summary_day"), key(row.pop("summary_key")))]
        for name, value in source.spread(row.pop("summary_bucket"), row).items():
            counts[name] = counts.get(name, 0) + value


def _rebuild(model, dimension: str, start: date, end: date, only: int | None) -> int:
    """Make the rows of `model` for the days (and the one village or unit) what the sources say, writing only
    the rows that differ: run twice, the second run writes nothing. Returns the number of rows written."""
    counted = {key: counts for key, counts in _counted(start, end, dimension, only).items() if any(counts.values())}
    key_field = f"{dimension}_id"
    existing = model.objects.filter(day__range=(start, end))
    if only is not None:
        existing = existing.filter(**{key_field: only})
    extra = ["town_id"] if model is VillageDaySummary else []
    towns = {}
    if extra:
        towns = _towns_of({key for _, key in counted})
    wanted = {
        key: {**dict.fromkeys(COUNT_FIELDS, 0), **counts, **({"town_id": towns[key[1]]} if extra else {})}
        for key, counts in counted.items()
    }
    to_update, stale = [], []
    for row in existing.values("pk", "day", key_field, *extra, *COUNT_FIELDS):
        key = (row.pop("day"), row.pop(key_field))
        pk = row.pop("pk")
        values = wanted.pop(key, None)
        if values is None:
            stale.append(pk)
        elif values != row:
            to_update.append(model(pk=pk, day=key[0], **{key_field: key[1]}, **values))
    to_create = [model(day=day, **{key_field: key}, **values) for (day, key), values in sorted(wanted.items())]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    model.objects.bulk_update(to_update, [*extra, *COUNT_FIELDS], batch_size=500)
    model.objects.bulk_create(to_create, batch_size=1000)
    return len(stale) + len(to_update) + len(to_create)


def _towns_of(areas: set[int]) -> dict[int, int]:
    """Each summary row's town: a village's parent; a town's row of what has no village is its own."""
    return {pk: parent or pk for pk, parent in Area.objects.filter(pk__in=areas).values_list("pk", "parent_id")}


def _rebuild_villages(start: date, end: date, village: int | None = None) -> int:
    return _rebuild(VillageDaySummary, "village", start, end, village)


def _rebuild_village_months(start: date, end: date, village: int | None = None) -> None:
    """The month rows of the months from `start` to `end`, summed again from their day rows just rebuilt."""
    first, last = start.replace(day=1), add_months(end.replace(day=1), 1) - timedelta(days=1)
    days = VillageDaySummary.objects.filter(day__range=(first, last))
    months = VillageMonthSummary.objects.filter(month__range=(first, last))
    if village is not None:
        days, months = days.filter(village=village), months.filter(village=village)
    month = TruncMonth("day", output_field=models.DateField())
    rows = list(days.annotate(month=month).values("month", "village").annotate(**SUMS).order_by())
    towns = _towns_of({row["village"] for row in rows})
    months.delete()
    VillageMonthSummary.objects.bulk_create(
        (
            VillageMonthSummary(
                month=row.pop("month"), town_id=towns[row["village"]], village_id=row.pop("village"), **row
            )
            for row in rows
        ),
        batch_size=1000,
    )


def _rebuild_units(start: date, end: date, unit: int | None = None) -> int:
    return _rebuild(UnitDaySummary, "unit", start, end, unit)


@dataclass(frozen=True)
class RefreshResult:
    start: date
    end: date
    # Rows written (inserted, changed or deleted): 0 when the tables were already right.
    village_rows: int
    unit_rows: int


def summaries_refresh_range(*, start: date, end: date) -> RefreshResult:
    """Rebuild every village's and unit's rows of the days from `start` to `end` (both included)."""
    if start > end:
        raise ValueError("start must not be after end")
    with transaction.atomic():
        villages = _rebuild_villages(start, end)
        _rebuild_village_months(start, end)
        units = _rebuild_units(start, end)
    return RefreshResult(start, end, villages, units)


def summaries_refresh(*, day: date) -> RefreshResult:
    """Rebuild one day: the daily job for yesterday, the hourly refresh of today, the command for a date."""
    return summaries_refresh_range(start=day, end=day)


def summaries_refresh_for(day: date, village: Area | int | None, unit: Unit | int | None = None) -> None:
    """Rebuild the rows of one day of one village (and unit) after an old record of it was entered or corrected;
    of the unit's town, for a record with no village."""
    village_id = village.pk if isinstance(village, Area) else village
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    if village_id is None and unit_id is not None:
        village_id = town_of_unit().get(unit_id)
    with transaction.atomic():
        if village_id is not None:
            _rebuild_villages(day, day, village_id)
            _rebuild_village_months(day, day, village_id)
        if unit_id is not None:
            _rebuild_units(day, day, unit_id)


def summaries_refresh_many(keys: Iterable[tuple[date, int | None, int | None]]) -> None:
    """Rebuild a batch of (day, village, unit) after a transaction that touched them; a large batch (a bulk
    import of history) is rebuilt as a range of days instead, in the same dozen queries."""
    keys = set(keys)
    if len(keys) > BATCH_AS_RANGE:
        days = [day for day, _, _ in keys]
        summaries_refresh_range(start=min(days), end=max(days))
        return
    for day, village, unit in sorted(keys, key=lambda key: (key[0], key[1] or 0, key[2] or 0)):
        summaries_refresh_for(day, village, unit)
