"""Demo next-day callbacks: made by the real job for every day of the demo period, then answered as the evaluation
centre would have answered them — most confirmed and satisfied, some 基本满意, a few 不满意, some reached only on
the second day, some given up after three days, a handful of false visits — and a fresh queue for today.

The answers of the past are written in bulk (a county's period has tens of thousands of callbacks), consistent
with what the services write: one CallbackAttempt per call on the day it was made, due_date moved on by each
unreached call, done_by/done_at on the done ones. 不满意 is written only on visit callbacks, where it reopens
nothing; two recent matter or ledger-item callbacks are answered 不满意 through the service, which reopens them.
A callback with no number to call is given up at its first call, noted 未登记电话, as the service records it."""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Min
from django.utils import timezone

from evaluation.models import Callback, CallbackAttempt, Satisfaction
from evaluation.models.callbacks import MAX_ATTEMPTS
from evaluation.selectors.callbacks import callbacks_without_phone
from evaluation.services.callbacks import callback_record, callbacks_create
from jingshi_jiafang.core.models import User
from visits.models import Visit

COMMENTS = [
    "民警很热情,讲了防诈骗的知识",
    "希望晚上村里多巡逻",
    "村口路灯坏了好久,希望能修一下",
    "民警留了电话,有事能找到人",
    "孩子户口的事还没办好",
    "邻居家的狗晚上叫,影响休息",
]
FALSE_VISIT_RATE = 0.004
MIN_FALSE_VISITS = 4


@dataclass(frozen=True)
class Answer:
    calls: int  # how many days it was called
    reached: bool
    visit_check: str = ""
    satisfaction: str = ""
    comment: str = ""
    note: str = ""  # on the calls, as the service notes a call to nobody


NO_PHONE = Answer(1, reached=False, note="未登记电话")


def _answer(callback: Callback, rng: random.Random, *, false_visit: bool, retried: bool) -> Answer:
    is_visit = callback.source == Callback.Source.VISIT
    roll = rng.random()
    if roll < 0.05:
        return Answer(MAX_ATTEMPTS, reached=False)
    calls = 2 if roll < 0.15 or retried else 1
    if false_visit:
        return Answer(calls, True, Callback.VisitCheck.DENIED, comment="家里没人见过民警上门")
    roll = rng.random()
    if roll < 0.80:
        satisfaction = Satisfaction.SATISFIED
    elif roll < 0.96 or not is_visit:
        satisfaction = Satisfaction.FAIRLY_SATISFIED
    else:
        satisfaction = Satisfaction.NOT_SATISFIED
    comment = rng.choice(COMMENTS) if rng.random() < 0.08 else ""
    return Answer(calls, True, Callback.VisitCheck.CONFIRMED if is_visit else "", satisfaction, comment)


def _at(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59))))


def seed_callbacks(*, rng: random.Random, today: date) -> int:
    """Returns how many callbacks there are."""
    evaluator = User.objects.filter(username="evaluator").first()
    first = Visit.objects.aggregate(first=Min("visited_at"))["first"]
    if evaluator is None or first is None:
        return 0
    day = timezone.localdate(first)
    while day < today:
        callbacks_create(day=day)
        day += timedelta(days=1)
    yesterday = today - timedelta(days=1)
    past = list(Callback.objects.filter(due_date__lt=today).order_by("pk").only("pk", "source", "due_date"))
    no_phone = set(callbacks_without_phone().filter(due_date__lt=today).values_list("pk", flat=True))
    # Two of yesterday's matters or ledger items the resident is not satisfied with, through the service that
    # reopens them; two of yesterday's callbacks not called at all (the queue's overdue part).
    due_yesterday = [callback for callback in past if callback.due_date == yesterday]
    unhappy = [c for c in due_yesterday if c.source != Callback.Source.VISIT and c.pk not in no_phone][:2]
    left = set([callback.pk for callback in due_yesterday if callback not in unhappy][:2] + [c.pk for c in unhappy])
    # Three of yesterday's not reached, so that today's queue has calls to try again.
    retried = {callback.pk for callback in due_yesterday if callback.pk not in left | no_phone}
    retried = set(sorted(retried)[:3])
    visits = [c.pk for c in past if c.source == Callback.Source.VISIT and c.pk not in left | no_phone]
    count = min(len(visits), max(MIN_FALSE_VISITS, int(len(visits) * FALSE_VISIT_RATE)))
    false_visits = set(rng.sample(visits, count))
    attempts = []
    groups: dict[tuple, list[int]] = defaultdict(list)
    for callback in past:
        if callback.pk in left:
            continue
        if callback.pk in no_phone:
            answer = NO_PHONE
        else:
            answer = _answer(callback, rng, false_visit=callback.pk in false_visits, retried=callback.pk in retried)
        last = callback.due_date + timedelta(days=answer.calls - 1)
        # Calls up to yesterday are made; one due today or later is still in the queue, tried again today.
        made = [callback.due_date + timedelta(days=n) for n in range(answer.calls)]
        made = [call_day for call_day in made if call_day < today]
        for call_day in made:
            attempts.append(
                CallbackAttempt(
                    callback_id=callback.pk,
                    caller=evaluator,
                    called_at=_at(call_day, rng),
                    call_date=call_day,
                    reached=answer.reached and call_day == last,
                    gave_up=not answer.reached and call_day == last,
                    note=answer.note,
                )
            )
        groups[(answer, last, len(made))].append(callback.pk)
    CallbackAttempt.objects.bulk_create(attempts, batch_size=2000)
    for (answer, last, made), pks in groups.items():
        if last >= today:
            done = {"due_date": today}
        elif answer.reached:
            done = {
                "due_date": last,
                "state": Callback.State.DONE,
                "done_by": evaluator,
                "done_at": timezone.make_aware(datetime.combine(last, time(18))),
                "visit_check": answer.visit_check,
                "satisfaction": answer.satisfaction,
                "comment": answer.comment,
            }
        else:
            done = {"due_date": last, "state": Callback.State.GIVEN_UP}
        Callback.objects.filter(pk__in=pks).update(attempts=made, **done)
    for callback in unhappy:
        callback_record(
            callback=callback,
            actor=evaluator,
            reached=True,
            satisfaction=Satisfaction.NOT_SATISFIED,
            comment="说是办好了,其实问题还在",
            today=yesterday,
        )
    return Callback.objects.count()
