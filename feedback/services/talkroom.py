"""Talk rooms (群众说事厅): the duty roster and the callbacks of walk-in residents (定期回访制)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from feedback.models import DutyShift, TalkRoomCallback
from visits.models import Unit, User
from visits.scopes import unit_subtree

from .matters import MatterError, matter_reopen


@transaction.atomic
def duty_shift_add(
    *, police_room: Unit, officer: User, starts_at: datetime, ends_at: datetime, actor: User
) -> DutyShift:
    if not actor.is_unit_head or not unit_subtree(actor.unit).filter(pk=police_room.pk).exists():
        raise MatterError("只有本警务室或上级派出所的负责人可以排班。")
    if officer.unit_id != police_room.pk:
        raise MatterError(f"{officer}不是{police_room}的民警。")
    if ends_at <= starts_at:
        raise MatterError("班次结束时间须晚于开始时间。")
    if DutyShift.objects.filter(officer=officer, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise MatterError(f"{officer}在这段时间已有班次。")
    return DutyShift.objects.create(police_room=police_room, officer=officer, starts_at=starts_at, ends_at=ends_at)


@transaction.atomic
def callback_record(
    *, callback: TalkRoomCallback, actor: User, outcome: str, note: str, request=None
) -> TalkRoomCallback:
    """Record a scheduled callback once; a resident not satisfied reopens the matter."""
    updated = TalkRoomCallback.objects.filter(pk=callback.pk, done_at__isnull=True).update(
        outcome=outcome, note=note, done_by=actor, done_at=timezone.now()
    )
    if updated == 0:
        raise MatterError("这次回访已经记录过了。")
    callback.refresh_from_db()
    if outcome == TalkRoomCallback.Outcome.NOT_SATISFIED:
        matter_reopen(matter=callback.matter, actor=actor, reason=note or "群众不满意", request=request)
    return callback
