from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from feedback.services import escalate_overdue_matters, topic_model_train, topics_classify_month
from feedback.services.classification import previous_month
from jingshi_jiafang.core.actors import system_actor


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def escalate_overdue_matters_task() -> int:
    """督办: hourly, flag dispatched or handling matters past their deadline for the unit head."""
    return escalate_overdue_matters(actor=system_actor())


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def classify_month_task(month: str | None = None) -> int:
    """On the 1st: suggest topics for last month's matters the legal department has not confirmed. `month` is
    YYYY-MM, for a rerun of another month."""
    first = date.fromisoformat(f"{month}-01") if month else previous_month(timezone.localdate())
    return topics_classify_month(month=first, actor=system_actor())


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def train_topic_model_task() -> int:
    """After the legal department closes a month: a new version that has learned its confirmed topics."""
    return topic_model_train(actor=system_actor()).version
