"""Talk rooms (群众说事厅): walk-in intake, the duty roster and the callbacks of walk-in residents (定期回访制)."""

import dataclasses
import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback.errors import CardError, CardUsedUp
from feedback.models import DutyShift, EchoCard, Matter, TalkRoomCallback
from feedback.models.talkroom import SHIFT_UNDO_MINUTES
from feedback.selectors import uncovered
from feedback.workflows import CARD_FLOW, MATTER_FLOW
from jingshi_jiafang.core.audit import audit_record
from jingshi_jiafang.core.capabilities import may_arrange_duty, may_receive_walk_ins
from jingshi_jiafang.core.models import AuditEntry, Unit, User
from jingshi_jiafang.core.scopes import county_units
from jingshi_jiafang.core.services import person_hours_lock
from visits.models import NightVisitPlan
from visits.night import evening_window

from .cards import EchoResult, card_follow_up, card_matter, locked_card
from .intake import matter_register_once
from .matters import MatterError, callback_on, matter_reopen

CardState = EchoCard.State
# A roster is planned a few weeks ahead and corrected shortly after; a shift is one 24-hour duty (24小时值班制)
# at most. Anything outside is a typing mistake (year 0001 or 9999), not a shift.
SHIFT_PAST_DAYS = 31
SHIFT_FUTURE_DAYS = 366
SHIFT_MAX_HOURS = 24
# The room changes over at 08:00 and 20:00, a day shift and a night shift (the demo's roster keeps the same two):
# an uncovered stretch's 排班 offers its hours up to the next changeover.
SHIFT_CHANGEOVER_HOURS = (8, 20)
# Created by migration feedback.0002 on PostgreSQL only.
DUTY_SHIFT_OVERLAP_CONSTRAINT = "dutyshift_officer_no_overlap"


def duty_shift_times_error(starts_at: datetime, ends_at: datetime) -> tuple[str, str] | None:
    """What is wrong with a shift's times: the field to blame and the words for it; None when they are sane."""
    today = timezone.localdate()
    earliest, latest = today - timedelta(days=SHIFT_PAST_DAYS), today + timedelta(days=SHIFT_FUTURE_DAYS)
    if not earliest <= starts_at.date() <= latest:
        return "starts_at", f"开始时间须在 {earliest:%Y-%m-%d} 至 {latest:%Y-%m-%d} 之间。"
    if ends_at <= starts_at:
        return "ends_at", "班次结束时间须晚于开始时间。"
    if ends_at - starts_at > timedelta(hours=SHIFT_MAX_HOURS):
        return "ends_at", f"一个班次最长 {SHIFT_MAX_HOURS} 小时,请分成几个班次。"
    return None


def next_changeover(at: datetime) -> datetime:
    """The first changeover at least an hour after `at`: a stretch from 19:50 is offered until 08:00, not 20:00."""
    hour = timezone.localtime(at).replace(minute=0, second=0, microsecond=0)
    changeovers = (hour.replace(hour=h) + timedelta(days=d) for d in range(3) for h in SHIFT_CHANGEOVER_HOURS)
    return next(changeover for changeover in changeovers if changeover >= at + timedelta(hours=1))


def duty_uncovered(room: Unit, starts_at: datetime, ends_at: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches from `starts_at` to `ends_at` in which no shift of `room` has anyone in the talk room."""
    shifts = DutyShift.objects.filter(police_room=room, starts_at__lt=ends_at, ends_at__gt=starts_at)
    return uncovered(shifts.order_by("starts_at").values_list("starts_at", "ends_at"), starts_at, ends_at)


@transaction.atomic
def duty_shift_remove(*, shift: DutyShift, actor: User, request=None) -> list[tuple[datetime, datetime]]:
    """A shift entered by mistake, or to be changed (an officer to free for a night visit), goes while it has not
    begun, or in the minutes after it was entered (`DutyShift.removable`); one begun or past is the record of who
    kept the room. Audited, as the row is gone afterwards. Returns the stretches of its hours that no other shift
    now covers: the room is unattended then unless someone is added."""
    if not may_arrange_duty(actor, shift.police_room):
        raise MatterError("只有本警务室或上级派出所的负责人可以删除班次。")
    if not shift.removable:
        raise MatterError(
            f"已经开始或过去的班次不能删除:它是值班记录(刚添加的班次只在添加后 {SHIFT_UNDO_MINUTES} 分钟内可以删除)。"
        )
    detail = {
        "what": "duty_shift",
        "officer": shift.officer_id,
        "starts_at": timezone.localtime(shift.starts_at).isoformat(timespec="minutes"),
        "ends_at": timezone.localtime(shift.ends_at).isoformat(timespec="minutes"),
    }
    audit_record(action=AuditEntry.Action.DELETED, actor=actor, request=request, target=shift, detail=detail)
    room, starts_at, ends_at = shift.police_room, shift.starts_at, shift.ends_at
    shift.delete()
    return duty_uncovered(room, starts_at, ends_at)


def _check_no_night_visit(officer: User, starts_at: datetime, ends_at: datetime) -> None:
    """A shift through an evening's night-visit hour the officer is planned for would leave the room or the visit
    undone (`visits.services.night_plan_add` refuses the other way round)."""
    days = (timezone.localdate(starts_at), timezone.localdate(ends_at))
    for plan in NightVisitPlan.objects.filter(officer=officer, date__range=days).select_related("village"):
        start, end = evening_window(plan.date)
        if starts_at < end and ends_at > start:
            raise MatterError(
                f"{officer}在{plan.date.month}月{plan.date.day}日晚的夜访时段({start:%H:%M}–{end:%H:%M})已安排"
                f"走访{plan.village},班次不能与之重叠。请另排值班民警,或先在夜访安排中删除该安排。"
            )


@transaction.atomic
def duty_shift_add(
    *, police_room: Unit, officer: User, starts_at: datetime, ends_at: datetime, actor: User
) -> DutyShift:
    if not may_arrange_duty(actor, police_room):
        raise MatterError("只有本警务室或上级派出所的负责人可以排班。")
    if officer.unit_id != police_room.pk:
        raise MatterError(f"{officer}不是{police_room}的民警。")
    if error := duty_shift_times_error(starts_at, ends_at):
        raise MatterError(error[1])
    person_hours_lock(officer)
    overlap = f"{officer}在这段时间已有班次。"
    if DutyShift.objects.filter(officer=officer, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise MatterError(overlap)
    _check_no_night_visit(officer, starts_at, ends_at)
    # The lock on his hours makes the checks above see a shift another head is adding at this moment. Behind
    # them, on PostgreSQL, the exclusion constraint (feedback migration 0002) refuses an overlapping row however
    # it comes; here it reads the same as the check.
    try:
        with transaction.atomic():
            return DutyShift.objects.create(
                police_room=police_room, officer=officer, starts_at=starts_at, ends_at=ends_at
            )
    except IntegrityError as error:
        if DUTY_SHIFT_OVERLAP_CONSTRAINT not in str(error):
            raise
        raise MatterError(overlap) from error


@dataclasses.dataclass(frozen=True)
class WalkIn:
    """What a walk-in came to: a matter registered, with the query password for its slip (`created` False when
    this same form was sent before); or, told with an echo card whose matter exists, `follow_up`: what was added
    to that matter, which gets no slip (the resident's reference and passwords are those of the card's matter)."""

    matter: Matter
    password: str = ""
    created: bool = False
    follow_up: EchoResult | None = None
    # The closed matter of a used-up card the resident brought: the new matter is the household's, not the card's.
    used_up: Matter | None = None


@transaction.atomic
def walk_in_register(
    *,
    actor: User,
    submission_key: uuid.UUID,
    channel: str,
    content: str,
    resident_name: str,
    resident_phone: str = "",
    card_number: str = "",
    request=None,
) -> WalkIn:
    """首问责任制: whoever takes a matter in the talk room (in person, by phone or from the post box) owns it
    until they hand it on. The resident gets a reference and a query password on a slip, as an echo card gives
    them online. A resident who brings (or reads out) the echo card an officer left them answers it here as
    online: the matter is the card's, of the card's household; on a card answered before, what they say joins
    the card's matter as a follow-up, by the online echo's rule."""
    if not may_receive_walk_ins(actor):
        raise MatterError("群众说事厅设在中心警务室,只有警务室民警接待来访。")
    card = _card_to_answer(card_number, actor) if card_number else None
    household = card.household if card else None
    first = card_matter(card) if card else None
    used_up = None
    # The form that registered the card's matter, sent again, finds that matter below: it is no follow-up.
    if first is not None and first.submission_key != submission_key:
        try:
            follow_up = card_follow_up(
                card=card,
                content=content,
                submission_key=submission_key,
                actor=actor,
                resident_name=resident_name,
                resident_phone=resident_phone,
                when_closed="不能再追加。",
            )
        except CardUsedUp as closed:
            # A new matter, of the card's household (its officer sees it) but not on the card, used up by the
            # closed one: typed again without the number, it would be nobody's household's.
            card, used_up = None, closed.answer
        else:
            return WalkIn(follow_up.matter, follow_up=follow_up)
    matter, password, created = matter_register_once(
        submission_key=submission_key,
        channel=channel,
        content=content,
        unit=actor.unit,
        actor=actor,
        owner=actor,
        resident_name=resident_name,
        resident_phone=resident_phone,
        echo_card=card,
        household=household,
        request=request,
    )
    if card is not None and created:
        channel_label = Matter.Channel(channel).label
        CARD_FLOW.move(card, CardState.ECHOED, actor=actor, note=f"{channel_label}回音,诉求 {matter.reference}")
    return WalkIn(matter, password, created, used_up=used_up)


def _card_to_answer(number: str, actor: User) -> EchoCard:
    """The handed-out (or already answered) card this walk-in answers, locked. A card of another county's bureau
    is refused: its matter and household are that county's, which this talk room neither sees nor answers for."""
    card = locked_card(number)
    if card is None:
        raise CardError(f"没有卡号为 {number.strip()} 的回音卡,请核对卡上印的编号(如 SY-CD-2026-000123)。")
    if not county_units(actor).filter(pk=card.unit_id).exists():
        raise CardError(
            f"回音卡 {card.number} 是其他县(市、区)公安局发放的,不能在本县登记回音。"
            "请不填卡号登记,并告诉群众可向发卡的公安局反映。"
        )
    if card.state == CardState.VOIDED:
        raise CardError(f"回音卡 {card.number} 已作废({card.void_reason}),不能用来回音。请不填卡号登记。")
    if card.state not in (CardState.HANDED_OUT, CardState.ECHOED):
        raise CardError(f"回音卡 {card.number} 当前为“{card.get_state_display()}”,还没有发放给住户,不能用来回音。")
    return card


@transaction.atomic
def callback_record(
    *, callback: TalkRoomCallback, actor: User, outcome: str, note: str, request=None
) -> TalkRoomCallback:
    """Record a scheduled callback once; a resident not satisfied reopens the matter. A matter handled again
    since (reopened by the evaluation centre's callback) has no answer to ask about until it is closed again."""
    matter = MATTER_FLOW.lock(callback.matter)
    answer = matter.duplicate_of if matter.state == Matter.State.MERGED else matter
    if answer.state != Matter.State.CLOSED:
        raise MatterError("这件诉求正在重新办理,办结后再回访。")
    updated = TalkRoomCallback.objects.filter(pk=callback.pk, done_at__isnull=True).update(
        outcome=outcome, note=note, done_by=actor, done_at=timezone.now()
    )
    if updated == 0:
        raise MatterError("这次回访已经记录过了。")
    callback.refresh_from_db()
    if outcome == TalkRoomCallback.Outcome.NOT_SATISFIED:
        matter_reopen(matter=callback.matter, actor=actor, reason=note or "群众不满意", request=request)
    if outcome == TalkRoomCallback.Outcome.UNREACHABLE and calls_again(callback):
        callback_on(callback.matter, timezone.localdate() + timedelta(days=1))
    return callback


# 联系不上 on a talk-room callback: called again the next day, as the evaluation centre's callbacks are, this many
# times in a row on one answer.
CALLBACK_TRIES = 3


def calls_again(callback: TalkRoomCallback) -> bool:
    """Whether a callback that found nobody is tried again tomorrow: not when the resident left no number (a
    walk-in who gave none), which no second day would change, nor after CALLBACK_TRIES in a row."""
    return bool(callback.matter.resident_phone) and unreachable_tries(callback) < CALLBACK_TRIES


def unreachable_tries(callback: TalkRoomCallback) -> int:
    """The calls in a row that found nobody, about the answer this callback asked about (since it was given)."""
    matter = callback.matter
    answer = matter.duplicate_of if matter.state == Matter.State.MERGED else matter
    done = matter.callbacks.filter(done_at__gte=answer.closed_at).exclude(pk=callback.pk).order_by("-done_at")
    tries = 1
    for outcome in done.values_list("outcome", flat=True):
        if outcome != TalkRoomCallback.Outcome.UNREACHABLE:
            break
        tries += 1
    return tries
