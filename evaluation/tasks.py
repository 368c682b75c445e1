"""The evaluation centre's periodic jobs: thin wrappers around its services (beat schedule in settings)."""

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from evaluation.services.callbacks import callbacks_create


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def create_callbacks_task(day: str | None = None) -> int:
    """次日回访: early each morning, a callback for every visit, closed matter and closed ledger item of the day
    before (or of `day`, YYYY-MM-DD). Safe to run twice."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return callbacks_create(day=target)
