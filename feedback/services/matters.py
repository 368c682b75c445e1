"""The flow of a resident's matter: 汇报 reported → 研判 analysed → 分流 dispatched → 处理 handling → 办结 closed.

One map, ALLOWED_TRANSITIONS, says which moves exist; every transition function enforces it, and the matter page
asks the same map which buttons to show. Each move locks the row, saves with update_fields, and writes its
MatterEvent and audit entry in the same transaction.
"""

import secrets
import string
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from feedback.models import Category, Matter, MatterEvent, MatterHandover, TalkRoomCallback
from feedback.models.matters import NOTE_MAX_LENGTH, RESULT_MAX_LENGTH
from feedback.selectors import RATINGS, answer_rating
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.models import Household, Unit, User
from visits.models import Visit

State = Matter.State

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    State.REPORTED: {State.ANALYSED, State.MERGED},
    State.ANALYSED: {State.DISPATCHED, State.MERGED},
    # 退单: a wrongly routed matter goes back to the dispatcher, i.e. to 研判.
    State.DISPATCHED: {State.HANDLING, State.ANALYSED},
    State.HANDLING: {State.CLOSED, State.ANALYSED},
    # A callback that finds the resident not satisfied reopens a closed matter.
    State.CLOSED: {State.HANDLING},
    State.MERGED: set(),
}


class MatterError(Exception):
    """A move the flow does not allow; the message is shown to the user."""


def _bounded(text: str, limit: int, what: str) -> str:
    """The forms bound every text; this keeps any other caller to the same bound."""
    if len(text) > limit:
        raise MatterError(f"{what}最多 {limit} 个字(现有 {len(text)} 个字),请精简后再提交。")
    return text


def deadline_for(*, category: str, urgency: str, start=None):
    days = settings.MATTER_DEADLINE_DAYS["urgent" if urgency == Matter.Urgency.URGENT else category or Category.OTHER]
    return (start or timezone.now()) + timedelta(days=days)


def new_reference() -> str:
    """A tracking number a resident can read out on the phone: the date and six random digits."""
    while True:
        reference = timezone.localdate().strftime("%y%m%d") + "".join(secrets.choice(string.digits) for _ in range(6))
        if not Matter.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def matter_register(
    *,
    channel: str,
    content: str,
    unit: Unit,
    actor: User | None,
    household: Household | None = None,
    visit: Visit | None = None,
    echo_card=None,
    resident_name: str = "",
    resident_phone: str = "",
    query_password: str = "",
    owner: User | None = None,
    submission_key: uuid.UUID | None = None,
    request=None,
) -> Matter:
    """A matter heard on any channel enters the flow as 汇报 (reported)."""
    matter = Matter.objects.create(
        reference=new_reference(),
        channel=channel,
        content=content,
        unit=unit,
        household=household,
        visit=visit,
        echo_card=echo_card,
        resident_name=resident_name,
        resident_phone=resident_phone,
        query_password_hash=make_password(query_password) if query_password else "",
        owner=owner,
        submission_key=submission_key,
        reported_by=actor,
    )
    MatterEvent.objects.create(
        matter=matter, to_state=State.REPORTED, actor=actor, note=f"登记({matter.get_channel_display()})"
    )
    audit_record(
        action=Action.STATE_CHANGED, actor=actor, request=request, target=matter, detail={"to": State.REPORTED}
    )
    return matter


def _move(matter: Matter, to_state: str, *, actor: User, note: str, request, fields) -> Matter:
    """`fields` is a dict, or a function of the locked, fresh row when a value depends on it (a deadline)."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if to_state not in ALLOWED_TRANSITIONS[matter.state]:
        raise MatterError(
            f"“{matter.get_state_display()}”状态的诉求不能转为“{State(to_state).label}”。请刷新页面查看最新状态。"
        )
    from_state = matter.state
    fields = fields(matter) if callable(fields) else fields
    for name, value in fields.items():
        setattr(matter, name, value)
    matter.state = to_state
    matter.save(update_fields=["state", "updated_at", *fields])
    MatterEvent.objects.create(matter=matter, from_state=from_state, to_state=to_state, actor=actor, note=note)
    audit_record(
        action=Action.STATE_CHANGED,
        actor=actor,
        request=request,
        target=matter,
        detail={"from": from_state, "to": to_state},
    )
    return matter


@transaction.atomic
def matter_analyse(*, matter: Matter, actor: User, category: str, urgency: str, note: str = "", request=None) -> Matter:
    """研判: category and urgency decided."""
    _bounded(note, NOTE_MAX_LENGTH, "研判意见")
    return _move(
        matter,
        State.ANALYSED,
        actor=actor,
        note=note or "研判",
        request=request,
        fields={"category": category, "urgency": urgency},
    )


@transaction.atomic
def matter_merge(*, matter: Matter, actor: User, into: Matter, request=None) -> Matter:
    """研判 finds a duplicate of an open matter: it is merged into that one and goes no further. Whatever had
    been merged into it follows it, so that closing `into` answers every resident of the group."""
    if into.pk == matter.pk or not into.is_open or into.duplicate_of_id:
        raise MatterError("只能合并到另一件未办结的诉求。")
    merged = _move(
        matter,
        State.MERGED,
        actor=actor,
        note=f"与诉求 {into.reference} 重复,合并办理",
        request=request,
        fields={"duplicate_of": into},
    )
    for earlier in Matter.objects.select_for_update().filter(duplicate_of=matter, state=State.MERGED):
        earlier.duplicate_of = into
        earlier.save(update_fields=["duplicate_of", "updated_at"])
        MatterEvent.objects.create(
            matter=earlier,
            from_state=State.MERGED,
            to_state=State.MERGED,
            actor=actor,
            note=f"随诉求 {matter.reference} 并入诉求 {into.reference}",
        )
    return merged


@transaction.atomic
def matter_dispatch(
    *, matter: Matter, actor: User, assigned_unit: Unit, assignee: User | None = None, note: str = "", request=None
) -> Matter:
    """分流: to a unit, a department or an officer, with a deadline set by category and urgency."""
    _bounded(note, NOTE_MAX_LENGTH, "分流说明")
    if assignee is not None and assignee.unit_id != assigned_unit.pk:
        raise MatterError(f"{assignee}不属于{assigned_unit}。")
    return _move(
        matter,
        State.DISPATCHED,
        actor=actor,
        note=note or f"分流至{assigned_unit}",
        request=request,
        fields=lambda locked: {
            "assigned_unit": assigned_unit,
            "assignee": assignee,
            "deadline": deadline_for(category=locked.category, urgency=locked.urgency),
            "escalated_at": None,
        },
    )


@transaction.atomic
def matter_start(*, matter: Matter, actor: User, note: str = "", request=None) -> Matter:
    return _move(matter, State.HANDLING, actor=actor, note=note or "开始处理", request=request, fields={})


@transaction.atomic
def matter_progress(*, matter: Matter, actor: User, note: str) -> MatterEvent:
    """A progress note while handling; the state does not change."""
    _bounded(note, NOTE_MAX_LENGTH, "进展说明")
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.state != State.HANDLING:
        raise MatterError("只有处理中的诉求可以记录进展。")
    return MatterEvent.objects.create(
        matter=matter, from_state=matter.state, to_state=matter.state, actor=actor, note=note
    )


@transaction.atomic
def matter_send_back(*, matter: Matter, actor: User, reason: str, request=None) -> Matter:
    """退单: wrongly routed, back to the dispatcher."""
    _bounded(reason, NOTE_MAX_LENGTH, "退单理由")
    return _move(
        matter,
        State.ANALYSED,
        actor=actor,
        note=f"退单:{reason}",
        request=request,
        fields={"assigned_unit": None, "assignee": None, "deadline": None, "escalated_at": None},
    )


@transaction.atomic
def matter_close(*, matter: Matter, actor: User, result: str, reply_method: str, request=None) -> Matter:
    """办结: the result, and how the resident was told. The answer is also the answer to every matter merged into
    this one; a walk-in resident, of this matter or a merged one, gets a scheduled callback."""
    if not result.strip():
        raise MatterError("请填写办理结果。")
    _bounded(result, RESULT_MAX_LENGTH, "办理结果")
    matter = _move(
        matter,
        State.CLOSED,
        actor=actor,
        note=f"办结({Matter.ReplyMethod(reply_method).label})",
        request=request,
        fields={"result": result, "reply_method": reply_method, "closed_at": timezone.now()},
    )
    due = timezone.localdate() + timedelta(days=settings.TALK_ROOM_CALLBACK_DAYS)
    if matter.channel == Matter.Channel.TALK_ROOM:
        TalkRoomCallback.objects.get_or_create(matter=matter, due_date=due)
    for merged in matter.duplicates.filter(state=State.MERGED):
        MatterEvent.objects.create(
            matter=merged,
            from_state=State.MERGED,
            to_state=State.MERGED,
            actor=actor,
            note=f"随诉求 {matter.reference} 办结答复({matter.get_reply_method_display()})",
        )
        if merged.channel == Matter.Channel.TALK_ROOM:
            TalkRoomCallback.objects.get_or_create(matter=merged, due_date=due)
    return matter


@transaction.atomic
def matter_reopen(*, matter: Matter, actor: User | None, reason: str, request=None) -> Matter:
    """A callback found the resident not satisfied. A merged matter was answered by the one it was merged into:
    that one is reopened."""
    origin = ""
    if matter.state == State.MERGED:
        origin, matter = f"(合并的诉求 {matter.reference})", matter.duplicate_of
    return _move(
        matter,
        State.HANDLING,
        actor=actor,
        note=f"回访不满意{origin},重新办理:{reason}",
        request=request,
        fields=lambda locked: {
            "closed_at": None,
            "deadline": deadline_for(category=locked.category, urgency=locked.urgency),
        },
    )


@transaction.atomic
def matter_rate_answer(*, matter: Matter, outcome: str, note: str = "", request=None) -> TalkRoomCallback:
    """The resident rates the answer on the status page. It counts as the callback: a scheduled one still open is
    done by it, otherwise one is recorded today; done_by stays empty, for the resident gave it. 不满意 reopens the
    matter that answered, as a callback does."""
    if outcome not in RATINGS:
        raise MatterError("请选择满意、基本满意或不满意。")
    _bounded(note, NOTE_MAX_LENGTH, "您的意见")
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    answer = matter.duplicate_of if matter.state == State.MERGED else matter
    if answer.state != State.CLOSED:
        raise MatterError("诉求答复后才能评价。")
    if answer_rating(matter=matter, answer=answer) is not None:
        raise MatterError("您已经评价过这次答复,感谢您的参与。")
    fields = {"outcome": outcome, "note": f"群众在查询页评价。{note}".strip(), "done_by": None}
    callback = matter.callbacks.filter(done_at__isnull=True).order_by("due_date").first()
    if callback is None:
        callback, _ = TalkRoomCallback.objects.get_or_create(matter=matter, due_date=timezone.localdate())
    for name, value in fields.items():
        setattr(callback, name, value)
    callback.done_at = timezone.now()
    callback.save(update_fields=[*fields, "done_at"])
    label = TalkRoomCallback.Outcome(outcome).label
    MatterEvent.objects.create(
        matter=matter, from_state=matter.state, to_state=matter.state, actor=None, note=f"群众评价答复:{label}"
    )
    if outcome == TalkRoomCallback.Outcome.NOT_SATISFIED:
        matter_reopen(matter=matter, actor=None, reason=note or "群众在查询页评价不满意", request=request)
    return callback


@transaction.atomic
def matter_hand_over(*, matter: Matter, actor: User, to_user: User, note: str, request=None) -> Matter:
    """首问责任制: the owner hands the matter on; the receiver owns it from then on."""
    _bounded(note, NOTE_MAX_LENGTH, "交接说明")
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.owner_id != actor.pk:
        raise MatterError("只有首问责任人可以移交这件诉求。")
    if to_user.pk == actor.pk or not to_user.is_active:
        raise MatterError("请选择另一位在岗民警接收。")
    MatterHandover.objects.create(matter=matter, from_user=actor, to_user=to_user, note=note)
    matter.owner = to_user
    matter.save(update_fields=["owner", "updated_at"])
    MatterEvent.objects.create(
        matter=matter, from_state=matter.state, to_state=matter.state, actor=actor, note=f"移交给{to_user}:{note}"
    )
    audit_record(action=Action.STATE_CHANGED, actor=actor, request=request, target=matter, detail={"owner": to_user.pk})
    return matter


def escalate_overdue_matters(*, now=None) -> int:
    """督办: flag open matters past their deadline for the unit head. A compare-and-set on escalated_at makes a
    second run for the same moment change nothing."""
    now = now or timezone.now()
    overdue = Matter.objects.filter(
        state__in=[State.DISPATCHED, State.HANDLING], deadline__lt=now, escalated_at__isnull=True
    )
    escalated = 0
    for pk in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            if Matter.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now) == 1:
                matter = Matter.objects.get(pk=pk)
                MatterEvent.objects.create(
                    matter=matter,
                    from_state=matter.state,
                    to_state=matter.state,
                    actor=None,
                    note="超期,督办至单位负责人",
                )
                escalated += 1
    return escalated
