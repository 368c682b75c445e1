"""Reads of the next-day callbacks that pages, home pages, the household timeline and the other parts of the
evaluation centre (daily review, scores) share."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from evaluation.models import Callback, CallbackAttempt, Satisfaction
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.models import Household, User
from jingshi_jiafang.core.scopes import county_units, villages_visible_to
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
    """The number the evaluation centre calls: for a visit the household's or the organisation's contact phone;
    for a matter or a ledger item the phone the resident left with the matter (a walk-in at the talk room, an
    echo online), else the household's — `Matter.contact_phone`, the rule the callbacks are made by."""
    if callback.source == Source.VISIT:
        if callback.household_id:
            return callback.household.phone
        return callback.visit.organisation.phone if callback.visit.organisation_id else ""
    return _resident_phone(callback) or (callback.household.phone if callback.household_id else "")


def callback_phone_is_households(callback: Callback) -> bool:
    """Whether the number called is the household's own (its reveal is the household's, checked and audited as
    on the household page), not one a resident left with their matter."""
    return bool(callback.household_id) and not (callback.source != Source.VISIT and _resident_phone(callback))


def _resident_phone(callback: Callback) -> str:
    matter = callback.matter if callback.source == Source.MATTER else callback.ledger_item.matter
    return matter.resident_phone if matter else ""


def callbacks_without_phone() -> QuerySet[Callback]:
    """The callbacks `callback_phone` finds no number for, in one query: nobody can be reached on them."""
    no_household_phone = Q(household__isnull=True) | Q(household__phone="")
    return Callback.objects.filter(
        Q(household__isnull=False, household__phone="", source=Source.VISIT)
        | Q(household__isnull=True, source=Source.VISIT)
        & (Q(visit__organisation__isnull=True) | Q(visit__organisation__phone=""))
        | Q(source=Source.MATTER, matter__resident_phone="") & no_household_phone
        | Q(source=Source.LEDGER_ITEM)
        & (Q(ledger_item__matter__isnull=True) | Q(ledger_item__matter__resident_phone=""))
        & no_household_phone
    )


def callbacks_for_user(user: User) -> QuerySet[Callback]:
    """The callbacks a person works or reads: the evaluation centre and the county-wide departments all of them,
    anyone else (a leader) those of the villages they see."""
    callbacks = Callback.objects.all()
    if can.sees_whole_county(user):
        return callbacks.filter(unit__in=county_units(user))
    if not can.may_read_residents_data(user):
        return callbacks.none()
    return callbacks.filter(village__in=villages_visible_to(user))


def callback_queue(*, user: User, today: date, source: str = "", part: str = "") -> QuerySet[Callback]:
    """The evaluation centre's queue (its county's callbacks): due today or before, oldest first; `part` is one of
    the queue's tabs (today's first calls, today's retries, overdue). Without the rows a page shows beside each
    callback (`with_details` reads them for one page): joined in, the database joined all of a morning's 1,500 due
    callbacks to a dozen tables before sorting them to show 25."""
    callbacks = callbacks_for_user(user).filter(state=State.DUE, due_date__lte=today)
    if source:
        callbacks = callbacks.filter(source=source)
    callbacks = callbacks.filter(**_QUEUE_PARTS.get(part, lambda today: {})(today))
    return callbacks.order_by("due_date", "source_date", "id")


_QUEUE_PARTS = {
    "today": lambda today: {"due_date": today, "attempts": 0},
    "retry": lambda today: {"due_date": today, "attempts__gt": 0},
    "overdue": lambda today: {"due_date__lt": today},
}


def callback_with_details(queryset: QuerySet[Callback]) -> QuerySet[Callback]:
    return queryset.select_related(*_SHOWN)


def with_details(callbacks) -> list[Callback]:
    """These callbacks (a page of the queue), in their order, with what a page shows of each: one query."""
    by_pk = callback_with_details(Callback.objects.all()).in_bulk([callback.pk for callback in callbacks])
    return [by_pk[callback.pk] for callback in callbacks]


def comments_to_raise(*, user: User, today: date, limit: int = 10) -> list[Callback]:
    """Today's callbacks of this evaluator that recorded a comment not yet made a matter: the queue lists them, so
    that the comment can become a matter from the done callback's page."""
    start = midnight(today)
    callbacks = Callback.objects.filter(done_by=user, done_at__gte=start, new_matter__isnull=True).exclude(comment="")
    # A 不满意 comment on a matter or ledger item went with it when it was reopened.
    callbacks = callbacks.exclude(~Q(source=Source.VISIT), satisfaction=Satisfaction.NOT_SATISFIED)
    return list(callbacks.select_related("household").order_by("-done_at")[:limit])


@dataclass(frozen=True)
class QueueCounts:
    due_today: int  # first call today
    retries: int  # not reached before, tried again today
    overdue: int  # should have been called on an earlier day

    @property
    def total(self) -> int:
        return self.due_today + self.retries + self.overdue


def queue_counts(*, user: User, today: date) -> QueueCounts:
    """The three parts of the queue, in one query."""
    counts = (
        callbacks_for_user(user)
        .filter(state=State.DUE, due_date__lte=today)
        .aggregate(
            due_today=Count("pk", filter=Q(due_date=today, attempts=0)),
            retries=Count("pk", filter=Q(due_date=today, attempts__gt=0)),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
        )
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


def false_visit_counts(*, start: date, end: date, by: str = "worker") -> dict[int, int]:
    """虚假走访 per officer (`by="worker"`) or per unit (`by="unit"`) for the visits of `start` … `end`: one grouped
    query, for the scores and the daily review."""
    if by not in ("worker", "unit"):
        raise ValueError(f"false visits are counted by worker or unit, not {by!r}")
    rows = false_visits(start=start, end=end).values(by).annotate(n=Count("pk")).order_by()
    return {row[by]: row["n"] for row in rows}


# The callback-rate figures (回访率).

# What became of the callbacks first due on a day (one row per callback, so the day's figures add up)…
_OUTCOMES = {
    "made": Q(attempts__gt=0),
    "reached": Q(state=State.DONE),
    "given_up": Q(state=State.GIVEN_UP),
    "confirmed": Q(state=State.DONE, visit_check=CONFIRMED),
    "denied": Q(state=State.DONE, visit_check=DENIED),
    "satisfied": Q(state=State.DONE, satisfaction=Satisfaction.SATISFIED),
    "fairly_satisfied": Q(state=State.DONE, satisfaction=Satisfaction.FAIRLY_SATISFIED),
    "not_satisfied": Q(state=State.DONE, satisfaction=Satisfaction.NOT_SATISFIED),
}
# … and what each evaluator's calls found (one row per call).
_CALLS = {
    "reached": Q(reached=True),
    "given_up": Q(gave_up=True),
    "confirmed": Q(reached=True, callback__visit_check=CONFIRMED),
    "denied": Q(reached=True, callback__visit_check=DENIED),
    "satisfied": Q(reached=True, callback__satisfaction=Satisfaction.SATISFIED),
    "fairly_satisfied": Q(reached=True, callback__satisfaction=Satisfaction.FAIRLY_SATISFIED),
    "not_satisfied": Q(reached=True, callback__satisfaction=Satisfaction.NOT_SATISFIED),
}
FIGURES = ("due", "made", "calls", *_CALLS)


@dataclass
class FigureRow:
    label: str
    due: int = 0  # callbacks first due that day
    made: int = 0  # of those, called at least once
    calls: int = 0  # calls made that day (retries of earlier days included)
    reached: int = 0
    given_up: int = 0
    confirmed: int = 0
    denied: int = 0
    satisfied: int = 0
    fairly_satisfied: int = 0
    not_satisfied: int = 0

    @property
    def rate(self) -> str:
        """回访率: of the callbacks due, the share called."""
        return f"{self.made / self.due:.0%}" if self.due else "—"

    @property
    def reach_rate(self) -> str:
        """An evaluator's calls that reached someone."""
        return f"{self.reached / self.calls:.0%}" if self.calls else "—"


def _named(counts: dict) -> dict:
    # Annotations are named apart from the fields (an annotation `reached` would shadow the field its filter reads).
    return {f"n_{name}": Count("pk", filter=q) for name, q in counts.items()}


def _counts(row: dict) -> dict:
    return {name[2:]: value for name, value in row.items() if name.startswith("n_")}


def callback_figures(*, user: User, start: date, end: date) -> dict:
    """From `start` to `end` inclusive. Per day: the callbacks first due that day (made the day before) and what
    became of them — called, reached, given up, the visits confirmed and denied, the satisfaction split — and
    the calls made that day. Per evaluator: their calls and what they found. Four queries whatever the period."""
    callbacks = callbacks_for_user(user)
    by_day = {
        row["source_date"] + timedelta(days=1): _counts(row)
        for row in callbacks.filter(
            source_date__gte=start - timedelta(days=1), source_date__lte=end - timedelta(days=1)
        )
        .values("source_date")
        .annotate(n_due=Count("pk"), **_named(_OUTCOMES))
        .order_by()
    }
    attempts = CallbackAttempt.objects.filter(callback__in=callbacks, call_date__gte=start, call_date__lte=end)
    calls = dict(attempts.values_list("call_date").annotate(n=Count("pk")).order_by())
    days = []
    day = end
    while day >= start:
        days.append(FigureRow(f"{day:%m-%d}", calls=calls.get(day, 0), **by_day.get(day, {})))
        day -= timedelta(days=1)
    by_caller = list(
        attempts.values("caller").annotate(n_calls=Count("pk"), **_named(_CALLS)).order_by("-n_calls", "caller")
    )
    names = {person.pk: str(person) for person in User.objects.filter(pk__in=[row["caller"] for row in by_caller])}
    evaluators = [FigureRow(names[row["caller"]], **_counts(row)) for row in by_caller]
    total = FigureRow("合计")
    for name in FIGURES:
        setattr(total, name, sum(getattr(row, name) for row in days))
    return {"days": days, "evaluators": evaluators, "total": total}


def timeline_events(*, household: Household) -> list[TimelineEvent]:
    """The household's answers to the callbacks: whether the visit happened (a false visit is said plainly),
    how satisfied they were; and callbacks given up after three days."""
    events = []
    callbacks = household.callbacks.exclude(state=State.DUE).select_related("visit__visitor", "matter", "ledger_item")
    for callback in callbacks.order_by("pk"):
        if callback.state == State.GIVEN_UP:
            at = datetime.combine(callback.due_date, time(20), timezone.get_current_timezone())
            events.append(TimelineEvent(at, "callback", f"次日回访({callback.get_source_display()}):未联系上,已放弃"))
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
