from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.audit import audit_checkpoint_write, audit_full_verification_run
from jingshi_jiafang.core.export_jobs import export_files_expire, export_job_run
from jingshi_jiafang.core.imports.services import import_check_run, import_files_expire, import_write_run
from jingshi_jiafang.core.job_runs import run_once


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def audit_checkpoint_task() -> int | None:
    """Every few minutes: anchor the audit chain's head outside the database. Running it twice only appends the
    same head again, which verification reads the same way."""
    checkpoint = audit_checkpoint_write(actor=system_actor())
    return checkpoint.last_id if checkpoint else None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def audit_verify_task() -> bool | None:
    """Nightly: walk the whole audit chain and store the result, which the auditor's page shows (red when it
    failed or is more than two days old). Once a day however often it is queued (two beats, a redelivered task):
    a second run of the day stores nothing and returns None."""
    verification = run_once(
        job="audit-verify",
        period=timezone.localdate().isoformat(),
        work=lambda: audit_full_verification_run(actor=system_actor()),
    )
    return verification.intact if verification else None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def export_job_task(job_id: int) -> int:
    """Write one large Excel export into private storage; a job already taken is left alone."""
    return export_job_run(job_id=job_id, actor=system_actor()).row_count


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def expire_export_files_task() -> int:
    """Nightly: delete the files of exports older than EXPORT_RETENTION_DAYS."""
    return export_files_expire(day=timezone.localdate(), actor=system_actor())


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def import_check_task(run_id: int) -> int:
    """The dry run of an uploaded workbook; a run already taken is left alone."""
    return import_check_run(run_id=run_id, actor=system_actor()).rows_read


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def import_write_task(run_id: int) -> int:
    """The write run of a confirmed import; a run already taken is left alone."""
    return import_write_run(run_id=run_id, actor=system_actor()).rows_written


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def expire_import_files_task() -> int:
    """Nightly: delete the workbooks of imports that ended more than IMPORT_RETENTION_DAYS ago."""
    return import_files_expire(day=timezone.localdate(), actor=system_actor())
