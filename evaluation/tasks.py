"""The evaluation centre's Celery tasks: thin wrappers around its services, each with a management command."""

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from evaluation.services.summaries import summaries_refresh


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def refresh_summaries_task(day: str | None = None) -> str:
    """The dashboard's summary rows of `day` (YYYY-MM-DD; default yesterday), rebuilt: every morning after the
    callbacks job, so yesterday's row is final; `refresh_today_summaries_task` keeps today's fresh."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    result = summaries_refresh(day=target)
    return f"{target}: {result.village_rows} village rows, {result.unit_rows} unit rows written"


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def refresh_today_summaries_task() -> str:
    """Hourly: today's rows, so the dashboard's "this month" is at most an hour behind."""
    return refresh_summaries_task(timezone.localdate().isoformat())
