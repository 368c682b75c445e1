from celery import shared_task
from django.db import OperationalError

from feedback.services import escalate_overdue_matters
from jingshi_jiafang.core.actors import system_actor


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def escalate_overdue_matters_task() -> int:
    """督办: hourly, flag dispatched or handling matters past their deadline for the unit head."""
    return escalate_overdue_matters(actor=system_actor())
