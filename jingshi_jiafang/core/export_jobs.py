"""One path for every Excel export: small ones are answered in the request, large ones become an `ExportJob`
that a Celery job writes into private storage while the person who asked watches its page, then downloads it.
Workbooks are written with openpyxl's write-only mode from an iterator (core/exports.py).

A kind of export is an `ExportKind`: who may ask for it, how many rows a request selects and how its workbook
is written. A one-sheet table (the audit log) is built by `table_export`; a kind with a workbook of its own (the
legal department's monthly report, several sheets) supplies its own writer. Core cannot import the apps, so an
app's kind is added by `register_export_kind` from the app's (or the top layer's) `AppConfig.ready`.
"""

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone

from jingshi_jiafang.core.actors import is_system_actor, require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.audit_display import AUDIT_EXPORT_HEADERS, audit_export_rows
from jingshi_jiafang.core.capabilities import may_export_audit_log
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.exports import XLSX_CONTENT_TYPE, write_xlsx
from jingshi_jiafang.core.filters import AuditEntryFilter
from jingshi_jiafang.core.models import AuditEntry, ExportJob, User
from jingshi_jiafang.core.queueing import queue_after_commit

log = logging.getLogger(__name__)

# The most rows one export may hold: beyond it a filter is needed, not a bigger file.
EXPORT_LIMIT = 100_000

Progress = Callable[[int], None]


def _dated_filename(title: str, params: dict) -> str:
    return f"{title}-{timezone.localdate():%Y%m%d}.xlsx"


@dataclass(frozen=True)
class ExportKind:
    title: str  # what the export is called, and the start of the file's name
    may: Callable[[User], bool]  # who may export it (a capability), and still must to download it later
    count: Callable[[dict], int]  # the filters (a query string as a dict) → how many rows they select
    # Writes the workbook of the filters into a binary file; returns the rows written and calls `progress`
    # (when given) with the count so far as it goes.
    write: Callable[[IO[bytes], dict, Progress | None], int]
    filename: Callable[[str, dict], str] = field(default=_dated_filename)
    # False: always written by a job, however small (a report of several sheets, which people wait for anyway).
    in_request: bool = True


def table_export(
    *,
    title: str,
    may: Callable[[User], bool],
    headers: Sequence[str],
    queryset: Callable[[dict], QuerySet],
    rows: Callable[[QuerySet], Iterable[Sequence]],
) -> ExportKind:
    """A one-sheet export: the rows of a queryset under a header row, the sheet named by the title."""

    def write(file: IO[bytes], params: dict, progress: Progress | None) -> int:
        return write_xlsx(file, title=title, headers=headers, rows=rows(queryset(params)), progress=progress)

    return ExportKind(title=title, may=may, count=lambda params: queryset(params).count(), write=write)


def _audit_entries(params: dict) -> QuerySet:
    return AuditEntryFilter(params or None, queryset=AuditEntry.objects.order_by("-id")).qs[:EXPORT_LIMIT]


EXPORT_KINDS: dict[str, ExportKind] = {
    ExportJob.Kind.AUDIT_LOG: table_export(
        title="审计日志",
        may=may_export_audit_log,
        headers=AUDIT_EXPORT_HEADERS,
        queryset=_audit_entries,
        rows=audit_export_rows,
    ),
}


def register_export_kind(kind: str, spec: ExportKind) -> None:
    """Add an app's kind of export (from its `AppConfig.ready`). The kind must be one of `ExportJob.Kind`, so
    the jobs' rows can name it; registering it again replaces it (a reloaded app), never another kind."""
    if kind not in ExportJob.Kind.values:
        raise ValueError(f"{kind!r} is not an ExportJob.Kind")
    EXPORT_KINDS[kind] = spec


class ExportError(DomainError):
    """An export the rules refuse."""


def export_start(*, kind: str, params: dict, actor: User, request=None) -> FileResponse | ExportJob:
    """Export what `params` selects: the file itself when it is small (at most `EXPORT_SYNC_MAX_ROWS` rows) and
    the kind allows it, otherwise a job written in the background. Either way the export is audited. The same
    export asked for again while its job is still queued or running (a double tap, a resent form) finds that
    job instead of writing the file twice."""
    spec = EXPORT_KINDS[kind]
    require(actor, spec.may, error=ExportError, message=f"您无权导出{spec.title}。", jobs=False)
    waiting = ExportJob.objects.filter(
        kind=kind,
        params=params,
        requested_by=actor,
        status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING],
    ).first()
    if waiting is not None:
        return waiting
    # Audited first, so that an export of the audit log counts and holds its own entry, as a reader expects.
    audit_record(action=Action.EXPORT, actor=actor, request=request, detail={"what": kind, "filters": params})
    count = spec.count(params)
    filename = spec.filename(spec.title, params)
    if spec.in_request and count <= settings.EXPORT_SYNC_MAX_ROWS:
        return _file_response(spec, params, filename)
    job = ExportJob.objects.create(kind=kind, params=params, requested_by=actor, filename=filename, rows_expected=count)
    from jingshi_jiafang.core.tasks import export_job_task

    queue_after_commit(export_job_task, job.pk)
    return job


def _file_response(spec: ExportKind, params: dict, filename: str) -> FileResponse:
    # A temporary file, not a buffer: the finished workbook is streamed to the browser from disk. FileResponse
    # closes it (and so removes it) when the response is done.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    spec.write(file, params, None)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def export_jobs_to_take(now: datetime) -> Q:
    """Jobs a worker may take now: pending ones, and running ones whose worker was lost."""
    lost = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return Q(status=ExportJob.Status.PENDING) | Q(status=ExportJob.Status.RUNNING, started_at__lt=lost)


def export_job_run(*, job_id: int, actor: User) -> ExportJob:
    """Write a pending job's workbook. The move pending → running is a compare-and-set, so a job queued twice
    is written once. A job still marked running longer than any task may run (CELERY_TASK_TIME_LIMIT) lost its
    worker (killed mid-job) and is taken again. Progress is saved as it goes, outside any long transaction. Only
    the queued job (the system actor) writes it: the person who asked was checked when it was queued."""
    if not is_system_actor(actor):
        raise ExportError("导出文件由系统在后台写入。")
    now = timezone.now()
    if (
        ExportJob.objects.filter(export_jobs_to_take(now), pk=job_id).update(
            status=ExportJob.Status.RUNNING, started_at=now
        )
        != 1
    ):
        return ExportJob.objects.get(pk=job_id)
    job = ExportJob.objects.get(pk=job_id)
    spec = EXPORT_KINDS[job.kind]

    def progress(count: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(row_count=count)

    try:
        with tempfile.TemporaryFile(suffix=".xlsx") as file:
            job.row_count = spec.write(file, job.params, progress)
            file.seek(0)
            job.file.save(f"{uuid.uuid4().hex}.xlsx", File(file), save=False)
    except Exception:
        log.exception("Export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
        raise
    job.status, job.finished_at = ExportJob.Status.READY, timezone.now()
    job.save(update_fields=["status", "finished_at", "row_count", "file"])
    return job


def export_files_expire(*, day: date, actor: User) -> int:
    """Delete the files of exports written more than `EXPORT_RETENTION_DAYS` days before `day`; the jobs stay,
    marked expired. Run twice for a day, the second run finds nothing left to delete."""
    if not is_system_actor(actor):
        raise ExportError("过期导出文件由系统定期删除。")
    cutoff = datetime.combine(
        day - timedelta(days=settings.EXPORT_RETENTION_DAYS), time.min, timezone.get_current_timezone()
    )
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.READY, finished_at__lt=cutoff).only("pk", "file"):
        job.file.delete(save=False)
        expired += ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.READY).update(
            status=ExportJob.Status.EXPIRED, file=""
        )
    return expired


def export_jobs_of(user: User) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(requested_by=user, kind__in=_kinds_for(user))


def _kinds_for(user: User) -> list[str]:
    return [kind for kind, spec in EXPORT_KINDS.items() if spec.may(user)]


def may_follow_exports(user: User) -> bool:
    """Whoever may export some kind has the 我的导出 page, where their large exports are written."""
    return bool(_kinds_for(user))


def export_job_download(*, job: ExportJob, actor: User, request=None) -> FileResponse:
    """The file of a finished job, to the person who asked for it while they still may export its kind."""
    if job.requested_by_id != actor.pk or not EXPORT_KINDS[job.kind].may(actor):
        raise ExportError("只有提出导出的本人(仍有导出权限时)可以下载该文件。")
    audit_record(action=Action.DOWNLOAD, actor=actor, request=request, target=job, detail={"what": job.kind})
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=XLSX_CONTENT_TYPE)


def get_export_job_for_user(user: User, pk: int) -> ExportJob:
    """The requester's own job, of a kind their role may still export; anyone else's is not found."""
    try:
        return export_jobs_of(user).get(pk=pk)
    except ExportJob.DoesNotExist:
        raise Http404("没有找到该导出任务。") from None
