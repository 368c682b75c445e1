"""The visits app's periodic job: a thin wrapper around its service (beat schedule in settings)."""

from celery import shared_task
from django.db import OperationalError

from visits.coverage import coverage_counts_keep


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def keep_coverage_counts_task() -> int:
    """Hourly: the coverage page's counts, counted again from the households. Safe to run twice."""
    return coverage_counts_keep()
