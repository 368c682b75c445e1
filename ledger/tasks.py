from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from jingshi_jiafang.core.actors import system_actor
from ledger.services import ledger_items_follow_hand_overs


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def follow_hand_overs_task(day: str | None = None) -> int:
    """Just after midnight: the open ledger items of the hand-overs that begin today (or on `day`, YYYY-MM-DD)
    pass to the new officer. Run twice, the second run hands nothing."""
    when = date.fromisoformat(day) if day else timezone.localdate()
    return ledger_items_follow_hand_overs(day=when, actor=system_actor())
