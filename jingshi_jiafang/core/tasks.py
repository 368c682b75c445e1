from celery import shared_task
from django.db import OperationalError

from jingshi_jiafang.core.audit import audit_checkpoint_write


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def audit_checkpoint_task() -> int | None:
    """Every few minutes: anchor the audit chain's head outside the database. Running it twice only appends the
    same head again, which verification reads the same way."""
    checkpoint = audit_checkpoint_write()
    return checkpoint.last_id if checkpoint else None
