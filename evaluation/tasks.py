"""Thin Celery wrappers around the evaluation centre's services; each periodic job is in CELERY_BEAT_SCHEDULE."""

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from evaluation.services.reviews import daily_review_build
from jingshi_jiafang.core.actors import system_actor


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def daily_review_task(day: str | None = None) -> int:
    """每日研判: each morning, after the day's callbacks, the review of yesterday (or of `day`, YYYY-MM-DD).
    Run twice for a day, the second run finds the first's record and changes nothing."""
    when = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return daily_review_build(day=when, actor=system_actor()).pk
