"""Celery jobs of the evaluation centre: thin wrappers around its services."""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from evaluation.services.scores import scores_compute, scores_compute_recent


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def compute_scores_task(month: str | None = None, today: str | None = None) -> int:
    """考核: every early morning the current month and, until closed, the previous one; or one month (YYYY-MM-DD,
    any day of it) when named. Returns how many score rows changed (0 when nothing did)."""
    day = date.fromisoformat(today) if today else None
    if month:
        return scores_compute(month=date.fromisoformat(month), today=day)
    return scores_compute_recent(today=day)
