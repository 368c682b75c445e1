"""Once per period: a periodic job whose effect is not idempotent by itself (it appends a row each run) runs its
work inside `run_once`. The (job, period) row is inserted in the same transaction as the work: a second run,
from a second beat or a redelivered task, waits on the first's uncommitted row and then finds it and skips; a
run that crashed rolled its row back, so the next one does the work."""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from jingshi_jiafang.core.models import JobRun

T = TypeVar("T")


def run_once(*, job: str, period: str, work: Callable[[], T]) -> T | None:
    """The work's result, or None when the job already ran for the period."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                JobRun.objects.create(job=job, period=period)
        except IntegrityError:
            return None
        return work()
