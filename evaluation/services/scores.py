"""Scores (考核): computing a month, closing it, recomputing a closed one, and setting the weights.

`scores_compute` is what the nightly job and `manage.py compute_scores` run: it counts the month
(`evaluation.selectors.scores.count_month`, grouped queries), turns the counts into points with the weights in
force that month, and writes only what differs from the rows already there, so a second run for the same month
changes nothing. Every officer, cadre and unit gets a row; one with no households to visit that month is kept
with its figures but no total and no rank (不参与排名). The annual rows of the month's year are rebuilt from the
ranked monthly rows in the same transaction.
A closed month is frozen: `scores_compute` refuses it, and only `scores_recompute_closed` (the evaluation centre,
with a reason, audited) counts it again.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Case, Count, F, IntegerField, Max, Sum, When
from django.utils import timezone

from evaluation.models import Metric, Score, ScoreComponent, ScoreMonth, ScoreWeight, SubjectKind
from evaluation.selectors.scores import (
    BASE_METRIC,
    METRICS_OF,
    PENALTY_METRICS,
    count_month,
    month_window,
    weights_for,
)
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.audit import audit_record
from jingshi_jiafang.core.dates import add_months
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import AuditEntry, User

CENT = Decimal("0.01")
RATE = Decimal("0.0001")
HUNDRED = Decimal(100)
REASON_MAX_LENGTH = 200


class ScoreError(DomainError):
    """A scoring request the rules refuse: a closed month, a weight for a closed month, a missing reason."""


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Part:
    numerator: int
    denominator: int
    value: Decimal | None
    weight: Decimal
    points: Decimal

    def as_tuple(self) -> tuple:
        return (self.numerator, self.denominator, self.value, self.weight, self.points)


@dataclass
class Row:
    kind: str
    user_id: int | None
    unit_id: int | None
    town_id: int | None
    total: Decimal | None  # None: not ranked
    parts: dict[str, Part]
    months: int = 1
    rank: int | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.unit_id if self.kind == SubjectKind.UNIT else self.user_id)


def score_parts(
    kind: str, counts: dict[str, list[int]], weights: dict[str, ScoreWeight]
) -> tuple[Decimal | None, dict]:
    """The points of one subject: each rate times its weight, the weights of the rates that had data scaled up to
    100; then minus the penalty per false visit. Returns the total (rounded once, from the unrounded parts) and
    the parts. Without households to visit (no denominator for `BASE_METRIC`) the total is None: the rates are
    kept for reading, with no points, so a subject is never ranked on the other rates alone."""
    weight_of = {metric: (weights[metric].weight if metric in weights else Decimal(0)) for metric in METRICS_OF[kind]}
    ranked = bool(counts.get(BASE_METRIC, [0, 0])[1])
    rates = [metric for metric in METRICS_OF[kind] if metric not in PENALTY_METRICS]
    with_data = [metric for metric in rates if ranked and counts.get(metric, [0, 0])[1] and weight_of[metric]]
    scale = sum((weight_of[metric] for metric in with_data), Decimal(0))
    parts, exact_total = {}, Decimal(0)
    for metric in METRICS_OF[kind]:
        numerator, denominator = counts.get(metric, [0, 0])
        if metric in PENALTY_METRICS:
            exact = -weight_of[metric] * numerator if ranked else Decimal(0)
            parts[metric] = Part(numerator, denominator, None, weight_of[metric], _cents(exact))
        else:
            value = Decimal(numerator) / Decimal(denominator) if denominator else None
            exact = value * weight_of[metric] * HUNDRED / scale if value is not None and metric in with_data else 0
            rate = value.quantize(RATE, rounding=ROUND_HALF_UP) if value is not None else None
            parts[metric] = Part(numerator, denominator, rate, weight_of[metric], _cents(Decimal(exact)))
        exact_total += Decimal(exact)
    return (_cents(exact_total) if ranked else None), parts


def _rank(rows: list[Row]) -> None:
    """Competition ranking per kind (equal totals share a place), best first; a row without a total has none."""
    by_kind: dict[str, list[Row]] = {}
    for row in rows:
        if row.total is not None:
            by_kind.setdefault(row.kind, []).append(row)
    for kind_rows in by_kind.values():
        kind_rows.sort(key=lambda row: (-row.total, row.key))
        for index, row in enumerate(kind_rows):
            previous = kind_rows[index - 1] if index else None
            row.rank = previous.rank if previous and previous.total == row.total else index + 1


def _month_rows(month: date, today: date | None) -> list[Row]:
    counted = count_month(month_window(month, today))
    weights = weights_for(month)
    land, rows = counted.land, []
    subjects = [
        (SubjectKind.OFFICER, pk, pk, person["unit_id"], land.unit_town.get(person["unit_id"]))
        for pk, person in counted.officers.items()
    ]
    for pk, person in counted.cadres.items():
        villages = sorted(counted.villages_of.get(pk, ()))
        town = land.village_town.get(villages[0]) if villages else None
        subjects.append((SubjectKind.CADRE, pk, pk, person["unit_id"], town))
    subjects += [(SubjectKind.UNIT, pk, None, pk, land.unit_town.get(pk)) for pk in counted.units]
    for kind, key, user_id, unit_id, town_id in subjects:
        total, parts = score_parts(kind, counted.counts[kind].get(key, {}), weights.get(kind, {}))
        rows.append(Row(kind, user_id, unit_id, town_id, total, parts))
    _rank(rows)
    return rows


def _year_rows(year: int) -> list[Row]:
    """A year from its months: totals and points are the mean over the months the subject was ranked, rates
    the year's numerators over its denominators. Two grouped queries."""
    monthly = Score.objects.filter(period=Score.Period.MONTH, period_start__year=year, rank__isnull=False)
    subject_unit = Case(When(subject_kind=SubjectKind.UNIT, then=F("unit")), output_field=IntegerField())
    totals = (
        monthly.annotate(subject_unit=subject_unit)
        .values("subject_kind", "user", "subject_unit")
        .annotate(mean=Avg("total"), months=Count("pk"), last=Max("period_start"))
        .order_by()
    )
    rows: dict[tuple, Row] = {}
    last_month: dict[tuple, date] = {}
    for entry in totals:
        row = Row(entry["subject_kind"], entry["user"], entry["subject_unit"], None, _cents(Decimal(entry["mean"])), {})
        row.months = entry["months"]
        rows[row.key] = row
        last_month[row.key] = entry["last"]
    # Where the subject was in the latest month it was scored: its unit and town then.
    latest = monthly.filter(period_start__in=set(last_month.values())).values_list(
        "subject_kind", "user", "unit", "town", "period_start"
    )
    for kind, user, unit, town, start in latest:
        row = rows.get((kind, unit if kind == SubjectKind.UNIT else user))
        if row is not None and start == last_month[row.key]:
            row.unit_id, row.town_id = unit, town
    component_sums = (
        ScoreComponent.objects.filter(score__in=monthly)
        .annotate(
            subject_unit=Case(
                When(score__subject_kind=SubjectKind.UNIT, then=F("score__unit")), output_field=IntegerField()
            )
        )
        .values("score__subject_kind", "score__user", "subject_unit", "metric")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), points=Sum("points"), weight=Avg("weight"))
        .order_by()
    )
    for entry in component_sums:
        kind = entry["score__subject_kind"]
        row = rows[(kind, entry["subject_unit"] if kind == SubjectKind.UNIT else entry["score__user"])]
        numerator, denominator = entry["num"], entry["den"]
        value = None
        if denominator and entry["metric"] not in PENALTY_METRICS:
            value = (Decimal(numerator) / Decimal(denominator)).quantize(RATE, rounding=ROUND_HALF_UP)
        row.parts[entry["metric"]] = Part(
            numerator, denominator, value, _cents(Decimal(entry["weight"])), _cents(entry["points"] / row.months)
        )
    result = list(rows.values())
    _rank(result)
    return result


def _sync(period: str, start: date, rows: list[Row]) -> int:
    """Make the stored scores of (period, start) equal `rows`, writing only what differs. Returns how many score
    and component rows were created, changed or removed."""
    existing = {
        (score.subject_kind, score.unit_id if score.subject_kind == SubjectKind.UNIT else score.user_id): score
        for score in Score.objects.filter(period=period, period_start=start).prefetch_related("components")
    }
    changed_scores, new_rows, changed_parts, new_parts, written = [], [], [], [], 0
    for row in rows:
        score = existing.pop(row.key, None)
        if score is None:
            new_rows.append(row)
            continue
        fields = (row.unit_id, row.town_id, row.total, row.rank, row.months)
        if (score.unit_id, score.town_id, score.total, score.rank, score.months) != fields:
            score.unit_id, score.town_id, score.total, score.rank, score.months = fields
            changed_scores.append(score)
        stored = {component.metric: component for component in score.components.all()}
        for metric, part in row.parts.items():
            component = stored.pop(metric, None)
            if component is None:
                new_parts.append(ScoreComponent(score=score, metric=metric, **_part_fields(part)))
            elif _component_tuple(component) != part.as_tuple():
                for name, value in _part_fields(part).items():
                    setattr(component, name, value)
                changed_parts.append(component)
        if stored:
            written += ScoreComponent.objects.filter(pk__in=[c.pk for c in stored.values()]).delete()[0]
    if existing:
        written += Score.objects.filter(pk__in=[score.pk for score in existing.values()]).delete()[0]
    if changed_scores:
        written += Score.objects.bulk_update(changed_scores, ["unit", "town", "total", "rank", "months"])
    if changed_parts:
        written += ScoreComponent.objects.bulk_update(
            changed_parts, ["numerator", "denominator", "value", "weight", "points"]
        )
    created = Score.objects.bulk_create(
        [
            Score(
                period=period,
                period_start=start,
                subject_kind=row.kind,
                user_id=row.user_id,
                unit_id=row.unit_id,
                town_id=row.town_id,
                total=row.total,
                rank=row.rank,
                months=row.months,
            )
            for row in new_rows
        ]
    )
    for score, row in zip(created, new_rows, strict=True):
        new_parts += [
            ScoreComponent(score=score, metric=metric, **_part_fields(part)) for metric, part in row.parts.items()
        ]
    ScoreComponent.objects.bulk_create(new_parts)
    return written + len(created) + len(new_parts)


def _part_fields(part: Part) -> dict:
    return {
        "numerator": part.numerator,
        "denominator": part.denominator,
        "value": part.value,
        "weight": part.weight,
        "points": part.points,
    }


def _component_tuple(component: ScoreComponent) -> tuple:
    return (component.numerator, component.denominator, component.value, component.weight, component.points)


def _locked_month(month: date) -> ScoreMonth:
    ScoreMonth.objects.get_or_create(month=month)
    return ScoreMonth.objects.select_for_update().get(month=month)


def _compute(score_month: ScoreMonth, today: date | None) -> int:
    written = _sync(Score.Period.MONTH, score_month.month, _month_rows(score_month.month, today))
    written += _sync(Score.Period.YEAR, date(score_month.month.year, 1, 1), _year_rows(score_month.month.year))
    if written:
        score_month.computed_at = timezone.now()
        score_month.save(update_fields=["computed_at"])
    return written


def scores_compute(*, month: date, actor: User | None = None, today: date | None = None) -> int:
    """Count `month` again and store what changed (the nightly job, `manage.py compute_scores`). Refused for a
    closed month. Returns how many rows changed: 0 on a second run with nothing new."""
    month = month.replace(day=1)
    if actor is not None:
        require(actor, can.may_manage_scores, error=ScoreError, message="只有民意访评中心可以计算考核分数。")
    if month > (today or timezone.localdate()).replace(day=1):
        raise ScoreError(f"{month:%Y年%m月}尚未开始,不能计算。")
    with transaction.atomic():
        score_month = _locked_month(month)
        if score_month.is_closed:
            raise ScoreError(f"{month:%Y年%m月}的考核已关闭,分数已冻结;如确需重算,请使用“重算已关闭月份”并说明理由。")
        return _compute(score_month, today)


def score_month_close(*, month: date, actor: User, request=None, today: date | None = None) -> ScoreMonth:
    """Close a month that is over: counted one last time, then frozen. Audited."""
    require(actor, can.may_manage_scores, error=ScoreError, message="只有民意访评中心可以关闭考核月份。", jobs=False)
    month = month.replace(day=1)
    if month >= (today or timezone.localdate()).replace(day=1):
        raise ScoreError(f"{month:%Y年%m月}还没有结束,月末之后才能关闭。")
    with transaction.atomic():
        score_month = _locked_month(month)
        if score_month.is_closed:
            raise ScoreError(f"{month:%Y年%m月}的考核已经关闭。")
        written = _compute(score_month, today)
        score_month.closed_at, score_month.closed_by = timezone.now(), actor
        score_month.save(update_fields=["closed_at", "closed_by"])
        audit_record(
            action=AuditEntry.Action.STATE_CHANGED,
            actor=actor,
            request=request,
            target=score_month,
            detail={"event": "score_month_closed", "month": f"{month:%Y-%m}", "rows_changed": written},
        )
    return score_month


def scores_recompute_closed(*, month: date, actor: User, reason: str, request=None, today: date | None = None) -> int:
    """Count a closed month again (a correction found after closing): the evaluation centre only, with a reason,
    audited with how many rows changed. The month stays closed."""
    require(
        actor, can.may_manage_scores, error=ScoreError, message="只有民意访评中心可以重算已关闭的月份。", jobs=False
    )
    reason = (reason or "").strip()
    if not reason:
        raise ScoreError("重算已关闭的月份必须说明理由。")
    if len(reason) > REASON_MAX_LENGTH:
        raise ScoreError(f"理由最多 {REASON_MAX_LENGTH} 字。")
    month = month.replace(day=1)
    with transaction.atomic():
        score_month = _locked_month(month)
        if not score_month.is_closed:
            raise ScoreError(f"{month:%Y年%m月}尚未关闭,每日任务会自动重算,无需手动重算。")
        written = _compute(score_month, today)
        audit_record(
            action=AuditEntry.Action.STATE_CHANGED,
            actor=actor,
            request=request,
            target=score_month,
            detail={
                "event": "score_month_recomputed",
                "month": f"{month:%Y-%m}",
                "reason": reason,
                "rows_changed": written,
            },
        )
    return written


def latest_closed_month() -> date | None:
    return ScoreMonth.objects.filter(closed_at__isnull=False).order_by("-month").values_list("month", flat=True).first()


def score_weight_set(
    *, subject_kind: str, metric: str, weight: Decimal, valid_from: date, actor: User, note: str = "", request=None
) -> ScoreWeight:
    """Set a metric's weight for a kind of subject from a month on. The months before keep their weight; a month
    that is closed (or before one) cannot be given a new weight. Audited with the weight it replaces."""
    require(actor, can.may_manage_scores, error=ScoreError, message="只有民意访评中心可以调整考核权重。", jobs=False)
    if metric not in METRICS_OF.get(subject_kind, ()):
        raise ScoreError(f"“{Metric(metric).label}”不用于考核{SubjectKind(subject_kind).label}。")
    if not Decimal(0) <= weight <= HUNDRED:
        raise ScoreError("权重须在 0 到 100 之间。")
    weight = _cents(Decimal(weight))
    valid_from = valid_from.replace(day=1)
    closed = latest_closed_month()
    if closed is not None and valid_from <= closed:
        raise ScoreError(f"{closed:%Y年%m月}及以前的月份已关闭,新权重最早从{add_months(closed, 1):%Y年%m月}起生效。")
    with transaction.atomic():
        before = weights_for(valid_from).get(subject_kind, {}).get(metric)
        row, _ = ScoreWeight.objects.update_or_create(
            metric=metric,
            subject_kind=subject_kind,
            valid_from=valid_from,
            defaults={"weight": weight, "note": note, "created_by": actor},
        )
        audit_record(
            action=AuditEntry.Action.STATE_CHANGED,
            actor=actor,
            request=request,
            target=row,
            detail={
                "event": "score_weight_set",
                "subject_kind": subject_kind,
                "metric": metric,
                "valid_from": f"{valid_from:%Y-%m}",
                "weight": str(weight),
                "before": str(before.weight) if before else None,
                "note": note,
            },
        )
    return row


def scores_compute_recent(*, today: date | None = None) -> int:
    """The nightly job: the current month, and the previous month until the evaluation centre closes it (a visit
    entered late or a callback of the last days still changes it)."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    previous = add_months(current, -1)
    written = 0
    if not ScoreMonth.objects.filter(month=previous, closed_at__isnull=False).exists():
        written += scores_compute(month=previous, today=today)
    return written + scores_compute(month=current, today=today)
