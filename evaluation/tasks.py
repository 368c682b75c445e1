"""The evaluation centre's periodic jobs: thin wrappers around its services (beat schedule in settings)."""

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from evaluation.services.callbacks import callbacks_create
from evaluation.services.reconcile import jobs_reconcile
from evaluation.services.reviews import daily_review_build
from evaluation.services.scores import scores_compute, scores_compute_recent
from evaluation.services.summaries import summaries_refresh
from jingshi_jiafang.core.actors import system_actor


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def create_callbacks_task(day: str | None = None) -> int:
    """次日回访: early each morning, a callback for every visit, closed matter and closed ledger item of the day
    before (or of `day`, YYYY-MM-DD). Safe to run twice."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return callbacks_create(day=target)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def daily_review_task(day: str | None = None) -> int:
    """每日研判: each morning, after the day's callbacks, the review of yesterday (or of `day`, YYYY-MM-DD).
    Run twice for a day, the second run finds the first's record and changes nothing."""
    when = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return daily_review_build(day=when, actor=system_actor()).pk


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


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def compute_scores_task(month: str | None = None, today: str | None = None) -> int:
    """考核: every early morning the current month and, until closed, the previous one; or one month (YYYY-MM-DD,
    any day of it) when named. Returns how many score rows changed (0 when nothing did)."""
    day = date.fromisoformat(today) if today else None
    if month:
        return scores_compute(month=date.fromisoformat(month), today=day)
    return scores_compute_recent(today=day)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reconcile_task() -> str:
    """Every quarter hour: queue again the work PostgreSQL says is still pending (evaluation/services/reconcile.py).
    Safe to run twice, from two beats too: what it queues is idempotent."""
    return str(jobs_reconcile())
