"""The figures of a daily review (每日研判), all counted and grouped in the database: a fixed number of queries
whatever the size of the county, each returning at most one row per unit, kind, topic or named person.

What each figure means (the notice page shows these rules too):

- visits: visits that took place that day (local time), by the visitor's unit and by kind.
- night plans: that evening's plans, kept when the officer logged a night visit there in time
  (`visits.selectors.night_plans_on`); the day is over when it is built, so every plan not kept was missed.
  A plan counts for the officer's unit (the unit that planned it when the officer has none).
- callbacks: the calls made that day (`CallbackAttempt.call_date`), reached or not, and given up; the results
  (属实 / 虚假走访 / satisfaction) of the calls that reached the household. A false visit (虚假走访) names the
  officer whose visit the household denied, their unit and the village.
- matters received: matters registered that day by topic (`Matter.category`; not yet classified: 未分类).
- overdue at the end of the day: matters open at midnight and past their deadline (the responsible unit is the
  one handling it, else the one it was reported to), and ledger items not closed at midnight whose deadline had
  passed that day (as the ledger showed them that day).
- rising topics: a topic is rising when the day's matters of it are at least `RISING_MIN_MATTERS` and at least
  `RISING_FACTOR` times its daily average over the previous `RISING_WINDOW_DAYS` days.
- units praised (表扬) and criticised (通报批评): see `rank_units`.
"""

from datetime import date, datetime, timedelta

from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from evaluation.models import Callback, CallbackAttempt, DailyReview, Satisfaction
from feedback.models import Category, Matter
from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.models import Unit
from ledger.models import LedgerItem
from visits.models import Visit
from visits.selectors import night_plans_on

RISING_WINDOW_DAYS = 28
RISING_FACTOR = 2
RISING_MIN_MATTERS = 3
# 表扬: a unit is judged on at least this many households reached by callback that day.
PRAISE_MIN_REACHED = 3
PRAISE_LIMIT = 5
UNCLASSIFIED = "未分类"

RULES = {
    "rising": (
        f"当日某类诉求不少于 {RISING_MIN_MATTERS} 件，且不少于前 {RISING_WINDOW_DAYS} 天日均数的 {RISING_FACTOR} 倍"
    ),
    "praise": (
        f"当日回访联系上不少于 {PRAISE_MIN_REACHED} 户且不在通报批评之列的单位，"
        f"按满意率（满意占作答户数）、回访户数、夜访完成数、走访数排序，取前 {PRAISE_LIMIT} 名"
    ),
    "criticism": "当日有虚假走访、夜访缺勤、回访不满意，或日终有超期诉求、超期台账事项的单位，"
    "按虚假走访、夜访缺勤、不满意、超期件数依次排序",
    "overdue": "日终（24时）仍未办结且已过办理期限的诉求；日终仍未销号且兑现期限已过的台账事项",
}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Local midnight to midnight: the day of a visit is its local date."""
    start = midnight(day)
    return start, midnight(day + timedelta(days=1))


def _unit_row(units: dict, unit_id: int, name: str) -> dict:
    return units.setdefault(
        unit_id,
        {
            "id": unit_id,
            "name": name,
            "visits": 0,
            "visits_by_kind": {},
            "night_planned": 0,
            "night_kept": 0,
            "night_missed": 0,
            "callbacks_reached": 0,
            "confirmed": 0,
            "denied": 0,
            "satisfied": 0,
            "fairly_satisfied": 0,
            "not_satisfied": 0,
            "overdue_matters": 0,
            "overdue_items": 0,
        },
    )


# A visit to an organisation (单位走访) is listed as a kind of its own beside the 家访 kinds, and is not in the
# visit totals, which are the method's visits to households.
ORGANISATION_KIND = ("organisation", "单位走访")


def _visits(day: date, units: dict) -> dict:
    start, end = day_bounds(day)
    kind = Case(
        When(organisation__isnull=False, then=Value(ORGANISATION_KIND[0])), default=F("kind"), output_field=CharField()
    )
    rows = (
        Visit.objects.filter(visited_at__gte=start, visited_at__lt=end)
        .annotate(notice_kind=kind)
        .values("unit", "unit__name", "notice_kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_kind = {kind: 0 for kind in [*Visit.Kind.values, ORGANISATION_KIND[0]]}
    for row in rows:
        unit = _unit_row(units, row["unit"], row["unit__name"])
        if row["notice_kind"] != ORGANISATION_KIND[0]:
            unit["visits"] += row["count"]
        unit["visits_by_kind"][row["notice_kind"]] = row["count"]
        by_kind[row["notice_kind"]] += row["count"]
    total = sum(count for kind, count in by_kind.items() if kind != ORGANISATION_KIND[0])
    return {"total": total, "by_kind": by_kind}


def _night_plans(day: date, units: dict) -> dict:
    plans = night_plans_on(units=Unit.objects.all(), day=day).select_related(None).order_by()
    rows = plans.values(
        responsible_unit=Coalesce("officer__unit", "unit"), unit_name=Coalesce("officer__unit__name", "unit__name")
    ).annotate(planned=Count("pk"), kept_count=Count("pk", filter=Q(kept=True)))
    planned = kept = 0
    for row in rows:
        unit = _unit_row(units, row["responsible_unit"], row["unit_name"])
        unit["night_planned"] += row["planned"]
        unit["night_kept"] += row["kept_count"]
        unit["night_missed"] += row["planned"] - row["kept_count"]
        planned += row["planned"]
        kept += row["kept_count"]
    missed = (
        plans.filter(kept=False)
        .values(
            "officer__name",
            "officer__username",
            "village__name",
            "village__parent__name",
            unit_name=Coalesce("officer__unit__name", "unit__name"),
        )
        .order_by("unit_name", "officer__name", "officer__username")
    )
    return {
        "planned": planned,
        "kept": kept,
        "missed": planned - kept,
        "missed_list": [
            {
                "officer": row["officer__name"] or row["officer__username"],
                "unit": row["unit_name"],
                "village": f"{row['village__parent__name'] or ''}{row['village__name']}",
            }
            for row in missed
        ],
    }


CALLBACK_FIGURES = ("made", "reached", "given_up", "confirmed", "denied", *Satisfaction.values)


def _callback_counts() -> dict:
    """Counts over the day's calls, named `n_<figure>` (an aggregate may not take a field's name)."""
    reached = Q(reached=True)
    return {
        "n_made": Count("pk"),
        "n_reached": Count("pk", filter=reached),
        "n_given_up": Count("pk", filter=Q(gave_up=True)),
        "n_confirmed": Count("pk", filter=reached & Q(callback__visit_check=Callback.VisitCheck.CONFIRMED)),
        "n_denied": Count("pk", filter=reached & Q(callback__visit_check=Callback.VisitCheck.DENIED)),
        **{
            f"n_{choice}": Count("pk", filter=reached & Q(callback__satisfaction=choice))
            for choice in Satisfaction.values
        },
    }


def _callbacks(day: date, units: dict) -> dict:
    attempts = CallbackAttempt.objects.filter(call_date=day)
    counted = attempts.aggregate(**_callback_counts())
    totals = {figure: counted[f"n_{figure}"] for figure in CALLBACK_FIGURES}
    rows = attempts.values("callback__unit", "callback__unit__name").annotate(**_callback_counts()).order_by()
    for row in rows:
        unit = _unit_row(units, row["callback__unit"], row["callback__unit__name"])
        unit["callbacks_reached"] += row["n_reached"]
        for figure in ("confirmed", "denied", *Satisfaction.values):
            unit[figure] += row[f"n_{figure}"]
    false_visits = (
        attempts.filter(reached=True, callback__visit_check=Callback.VisitCheck.DENIED)
        .values(
            "callback__worker__name",
            "callback__worker__username",
            "callback__unit__name",
            "callback__village__name",
            "callback__source_date",
        )
        .order_by("callback__unit__name", "callback__worker__name", "callback__source_date")
    )
    totals["not_reached"] = totals["made"] - totals["reached"]
    totals["false_visits"] = [
        {
            "officer": row["callback__worker__name"] or row["callback__worker__username"] or "—",
            "unit": row["callback__unit__name"],
            "village": row["callback__village__name"] or "—",
            "visit_date": row["callback__source_date"].isoformat(),
        }
        for row in false_visits
    ]
    return totals


def _matters_received(day: date) -> dict:
    start, end = day_bounds(day)
    rows = (
        Matter.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("category")
        .annotate(count=Count("pk"))
        .order_by()
    )
    labels = dict(Category.choices)
    by_topic = sorted(
        (
            {"category": row["category"], "label": labels.get(row["category"], UNCLASSIFIED), "count": row["count"]}
            for row in rows
        ),
        key=lambda topic: (-topic["count"], topic["label"]),
    )
    return {"total": sum(topic["count"] for topic in by_topic), "by_topic": by_topic}


def _overdue(day: date, units: dict) -> dict:
    _, end = day_bounds(day)
    open_at_midnight = Q(closed_at__isnull=True) | Q(closed_at__gte=end)
    matters = (
        Matter.objects.filter(open_at_midnight, created_at__lt=end, deadline__lt=end)
        .exclude(state=Matter.State.MERGED)
        .values(
            responsible_unit=Coalesce("assigned_unit", "unit"), unit_name=Coalesce("assigned_unit__name", "unit__name")
        )
        .annotate(count=Count("pk"))
        .order_by()
    )
    items = (
        LedgerItem.objects.filter(open_at_midnight, created_at__lt=end, deadline__lt=day)
        .values("unit", "unit__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    totals = {"matters": 0, "ledger_items": 0}
    for row in matters:
        _unit_row(units, row["responsible_unit"], row["unit_name"])["overdue_matters"] += row["count"]
        totals["matters"] += row["count"]
    for row in items:
        _unit_row(units, row["unit"], row["unit__name"])["overdue_items"] += row["count"]
        totals["ledger_items"] += row["count"]
    return totals


def _rising_topics(day: date) -> list[dict]:
    start, end = day_bounds(day)
    rows = (
        Matter.objects.filter(created_at__gte=start - timedelta(days=RISING_WINDOW_DAYS), created_at__lt=end)
        .exclude(category="")
        .values("category")
        .annotate(
            today=Count("pk", filter=Q(created_at__gte=start)), before=Count("pk", filter=Q(created_at__lt=start))
        )
        .order_by()
    )
    labels = dict(Category.choices)
    rising = []
    for row in rows:
        average = row["before"] / RISING_WINDOW_DAYS
        if row["today"] >= RISING_MIN_MATTERS and row["today"] >= RISING_FACTOR * average:
            rising.append(
                {
                    "category": row["category"],
                    "label": labels.get(row["category"], row["category"]),
                    "count": row["today"],
                    "average": round(average, 2),
                }
            )
    return sorted(rising, key=lambda topic: (-topic["count"], topic["label"]))


def _satisfaction_rate(unit: dict) -> float:
    answered = unit["satisfied"] + unit["fairly_satisfied"] + unit["not_satisfied"]
    return unit["satisfied"] / answered if answered else 0.0


def _praise_reasons(unit: dict) -> list[str]:
    reasons = [f"回访联系上 {unit['callbacks_reached']} 户"]
    if unit["confirmed"]:
        reasons.append(f"{unit['confirmed']} 次走访经回访属实")
    reasons.append(f"满意率 {_satisfaction_rate(unit):.0%}")
    if unit["night_planned"]:
        reasons.append(f"夜访 {unit['night_kept']}/{unit['night_planned']} 完成")
    return reasons


def _criticism_reasons(unit: dict) -> list[str]:
    reasons = []
    if unit["denied"]:
        reasons.append(f"虚假走访 {unit['denied']} 起")
    if unit["night_missed"]:
        reasons.append(f"夜访缺勤 {unit['night_missed']} 人次")
    if unit["not_satisfied"]:
        reasons.append(f"回访不满意 {unit['not_satisfied']} 户")
    if unit["overdue_matters"]:
        reasons.append(f"超期诉求 {unit['overdue_matters']} 件")
    if unit["overdue_items"]:
        reasons.append(f"超期台账事项 {unit['overdue_items']} 项")
    return reasons


def rank_units(units: list[dict]) -> tuple[list[dict], list[dict]]:
    """The units named in good order (表扬) and in bad order (通报批评), as a notice names them (`RULES`).

    通报批评: every unit with a false visit, a missed night plan or a 不满意 that day, or an overdue matter or
    ledger item at midnight; the most false visits first, then missed night plans, 不满意, and overdue matters and
    items together. 表扬: units not criticised whose callbacks reached at least `PRAISE_MIN_REACHED` households
    that day (fewer is too few to judge), by satisfaction rate (满意 among those who answered), then households
    reached, night plans kept and visits; the first `PRAISE_LIMIT`. No unit is named in both lists."""
    eligible = [
        unit for unit in units if unit["callbacks_reached"] >= PRAISE_MIN_REACHED and not _criticism_reasons(unit)
    ]
    eligible.sort(
        key=lambda unit: (
            -_satisfaction_rate(unit),
            -unit["callbacks_reached"],
            -unit["night_kept"],
            -unit["visits"],
            unit["name"],
        )
    )
    praised = [{"id": unit["id"], "name": unit["name"], "reasons": _praise_reasons(unit)} for unit in eligible]
    criticised = [unit for unit in units if _criticism_reasons(unit)]
    criticised.sort(
        key=lambda unit: (
            -unit["denied"],
            -unit["night_missed"],
            -unit["not_satisfied"],
            -(unit["overdue_matters"] + unit["overdue_items"]),
            unit["name"],
        )
    )
    return praised[:PRAISE_LIMIT], [
        {"id": unit["id"], "name": unit["name"], "reasons": _criticism_reasons(unit)} for unit in criticised
    ]


def daily_figures(*, day: date) -> dict:
    """Every figure of the day's briefing, as plain data (JSON) for the `DailyReview` record."""
    units: dict[int, dict] = {}
    figures = {
        "day": day.isoformat(),
        "visits": _visits(day, units),
        "night_plans": _night_plans(day, units),
        "callbacks": _callbacks(day, units),
        "matters": _matters_received(day),
        "overdue": _overdue(day, units),
        "rising_topics": _rising_topics(day),
        "rules": RULES,
    }
    unit_rows = sorted(units.values(), key=lambda unit: unit["name"])
    figures["units"] = unit_rows
    figures["praised"], figures["criticised"] = rank_units(unit_rows)
    return figures


def _figure(path: str) -> Cast:
    # A number inside the JSON, as a number on every database (the text of `->>` differs between them).
    return Cast(KT(f"figures__{path}"), IntegerField())


def reviews_listed() -> QuerySet[DailyReview]:
    """The notices, newest first, each with the headline figures the list shows, read out of the JSON in the
    database; the rest of the figures are not loaded."""
    return (
        DailyReview.objects.defer("figures")
        .annotate(
            visits_total=_figure("visits__total"),
            matters_total=_figure("matters__total"),
            false_visits=_figure("callbacks__denied"),
            night_missed=_figure("night_plans__missed"),
        )
        .order_by("-day")
    )


def review_neighbours(review: DailyReview) -> tuple[DailyReview | None, DailyReview | None]:
    """The notices before and after this one (days without a notice are skipped)."""
    older = DailyReview.objects.filter(day__lt=review.day).order_by("-day").only("day").first()
    newer = DailyReview.objects.filter(day__gt=review.day).order_by("day").only("day").first()
    return older, newer


def notice_rows(figures: dict) -> dict:
    """What the notice page lays out from a review's figures: the household visit kinds with their Chinese names
    (what the day's total adds up), the organisations visited apart, and each unit's the same way (a kind added
    later shows as 0 in an older notice)."""
    by_kind = figures["visits"]["by_kind"]
    return {
        "figures": figures,
        "kinds": [(label, by_kind.get(value, 0)) for value, label in Visit.Kind.choices],
        "organisation_visits": by_kind.get(ORGANISATION_KIND[0], 0),
        "kind_labels": [label for _, label in Visit.Kind.choices],
        "units": [
            {
                **unit,
                "kind_counts": [unit["visits_by_kind"].get(value, 0) for value, _ in Visit.Kind.choices],
                "organisation_visits": unit["visits_by_kind"].get(ORGANISATION_KIND[0], 0),
            }
            for unit in figures["units"]
        ],
    }
