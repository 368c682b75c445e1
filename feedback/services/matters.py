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
from visits.audit import Action, audit_record
from visits.models import Household, Unit, User, Visit

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
    """研判 finds a duplicate of an open matter: it is merged into that one and goes no further."""
    if into.pk == matter.pk or not into.is_open or into.duplicate_of_id:
        raise MatterError("只能合并到另一件未办结的诉求。")
    return _move(
        matter,
        State.MERGED,
        actor=actor,
        note=f"与诉求 {into.reference} 重复,合并办理",
        request=request,
        fields={"duplicate_of": into},
    )


@transaction.atomic
def matter_dispatch(
    *, matter: Matter, actor: User, assigned_unit: Unit, assignee: User | None = None, note: str = "", request=None
) -> Matter:
    """分流: to a unit, a department or an officer, with a deadline set by category and urgency."""
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
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.state != State.HANDLING:
        raise MatterError("只有处理中的诉求可以记录进展。")
    return MatterEvent.objects.create(
        matter=matter, from_state=matter.state, to_state=matter.state, actor=actor, note=note
    )


@transaction.atomic
def matter_send_back(*, matter: Matter, actor: User, reason: str, request=None) -> Matter:
    """退单: wrongly routed, back to the dispatcher."""
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
    """办结: the result, and how the resident was told. A walk-in resident gets a scheduled callback."""
    if not result.strip():
        raise MatterError("请填写办理结果。")
    matter = _move(
        matter,
        State.CLOSED,
        actor=actor,
        note=f"办结({Matter.ReplyMethod(reply_method).label})",
        request=request,
        fields={"result": result, "reply_method": reply_method, "closed_at": timezone.now()},
    )
    if matter.channel == Matter.Channel.TALK_ROOM:
        due = timezone.localdate() + timedelta(days=settings.TALK_ROOM_CALLBACK_DAYS)
        TalkRoomCallback.objects.get_or_create(matter=matter, due_date=due)
    return matter


@transaction.atomic
def matter_reopen(*, matter: Matter, actor: User | None, reason: str, request=None) -> Matter:
    """A callback found the resident not satisfied."""
    return _move(
        matter,
        State.HANDLING,
        actor=actor,
        note=f"回访不满意,重新办理:{reason}",
        request=request,
        fields=lambda locked: {
            "closed_at": None,
            "deadline": deadline_for(category=locked.category, urgency=locked.urgency),
        },
    )


@transaction.atomic
def matter_hand_over(*, matter: Matter, actor: User, to_user: User, note: str, request=None) -> Matter:
    """首问责任制: the owner hands the matter on; the receiver owns it from then on."""
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
