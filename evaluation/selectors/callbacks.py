"""Reads of the next-day callbacks that pages, home pages, the household timeline and the other parts of the
evaluation centre (daily review, scores) share."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from evaluation.models import Callback, CallbackAttempt, Satisfaction
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Household, User
from jingshi_jiafang.core.scopes import villages_visible_to
from jingshi_jiafang.core.timeline import TimelineEvent

Source = Callback.Source
State = Callback.State
DENIED = Callback.VisitCheck.DENIED
CONFIRMED = Callback.VisitCheck.CONFIRMED

# Everything a queue row or a callback page shows, in one query.
_SHOWN = (
    "household__village__parent",
    "village__parent",
    "unit",
    "worker",
    "visit__visitor",
    "visit__organisation",
    "matter__assignee",
    "ledger_item__delivered_by",
    "ledger_item__matter",
    "new_matter",
    "done_by",
)


def callback_phone(callback: Callback) -> str:
    """The number the evaluation centre calls: the household's, an organisation's contact, or a walk-in's."""
    if callback.household_id:
        return callback.household.phone
    if callback.source == Source.VISIT:
        return callback.visit.organisation.phone if callback.visit.organisation_id else ""
    matter = callback.matter if callback.source == Source.MATTER else callback.ledger_item.matter
    return matter.resident_phone if matter else ""


def callbacks_for_user(user: User) -> QuerySet[Callback]:
    """The callbacks a person works or reads: the evaluation centre and the county-wide departments all of them,
    anyone else (a leader) those of the villages they see."""
    callbacks = Callback.objects.all()
    if can.sees_whole_county(user):
        return callbacks
    if not can.may_read_residents_data(user):
        return callbacks.none()
    return callbacks.filter(village__in=villages_visible_to(user))


def callback_queue(*, today: date, source: str = "") -> QuerySet[Callback]:
    """The evaluation centre's queue: due today or before, oldest first."""
    callbacks = Callback.objects.filter(state=State.DUE, due_date__lte=today)
    if source:
        callbacks = callbacks.filter(source=source)
    return callbacks.select_related(*_SHOWN).order_by("due_date", "source_date", "id")


def callback_with_details(queryset: QuerySet[Callback]) -> QuerySet[Callback]:
    return queryset.select_related(*_SHOWN)


@dataclass(frozen=True)
class QueueCounts:
    due_today: int  # first call today
    retries: int  # not reached before, tried again today
    overdue: int  # should have been called on an earlier day

    @property
    def total(self) -> int:
        return self.due_today + self.retries + self.overdue


def queue_counts(*, today: date) -> QueueCounts:
    """The three parts of the queue, in one query."""
    counts = Callback.objects.filter(state=State.DUE, due_date__lte=today).aggregate(
        due_today=Count("pk", filter=Q(due_date=today, attempts=0)),
        retries=Count("pk", filter=Q(due_date=today, attempts__gt=0)),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
    )
    return QueueCounts(**counts)


def false_visits(*, worker: User | None = None, units=None, start: date | None = None, end: date | None = None):
    """虚假走访: visits whose household said on the callback that nobody came, newest first. Filter by the officer,
    by units (a queryset or ids) and by the visit's day (`start` … `end`, inclusive)."""
    callbacks = Callback.objects.filter(source=Source.VISIT, visit_check=DENIED)
    if worker is not None:
        callbacks = callbacks.filter(worker=worker)
    if units is not None:
        callbacks = callbacks.filter(unit__in=units)
    if start is not None:
        callbacks = callbacks.filter(source_date__gte=start)
    if end is not None:
        callbacks = callbacks.filter(source_date__lte=end)
    return callbacks.select_related("visit", "household", "worker", "unit").order_by("-source_date", "-id")


# The callback-rate figures (回访率).

_ANSWERS = {
    "reached": Q(reached=True),
    "given_up": Q(gave_up=True),
    "confirmed": Q(reached=True, callback__visit_check=CONFIRMED),
    "denied": Q(reached=True, callback__visit_check=DENIED),
    "satisfied": Q(reached=True, callback__satisfaction=Satisfaction.SATISFIED),
    "fairly_satisfied": Q(reached=True, callback__satisfaction=Satisfaction.FAIRLY_SATISFIED),
    "not_satisfied": Q(reached=True, callback__satisfaction=Satisfaction.NOT_SATISFIED),
}


@dataclass
class FigureRow:
    label: str
    due: int | None = None  # None for an evaluator: callbacks are due to the centre, not to one person
    made: int = 0
    reached: int = 0
    given_up: int = 0
    confirmed: int = 0
    denied: int = 0
    satisfied: int = 0
    fairly_satisfied: int = 0
    not_satisfied: int = 0

    @property
    def rate(self) -> str:
        """回访率 = calls made / callbacks due (first due that day)."""
        return f"{self.made / self.due:.0%}" if self.due else "—"

    @property
    def reach_rate(self) -> str:
        return f"{self.reached / self.made:.0%}" if self.made else "—"


def _attempt_counts():
    # Named apart from the fields (an annotation `reached` would shadow the field its filter reads).
    return {"n_made": Count("pk"), **{f"n_{name}": Count("pk", filter=q) for name, q in _ANSWERS.items()}}


def _counts(row: dict) -> dict:
    return {name[2:]: value for name, value in row.items() if name.startswith("n_")}


def callback_figures(*, user: User, start: date, end: date) -> dict:
    """Per day and per evaluator, from `start` to `end` inclusive: due (callbacks first due that day), made
    (calls), reached, given up, the visits confirmed and denied, the satisfaction split. Three grouped queries
    and one for the evaluators' names, whatever the period."""
    callbacks = callbacks_for_user(user)
    attempts = CallbackAttempt.objects.filter(callback__in=callbacks, call_date__gte=start, call_date__lte=end)
    due = dict(
        callbacks.filter(source_date__gte=start - timedelta(days=1), source_date__lte=end - timedelta(days=1))
        .values_list("source_date")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_day = {
        row["call_date"]: _counts(row)
        for row in attempts.values("call_date").annotate(**_attempt_counts()).order_by("call_date")
    }
    days = []
    day = end
    while day >= start:
        days.append(FigureRow(f"{day:%m-%d}", due=due.get(day - timedelta(days=1), 0), **by_day.get(day, {})))
        day -= timedelta(days=1)
    by_caller = list(attempts.values("caller").annotate(**_attempt_counts()).order_by("-n_made", "caller"))
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=[row["caller"] for row in by_caller])}
    evaluators = [FigureRow(names[row["caller"]], **_counts(row)) for row in by_caller]
    total = FigureRow("合计", due=sum(row.due for row in days))
    for row in days:
        for name in ("made", *_ANSWERS):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return {"days": days, "evaluators": evaluators, "total": total}


def timeline_events(*, household: Household) -> list[TimelineEvent]:
    """The household's answers to the callbacks: whether the visit happened (a false visit is said plainly),
    how satisfied they were; and callbacks given up after three days."""
    events = []
    callbacks = household.callbacks.exclude(state=State.DUE).select_related("visit__visitor", "matter", "ledger_item")
    for callback in callbacks.order_by("pk"):
        if callback.state == State.GIVEN_UP:
            at = datetime.combine(callback.due_date, time(20), timezone.get_current_timezone())
            events.append(TimelineEvent(at, "callback", f"次日回访({callback.get_source_display()}):连续三天未联系上"))
            continue
        lines = []
        if callback.source == Source.VISIT:
            visit = callback.visit
            lines.append(f"{visit.visitor} {timezone.localtime(visit.visited_at):%Y-%m-%d %H:%M} 的走访")
        elif callback.source == Source.MATTER:
            lines.append(f"诉求 {callback.matter.reference}:{callback.matter.content[:40]}")
        else:
            lines.append(f"台账事项:{callback.ledger_item.what[:40]}")
        answer = [callback.get_visit_check_display()] if callback.visit_check else []
        answer += [callback.get_satisfaction_display()] if callback.satisfaction else []
        title = f"次日回访({callback.get_source_display()}):{'、'.join(answer)}"
        if callback.is_false_visit:
            title = f"次日回访:虚假走访({callback.visit.visitor})"
        if callback.comment:
            lines.append(f"群众意见:{callback.comment}")
        events.append(TimelineEvent(callback.done_at, "callback", title, tuple(lines)))
    return events
