"""A small hand-built day for the summary tables and the dashboard: two villages of one town, every kind of
source record, with the counts worked out by hand in `test_summaries_refresh.py`."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from evaluation.models import Callback, CallbackAttempt
from feedback.models import Category, Matter, MatterEvent
from jingshi_jiafang.core.models import Area, Household, Unit, User
from ledger.models import Ledger, LedgerItem, LedgerItemEvent
from tests.core.factories import HouseholdFactory, PoliceRoomFactory, TownFactory, UserFactory, VillageFactory
from tests.evaluation.factories import VisitCallbackFactory
from tests.visits.factories import NightVisitPlanFactory, VisitFactory
from visits.models import Finding, RegistrationCorrection, Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 18)
_references = itertools.count(1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def backdate(model, pk: int, **fields) -> None:
    # History rows are append-only through their managers; a test sets their time with a plain queryset.
    QuerySet(model=model).filter(pk=pk).update(**fields)


def matter(*, unit: Unit, household: Household | None, created: datetime, category: str = "", **fields) -> Matter:
    made = Matter.objects.create(
        reference=f"{next(_references):012d}",
        channel=Matter.Channel.VISIT,
        unit=unit,
        household=household,
        content="路灯坏了",
        category=category,
        **fields,
    )
    backdate(Matter, made.pk, created_at=created)
    return made


def close_matter(made: Matter, *, when: datetime, deadline: datetime | None) -> None:
    Matter.objects.filter(pk=made.pk).update(state=Matter.State.CLOSED, result="已解决", deadline=deadline)
    event = MatterEvent.objects.create(matter=made, from_state=Matter.State.HANDLING, to_state=Matter.State.CLOSED)
    backdate(MatterEvent, event.pk, at=when)


def note_on_closed(history, *, state: str, when: datetime, **owner) -> None:
    event = history.objects.create(**owner, from_state=state, to_state=state, note="确认类别")
    backdate(history, event.pk, at=when)


def closed_item(
    *, household: Household, unit: Unit, source: str, deadline: date, when: datetime, users: tuple[User, User]
) -> LedgerItem:
    ledger, _ = Ledger.objects.get_or_create(kind=Ledger.Kind.HOUSEHOLD, household=household)
    item = LedgerItem.objects.create(
        ledger=ledger,
        household=household,
        what="修路灯",
        unit=unit,
        deadline=deadline,
        state=LedgerItem.State.CLOSED,
        source=source,
        delivered_by=users[0],
        delivered_at=when,
        closed_by=users[1],
        closed_at=when,
    )
    event = LedgerItemEvent.objects.create(
        item=item, from_state=LedgerItem.State.DELIVERED, to_state=LedgerItem.State.CLOSED
    )
    backdate(LedgerItemEvent, event.pk, at=when)
    return item


def forget_pending_refreshes() -> None:
    """The test's transaction never commits: drop the summaries refresh the records above scheduled for the
    commit, as if they had been entered days ago, so that a later capture of on-commit callbacks sees its own."""
    from django.db import connection

    from evaluation.receivers import _PendingRefresh

    connection.run_on_commit[:] = [
        entry for entry in connection.run_on_commit if not isinstance(entry[1], _PendingRefresh)
    ]


@dataclass
class HandBuiltDay:
    town: Area
    village_1: Area
    village_2: Area
    room_1: Unit
    room_2: Unit
    officer_1: User
    officer_2: User
    households: list[Household]
    day_visit: Visit


def build_day(day: date = DAY) -> HandBuiltDay:
    """The day's records (see test_refresh_counts_a_hand_built_day for what they add up to)."""
    town = TownFactory(name="东关镇")
    village_1 = VillageFactory(parent=town, name="东湖村")
    village_2 = VillageFactory(parent=town, name="南湖村", unit=PoliceRoomFactory(parent=town.unit))
    room_1, room_2 = village_1.unit, village_2.unit
    officer_1 = UserFactory(unit=room_1, name="民警甲")
    officer_2 = UserFactory(unit=room_2, name="民警乙")
    evaluator = UserFactory(role=User.Role.EVALUATOR, unit=town.unit, name="访评员")
    h1, h2 = HouseholdFactory(village=village_1), HouseholdFactory(village=village_1)
    h3 = HouseholdFactory(village=village_2)

    # Earlier visits: h1 last month (so the day is its first of the month, not of the year); h2 earlier this
    # month (neither); h3 never.
    VisitFactory(visitor=officer_1, household=h1, visited_at=at(day.replace(day=1) - timedelta(days=5), 10))
    VisitFactory(visitor=officer_1, household=h2, visited_at=at(day.replace(day=2), 10))

    day_visit = VisitFactory(visitor=officer_1, household=h1, visited_at=at(day, 10))
    night_visit = VisitFactory(
        visitor=officer_1, household=h1, kind=Visit.Kind.NIGHT, visited_at=at(day, 20, 30), created_at=at(day, 21)
    )
    VisitFactory(visitor=officer_1, household=h2, kind=Visit.Kind.TOPIC, visited_at=at(day, 15))
    other_village_visit = VisitFactory(visitor=officer_2, household=h3, visited_at=at(day, 9))
    # Not the day: the next morning's visit counts tomorrow.
    VisitFactory(visitor=officer_2, household=h3, visited_at=at(day + timedelta(days=1), 0, 30))

    for field in (RegistrationCorrection.Field.PHONE, RegistrationCorrection.Field.EDUCATION):
        RegistrationCorrection.objects.create(visit=day_visit, household=h1, field=field, new_value="新值")
    Finding.objects.create(visit=day_visit, kind=Finding.Kind.DISPUTE, description="邻里纠纷", mediated_on_spot=True)
    Finding.objects.create(visit=day_visit, kind=Finding.Kind.DISPUTE, description="宅基地纠纷")
    Finding.objects.create(visit=night_visit, kind=Finding.Kind.STABILITY, description="上访苗头")
    Finding.objects.create(visit=night_visit, kind=Finding.Kind.CASE_CLUE, description="可疑车辆")
    Finding.objects.create(visit=day_visit, kind=Finding.Kind.PROBLEM_SOLVED, description="低保申请")

    NightVisitPlanFactory(officer=officer_1, village=village_1, date=day, planned_by__unit=room_1)
    NightVisitPlanFactory(officer=officer_2, village=village_2, date=day, planned_by__unit=room_2)

    m1 = matter(unit=room_1, household=h1, created=at(day, 11), category=Category.PUBLIC_SECURITY)
    matter(unit=room_2, household=h3, created=at(day, 12))
    matter(unit=room_1, household=None, created=at(day, 13), category=Category.LITIGATION)
    close_matter(m1, when=at(day, 17), deadline=at(day + timedelta(days=3), 17))
    late = matter(unit=room_1, household=h2, created=at(day - timedelta(days=10), 9))
    close_matter(late, when=at(day, 16), deadline=at(day - timedelta(days=2), 17))
    # Notes written on closed ones the same day (a category confirmed, a rating): no closing.
    note_on_closed(MatterEvent, matter=m1, state=Matter.State.CLOSED, when=at(day, 19))

    confirmed = VisitCallbackFactory(
        visit=day_visit,
        state=Callback.State.DONE,
        visit_check=Callback.VisitCheck.CONFIRMED,
        satisfaction="satisfied",
        done_by=evaluator,
        done_at=at(day, 14),
    )
    denied = VisitCallbackFactory(
        visit=night_visit,
        state=Callback.State.DONE,
        visit_check=Callback.VisitCheck.DENIED,
        satisfaction="not_satisfied",
        done_by=evaluator,
        done_at=at(day, 14, 30),
    )
    unreached = VisitCallbackFactory(visit=other_village_visit, attempts=3, state=Callback.State.GIVEN_UP)
    for callback, reached, gave_up in ((confirmed, True, False), (denied, True, False), (unreached, False, True)):
        CallbackAttempt.objects.create(
            callback=callback,
            caller=evaluator,
            called_at=at(day, 14),
            call_date=day,
            reached=reached,
            gave_up=gave_up,
        )

    closer = UserFactory(unit=room_1, name="所长")
    closed_item(
        household=h1,
        unit=room_1,
        source=LedgerItem.Source.MATTER,
        deadline=day,
        when=at(day, 18),
        users=(officer_1, closer),
    )
    noted = closed_item(
        household=h2,
        unit=room_1,
        source=LedgerItem.Source.VISIT,
        deadline=day - timedelta(days=5),
        when=at(day, 18),
        users=(officer_1, closer),
    )
    note_on_closed(LedgerItemEvent, item=noted, state=LedgerItem.State.CLOSED, when=at(day, 19))
    forget_pending_refreshes()
    return HandBuiltDay(town, village_1, village_2, room_1, room_2, officer_1, officer_2, [h1, h2, h3], day_visit)
