"""A hand-built month for the monthly report: matters placed on chosen days with chosen outcomes."""

from datetime import datetime, time, timedelta
from itertools import count

from django.utils import timezone

from evaluation.models import Callback
from feedback.models import Matter, MatterEvent, TalkRoomCallback
from jingshi_jiafang.reports.forms import last_month

_references = count(1)


def moment(day: int, hour: int = 10):
    """A moment in last month, Asia/Shanghai."""
    month = last_month()
    return timezone.make_aware(datetime.combine(month.replace(day=day), time(hour)))


def matter(*, at, household=None, unit=None, category="", state="reported", content="路灯坏了好几天", **fields):
    """A matter registered at `at` (created_at is set after saving, as auto_now_add would not allow it)."""
    if state == "closed":
        fields.setdefault("result", "已修复")
        fields.setdefault("closed_at", at + timedelta(days=2))
    created = Matter.objects.create(
        reference=f"R{next(_references):011d}",
        channel=fields.pop("channel", Matter.Channel.VISIT if household else Matter.Channel.TALK_ROOM),
        household=household,
        unit=unit or household.village.unit,
        content=content,
        category=category,
        state=state,
        **fields,
    )
    Matter.objects.filter(pk=created.pk).update(created_at=at)
    created.refresh_from_db()
    return created


def reopened(target: Matter) -> None:
    MatterEvent.objects.create(matter=target, from_state="closed", to_state="handling", note="群众不满意")


def evaluation_answer(target: Matter, satisfaction: str, *, by, hours_after_close: int = 20) -> Callback:
    done_at = target.closed_at + timedelta(hours=hours_after_close)
    return Callback.objects.create(
        source=Callback.Source.MATTER,
        matter=target,
        household=target.household,
        village=target.household.village if target.household else None,
        unit=target.unit,
        source_date=timezone.localdate(target.closed_at),
        due_date=timezone.localdate(target.closed_at) + timedelta(days=1),
        state=Callback.State.DONE,
        satisfaction=satisfaction,
        done_by=by,
        done_at=done_at,
        attempts=1,
    )


def talk_room_answer(target: Matter, outcome: str, *, by, hours_after_close: int = 48) -> TalkRoomCallback:
    done_at = target.closed_at + timedelta(hours=hours_after_close)
    return TalkRoomCallback.objects.create(
        matter=target, due_date=timezone.localdate(done_at), outcome=outcome, done_by=by, done_at=done_at
    )
