"""Demo feedback: the matters heard on the demo visits and at the demo talk room, taken along the flow as far as
their dates reach; last month's topic visits; echo cards; a duty roster; and today's work at the talk room."""

import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from feedback import services
from feedback.demo_texts import MATTER_TEXTS, PROGRESS_NOTES, RESULTS, SEND_BACK_REASONS
from feedback.models import Category, DutyShift, Matter, MatterEvent, TalkRoomCallback, TopicVisitMatter
from feedback.selectors import matters_visible_to
from feedback.services.matters import deadline_for
from feedback.services.talkroom import SHIFT_CHANGEOVER_HOURS
from feedback.workflows import ALLOWED_TRANSITIONS
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.history import recorded_times
from jingshi_jiafang.core.models import Unit, User
from visits import demo_names as names
from visits.demo_history import first_head_of_each_unit
from visits.models import NightVisitPlan, Visit

State = Matter.State
BATCH_SIZE = 2000
REQUEST_RATE = 0.2  # a request heard on one visit in five
WALK_INS_PER_DAY = 0.8  # at the demo talk room
# The talk-room callbacks due today and on the days before are left to make, as at a busy desk: whoever tries the
# demo as its duty officer finds some waiting, a day or two late among them.
CALLBACKS_WAITING_DAYS = 2
# The legal department's categories, by how often residents raise them.
CATEGORY_WEIGHTS = {
    Category.PUBLIC_SECURITY: 34,
    Category.LAW_ENFORCEMENT: 30,
    Category.FORCE_CONDUCT: 10,
    Category.LITIGATION: 8,
    Category.OTHER: 18,
}
DUPLICATE_RATE = 0.05  # heard again while the first report is still open: merged at analysis
SEND_BACK_RATE = 0.04  # 退单: the assignee sends it back, the station takes it over
LATE_RATE = 0.1  # closed after the deadline, escalated (督办) on the way
STUCK_RATE = 0.025  # still open long after the deadline
# A matter in litigation waits on a court, one about the force's conduct on an inquiry: a unit's first of each in a
# month stays open for months, so every closed month has open matters for a leader's topic visit to take along.
LONG_RUNNING = (Category.LITIGATION, Category.FORCE_CONDUCT)
URGENT_RATE = 0.06
ESCALATION_NOTE = "超期,督办至单位负责人"
CATEGORIES = list(CATEGORY_WEIGHTS)


class Follower(Protocol):
    """What follows the history's matters as they move, as the services make the ledger follow a live matter
    (`ledger.demo_matters.MatterItems`: feedback does not import the later ledger app, the top layer hands it in)."""

    def moved(self, matter: Matter, at: datetime, actor: User) -> None:
        """`matter` has just moved, at `at`, by `actor`; its state and fields are those the move gave it."""


def seed_matter_history(
    *, rng: random.Random, visits: list[Visit], officer_of: dict[int, User], follower: Follower | None = None
) -> int:
    """Every fifth demo visit heard a request, and the demo talk room has walk-ins; each matter is taken along
    the flow with the dates it would have had, as far as they reach now, `follower` told of each move. `visits`
    and `officer_of` (household id → its officer) are the loader's own, so nothing is read back from the freshly
    bulk-loaded tables. Returns the number of matters."""
    history = _MatterHistory(rng, officer_of, follower)
    duty = User.objects.filter(username="duty").select_related("unit").first()
    walk_ins = _walk_in_moments(rng, visits, history.now) if duty else []
    moments = [(visit.visited_at, visit) for visit in visits if rng.random() < REQUEST_RATE]
    moments += [(moment, None) for moment in walk_ins]
    for moment, visit in sorted(moments, key=lambda pair: pair[0]):
        if visit is not None:
            history.hear_on_visit(visit)
        else:
            history.hear_at_talk_room(moment, duty)
    history.save()
    return len(history.matters)


def _walk_in_moments(rng: random.Random, visits: list[Visit], now: datetime) -> list[datetime]:
    if not visits:
        return []
    first = timezone.localdate(visits[0].visited_at)
    days = (timezone.localdate(now) - first).days
    moments = []
    for offset in range(days + 1):
        for _ in range(int(WALK_INS_PER_DAY + rng.random())):
            moment = datetime.combine(first + timedelta(days=offset), time(rng.randint(7, 21), rng.randrange(60)))
            moment = timezone.make_aware(moment)
            if moment < now:
                moments.append(moment)
    return moments


def _hours(rng: random.Random, mean: float) -> timedelta:
    return timedelta(hours=min(rng.expovariate(1 / mean), mean * 6) + 0.1)


def _next_hour(moment: datetime) -> datetime:
    """The hourly escalation job runs on the hour."""
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class _MatterHistory:
    def __init__(self, rng: random.Random, officer_of: dict[int, User], follower: Follower | None):
        self.rng = rng
        self.officer_of = officer_of
        self.follower = follower
        self.now = timezone.now()
        self.matters: list[Matter] = []
        self.events: dict[int, list[MatterEvent]] = {}  # id(matter) → its events, in order
        self.callbacks: list[TalkRoomCallback] = []
        # (unit, category) → matters not merged, with the moment they close (None: open now), for duplicates
        self.heard: dict[tuple[int, str], list[tuple[Matter, datetime | None]]] = {}
        self.long_running: set[tuple[int, str, int, int]] = set()  # (unit, category, year, month) kept open
        heads = first_head_of_each_unit()
        duty = {user.unit_id: user for user in User.objects.filter(role=User.Role.DUTY_OFFICER)}
        parent_of = dict(Unit.objects.values_list("pk", "parent_id"))
        # The responsible unit's duty officer or head, or its station's head, analyses and dispatches.
        self.dispatcher = {
            unit: duty.get(unit) or heads.get(unit) or heads.get(parent) for unit, parent in parent_of.items()
        }
        self.station_head = {unit: heads.get(parent) or heads.get(unit) for unit, parent in parent_of.items()}

    def hear_on_visit(self, visit: Visit) -> None:
        household = visit.household
        registered = visit.visited_at + timedelta(minutes=self.rng.randint(10, 90))
        if registered >= self.now:
            return
        matter = Matter(
            channel=Matter.Channel.VISIT,
            household=household,
            village_id=household.village_id,
            visit=visit,
            unit_id=household.village.unit_id,
            reported_by=visit.visitor,
        )
        self._follow(matter, registered, self.officer_of.get(household.pk))

    def hear_at_talk_room(self, moment: datetime, duty: User) -> None:
        matter = Matter(
            channel=Matter.Channel.TALK_ROOM,
            unit=duty.unit,
            owner=duty,
            resident_name=names.person_name(self.rng),
            resident_phone=f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}",
            reported_by=duty,
        )
        self._follow(matter, moment, duty)

    def _follow(self, matter: Matter, registered: datetime, officer: User | None) -> None:
        rng = self.rng
        category = rng.choices(CATEGORIES, weights=list(CATEGORY_WEIGHTS.values()))[0]
        matter.content = rng.choice(MATTER_TEXTS[category])
        matter.reference = f"{timezone.localtime(registered):%y%m%d}{len(self.matters):06d}"
        matter.created_at = matter.updated_at = registered
        self.matters.append(matter)
        self.events[id(matter)] = []
        self._event(matter, registered, "", State.REPORTED, matter.reported_by, f"登记({matter.get_channel_display()})")
        dispatcher = self.dispatcher.get(matter.unit_id) or matter.reported_by
        analysed = registered + _hours(rng, 14)
        if analysed > self.now:
            return
        target = self._open_duplicate(matter.unit_id, category, analysed) if rng.random() < DUPLICATE_RATE else None
        if target is not None:
            matter.content = target.content
            matter.duplicate_of = target
            self._move(matter, analysed, State.MERGED, dispatcher, f"与诉求 {target.reference} 重复,合并办理")
            return
        closes = self._plan(matter, category, registered, analysed, dispatcher, officer)
        self.heard.setdefault((matter.unit_id, category), []).append((matter, closes))

    def _plan(self, matter, category, registered, analysed, dispatcher, officer) -> datetime | None:
        """The steps this matter takes, applied up to now. Returns when it closes (None: not by now)."""
        rng = self.rng
        urgency = Matter.Urgency.URGENT if rng.random() < URGENT_RATE else Matter.Urgency.NORMAL
        # Complaints about the force and matters in litigation go to the station head; the rest to the officer.
        head = self.station_head.get(matter.unit_id)
        handler = head if category in (Category.FORCE_CONDUCT, Category.LITIGATION) or officer is None else officer
        handler = handler or dispatcher
        steps = [(analysed, State.ANALYSED, dispatcher, "研判", {"category": category, "urgency": urgency})]
        dispatched = analysed + _hours(rng, 8)
        steps.append((dispatched, State.DISPATCHED, dispatcher, f"分流至{handler.unit}", self._dispatch(handler)))
        if rng.random() < SEND_BACK_RATE and head is not None and handler != head:
            sent_back = dispatched + _hours(rng, 12)
            reason = f"退单:{rng.choice(SEND_BACK_REASONS)}"
            undo = {"assigned_unit": None, "assignee": None, "deadline": None, "escalated_at": None}
            steps.append((sent_back, State.ANALYSED, handler, reason, undo))
            handler, dispatched = head, sent_back + _hours(rng, 6)
            steps.append((dispatched, State.DISPATCHED, dispatcher, f"分流至{handler.unit}", self._dispatch(handler)))
        started = dispatched + _hours(rng, 16)
        steps.append((started, State.HANDLING, handler, "开始处理", {}))
        deadline = deadline_for(category=category, urgency=urgency, start=dispatched)
        chance = rng.random()
        if chance < STUCK_RATE or self._first_long_running(matter, category, registered):
            closes = None
        elif chance < STUCK_RATE + LATE_RATE:
            closes = max(deadline, started) + timedelta(hours=rng.uniform(12, 240))
        else:
            closes = started + max(deadline - started, timedelta(hours=4)) * rng.uniform(0.15, 0.9)
        ends = closes or self.now
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            noted = started + (ends - started) * rng.uniform(0.1, 0.9)
            steps.append((noted, None, handler, rng.choice(PROGRESS_NOTES), {}))
        steps.sort(key=lambda step: step[0])
        if closes is not None:
            reply = rng.choices(list(Matter.ReplyMethod), weights=(4, 5, 1, 1))[0]
            if reply == Matter.ReplyMethod.PHONE and not matter.contact_phone:
                reply = Matter.ReplyMethod.IN_PERSON  # nobody to phone: told at the door, as matter_close requires
            result = {"result": rng.choice(RESULTS[category]), "reply_method": reply, "closed_at": closes}
            steps.append((closes, State.CLOSED, handler, f"办结({reply.label})", result))
        for at, to_state, actor, note, fields in steps:
            self._escalate_until(matter, min(at, self.now))
            if at > self.now:
                return None
            if to_state is None:
                self._event(matter, at, matter.state, matter.state, actor, note)
                continue
            for name, value in fields.items():
                setattr(matter, name, value)
            if to_state == State.DISPATCHED:
                matter.deadline = deadline_for(category=category, urgency=urgency, start=at)
            self._move(matter, at, to_state, actor, note)
        self._escalate_until(matter, self.now)
        if matter.state == State.CLOSED and matter.channel == Matter.Channel.TALK_ROOM:
            self._callback(matter)
        return closes

    def _first_long_running(self, matter: Matter, category: str, registered: datetime) -> bool:
        if category not in LONG_RUNNING:
            return False
        key = (matter.unit_id, category, registered.year, registered.month)
        first = key not in self.long_running
        self.long_running.add(key)
        return first

    def _dispatch(self, handler: User) -> dict:
        # The unit itself, which the handler has loaded: the follower reads it as the ledger's service does.
        return {"assigned_unit": handler.unit, "assignee": handler, "escalated_at": None}

    def _move(self, matter: Matter, at: datetime, to_state: str, actor: User, note: str) -> None:
        # The demo takes the same moves as the services: a step the map does not allow is a bug here.
        assert to_state in ALLOWED_TRANSITIONS[matter.state], (matter.state, to_state)
        self._event(matter, at, matter.state, to_state, actor, note)
        matter.state = to_state
        matter.updated_at = at
        if self.follower is not None:
            self.follower.moved(matter, at, actor)

    def _event(self, matter, at, from_state, to_state, actor, note) -> None:
        self.events[id(matter)].append(
            MatterEvent(from_state=from_state, to_state=to_state, actor=actor, note=note, at=at)
        )

    def _escalate_until(self, matter: Matter, moment: datetime) -> None:
        """The hourly job flags an open matter once, on the first hour past its deadline."""
        if not matter.is_open or matter.deadline is None or matter.escalated_at is not None:
            return
        escalated = _next_hour(matter.deadline)
        if escalated <= moment:
            matter.escalated_at = escalated
            self._event(matter, escalated, matter.state, matter.state, None, ESCALATION_NOTE)

    def _open_duplicate(self, unit_id: int, category: str, moment: datetime) -> Matter | None:
        """The latest matter of the same unit and category heard before and still open at `moment`."""
        for earlier, closes in reversed(self.heard.get((unit_id, category), [])):
            if earlier.created_at < moment and (closes is None or closes > moment):
                return earlier
        return None

    def _callback(self, matter: Matter) -> None:
        """定期回访制: the walk-in resident is called back a set number of days after closing."""
        due = timezone.localdate(matter.closed_at) + timedelta(days=settings.TALK_ROOM_CALLBACK_DAYS)
        callback = TalkRoomCallback(matter=matter, due_date=due)
        done_at = timezone.make_aware(datetime.combine(due, time(10, self.rng.randrange(60))))
        if due < timezone.localdate(self.now) - timedelta(days=CALLBACKS_WAITING_DAYS):
            callback.outcome = self.rng.choices(
                [TalkRoomCallback.Outcome.SATISFIED, TalkRoomCallback.Outcome.UNREACHABLE], weights=(9, 1)
            )[0]
            callback.note = "群众对办理结果表示满意" if callback.outcome == "satisfied" else "电话无人接听"
            callback.done_by, callback.done_at = matter.owner, done_at
        self.callbacks.append(callback)

    def save(self) -> None:
        """Matters a duplicate points at go in first, so the merged ones can refer to their ids."""
        with recorded_times(Matter._meta.get_field("created_at"), Matter._meta.get_field("updated_at")):
            Matter.objects.bulk_create([m for m in self.matters if m.duplicate_of is None], batch_size=BATCH_SIZE)
            Matter.objects.bulk_create([m for m in self.matters if m.duplicate_of is not None], batch_size=BATCH_SIZE)
        events = []
        for matter in self.matters:
            for event in self.events[id(matter)]:
                event.matter = matter
                events.append(event)
        with recorded_times(MatterEvent._meta.get_field("at")):
            MatterEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        TalkRoomCallback.objects.bulk_create(self.callbacks, batch_size=BATCH_SIZE)


TOPIC_TITLES = {
    Category.PUBLIC_SECURITY: "防盗防骗和夜间巡逻",
    Category.LAW_ENFORCEMENT: "户籍证件便民办理",
    Category.FORCE_CONDUCT: "民警作风群众评议",
    Category.LITIGATION: "积案进展当面答复",
}
TOPIC_DEPARTMENTS = {
    Category.PUBLIC_SECURITY: "治安管理大队、刑事侦查大队",
    Category.LAW_ENFORCEMENT: "治安管理大队、户政窗口",
    Category.FORCE_CONDUCT: "督察室、政工室",
    Category.LITIGATION: "法制大队、刑事侦查大队",
}


def seed_topic_visits(*, rng: random.Random, today: date) -> int:
    """Last month's topic visits: the leader takes matters of each category, heard in the linked town last month,
    into the homes they came from."""
    leader = User.objects.filter(username="leader").first()
    if leader is None:
        return 0
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    heard = matters_visible_to(leader).filter(
        household__isnull=False, duplicate_of__isnull=True, created_at__date__gte=month, created_at__date__lt=today
    )
    created = 0
    for category, title in TOPIC_TITLES.items():
        matters = list(heard.filter(category=category).order_by("created_at")[:40])
        if not matters:
            continue
        topic = services.topic_visit_create(
            leader=leader,
            staff=[],
            category=category,
            month=month,
            title=title,
            departments=TOPIC_DEPARTMENTS[category],
        )
        services.topic_visit_add_matters(
            topic_visit=topic, actor=leader, matters=rng.sample(matters, min(3, len(matters)))
        )
        for item in TopicVisitMatter.objects.filter(topic_visit=topic).select_related("matter")[:2]:
            solution = rng.choice(RESULTS[category])
            services.topic_visit_record_solution(item=item, actor=leader, solution=solution, people_met="户主本人")
        created += 1
    return created


def seed_feedback(*, rng: random.Random, today: date) -> None:
    """Echo cards, a duty roster and today's work at the demo officer's talk room."""
    duty = User.objects.filter(username="duty").select_related("unit").first()
    officer = User.objects.filter(username="officer").select_related("unit").first()
    head = User.objects.filter(username="station").first()
    if not (duty and officer and head):
        return
    _cards(rng, officer, head)
    _roster(duty, officer, head, today)
    _todays_matters(rng, duty, officer)


def _pick_text(rng: random.Random) -> tuple[str, str]:
    category = rng.choices(CATEGORIES, weights=list(CATEGORY_WEIGHTS.values()))[0]
    return category, rng.choice(MATTER_TEXTS[category])


def _cards(rng: random.Random, officer: User, head: User) -> None:
    batch = services.card_batch_issue(unit=officer.unit, count=40, actor=head)
    cards = list(batch.cards.order_by("sequence"))
    # Cards are left at households: the officer's organisation visits have none to leave them with.
    visits = officer.visits.filter(household__isnull=False).select_related("household")
    visits = list(visits.order_by("-visited_at")[:20])
    for card, visit in zip(cards, visits, strict=False):
        services.card_hand_out(number=card.number, household=visit.household, actor=officer, visit=visit)
    for card in cards[:5]:
        services.card_echo(
            number=card.number,
            code=card.verification_code,
            content=_pick_text(rng)[1],
            submission_key=uuid.UUID(int=rng.getrandbits(128)),
        )
    for card in cards[-2:]:
        services.card_void(card=card, actor=head, reason=rng.choice(["遗失", "损坏"]))


def _roster(duty: User, officer: User, head: User, today: date) -> None:
    """Days to the duty officer; each night to the first of the room's officers (the demo officer first) with no
    night visit planned that evening, as the roster refuses a shift through a planned visit's hour. On an evening
    all of them are planned, the duty officer stays on through the night (24小时值班制: the room is never left
    without anyone; he is planned for no night visit) and has the next day off, the demo officer taking it."""
    tz = timezone.get_current_timezone()
    room = [officer, *User.objects.filter(unit=duty.unit, role=User.Role.OFFICER).exclude(pk=officer.pk)]
    days = [today + timedelta(days=offset) for offset in range(-3, 8)]
    planned = set(NightVisitPlan.objects.filter(officer__in=room, date__in=days).values_list("officer", "date"))
    last_night = None
    made = []
    for day in days:
        morning = datetime.combine(day, time(SHIFT_CHANGEOVER_HOURS[0]), tz)
        day_officer = officer if last_night == duty else duty
        free = [person for person in room if (person.pk, day) not in planned]
        last_night = next((person for person in free if person != day_officer), free[0] if free else duty)
        for person, starts_at in ((day_officer, morning), (last_night, morning + timedelta(hours=12))):
            shift = services.duty_shift_add(
                police_room=duty.unit,
                officer=person,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=12),
                actor=head,
            )
            made.append(shift.pk)
    # Entered ahead, as a head makes a roster: not "just now", which would offer 删除 on the shift running since
    # this morning (a running shift can be taken back only in the minutes after it was entered).
    entered = datetime.combine(days[0] - timedelta(days=1), time(SHIFT_CHANGEOVER_HOURS[0]), tz)
    DutyShift.objects.filter(pk__in=made).update(created_at=entered)


def _todays_matters(rng: random.Random, duty: User, officer: User) -> None:
    """Today at the talk room, through the real services: a walk-in still with its first receiver, one handed
    over, a call analysed and a second call about the same thing merged into it, a letter dispatched, and a call
    already being handled."""
    registered = []
    channels = [Matter.Channel.TALK_ROOM, Matter.Channel.TALK_ROOM, Matter.Channel.PHONE, Matter.Channel.POST_BOX]
    for channel in [*channels, Matter.Channel.PHONE]:
        category, content = _pick_text(rng)
        matter = services.matter_register(
            channel=channel,
            content=content,
            unit=duty.unit,
            actor=duty,
            owner=duty,
            resident_name=names.person_name(rng),
        )
        registered.append((matter, category))
    _walk_in, (handed, _), (call, call_category), *to_dispatch = registered
    services.matter_hand_over(matter=handed, actor=duty, to_user=officer, note="交班,请继续跟进")
    call = services.matter_analyse(matter=call, actor=duty, category=call_category, urgency=Matter.Urgency.NORMAL)
    again = services.matter_register(
        channel=Matter.Channel.PHONE, content=call.content, unit=duty.unit, actor=duty, owner=duty, resident_name="匿名"
    )
    services.matter_merge(matter=again, actor=duty, into=call)
    for matter, category in to_dispatch:
        matter = services.matter_analyse(matter=matter, actor=duty, category=category, urgency=Matter.Urgency.NORMAL)
        matter = services.matter_dispatch(matter=matter, actor=duty, assigned_unit=officer.unit, assignee=officer)
    matter = services.matter_start(matter=matter, actor=officer)
    services.matter_progress(matter=matter, actor=officer, note=rng.choice(PROGRESS_NOTES))
    services.escalate_overdue_matters(actor=system_actor())
