"""Upload → dry run → confirm → write. Every import goes through here.

The dry run (`import_check_run`) and the write run (`import_write_run`) are Celery jobs over the stored file, each
taken by a compare-and-set on the run's status, so a job queued twice works once. Both read the workbook in
read-only mode and work in batches of `BATCH_SIZE` rows: the batch's look-ups are a few queries, its writes are
bulk inserts and updates with their history rows, committed batch by batch (an audited write holds the audit
chain's lock until it commits, so one long transaction would make every login wait) and the progress is saved
after each. The write run checks every row again, as the data may have changed since the dry run; a row that
fails then is skipped and reported like the others.
"""

import hashlib
import logging
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jingshi_jiafang.core.actors import is_system_actor, require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.household_list_cache import household_lists_changed
from jingshi_jiafang.core.models import ImportChange, ImportCorrection, ImportProblem, ImportRun, User
from jingshi_jiafang.core.queueing import queue_after_commit

from .changes import all_change_lines
from .kinds import KINDS, import_kind
from .kinds.base import FileState, Planned, Row
from .workbooks import WorkbookError, batches, read_rows

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
XLSX_MAGIC = b"PK\x03\x04"


class ImportRefused(DomainError):
    """An import the rules refuse; the message is shown to the user."""


def _check_upload(upload) -> None:
    limit_mb = settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
    if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ImportRefused(f"文件过大:最大 {limit_mb} MB。更大的表请分成几个文件导入。")
    head = upload.read(4)
    upload.seek(0)
    if PurePath(upload.name).suffix.lower() != ".xlsx" or head != XLSX_MAGIC:
        raise ImportRefused("只能导入 Excel 工作簿(.xlsx);.xls 或 .csv 请先在 Excel 中另存为 .xlsx。")


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def import_upload(*, kind: str, upload, actor: User, request=None) -> ImportRun:
    """Store the workbook with its hash and queue its dry run. Nothing is imported yet."""
    if kind not in KINDS:
        raise ImportRefused("没有这种导入。")
    spec = import_kind(kind, actor)
    require(actor, spec.may, error=ImportRefused, message=f"您的角色无权导入{spec.title}。", jobs=False)
    _check_upload(upload)
    sha256 = _sha256(upload)
    with transaction.atomic():
        run = ImportRun(kind=kind, uploaded_by=actor, filename=PurePath(upload.name).name[:200], sha256=sha256)
        run.file.save(f"{uuid.uuid4().hex}.xlsx", File(upload), save=False)
        run.save()
        audit_record(
            action=Action.UPLOAD,
            actor=actor,
            request=request,
            target=run,
            detail={"what": f"import:{kind}", "filename": run.filename, "sha256": sha256, "bytes": upload.size},
        )
        from jingshi_jiafang.core.tasks import import_check_task

        queue_after_commit(import_check_task, run.pk)
    return run


# Each job of a run: the status it waits in and the status it runs in.
CHECK = (ImportRun.Status.QUEUED, ImportRun.Status.CHECKING)
WRITE = (ImportRun.Status.CONFIRMED, ImportRun.Status.WRITING)


def _lost_while(running: str, now: datetime) -> Q:
    """A run still marked running longer than any task may run (CELERY_TASK_TIME_LIMIT): its worker was lost."""
    return Q(status=running, started_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT))


def import_runs_to_take(now: datetime) -> Q:
    """Runs a worker may take now: waiting ones, and running ones whose worker was lost."""
    waiting = Q(status__in=[CHECK[0], WRITE[0]])
    return waiting | _lost_while(CHECK[1], now) | _lost_while(WRITE[1], now)


def _take(run_id: int, job: tuple[str, str]) -> bool:
    """Compare-and-set waiting → running (or a lost worker's running → running again), with the start time."""
    waiting, running = job
    now = timezone.now()
    taken = ImportRun.objects.filter(Q(status=waiting) | _lost_while(running, now), pk=run_id)
    return taken.update(status=running, started_at=now) == 1


def _problems(run: ImportRun, spec, rows: list[Row]) -> list[ImportProblem]:
    return [
        ImportProblem(
            run=run, row_number=row.number, record_key=spec.row_key(row)[:64], column=column[:32], message=message[:300]
        )
        for row in rows
        for column, message in row.errors
    ]


def _changes(run: ImportRun, planned: list[Planned]) -> list[ImportChange]:
    """What confirming would overwrite, value by value, as the corrections will record it."""
    return [
        ImportChange(
            run=run,
            row_number=item.row.number,
            object_type=item.instance._meta.label,
            record_key=item.key[:64],
            field=name,
            old_value=old,
            new_value=new,
        )
        for item in planned
        for name, (old, new) in item.changes.items()
    ]


def _each_batch(run: ImportRun, actor: User | None):
    """(rows, planned) per batch of the stored workbook; a header problem is reported on row 1."""
    spec = import_kind(run.kind, actor)
    state = FileState()
    with run.file.open("rb") as file:
        try:
            for rows in batches(read_rows(file, spec), BATCH_SIZE):
                yield spec, rows, spec.plan(rows, state), state
        except WorkbookError as error:
            ImportProblem.objects.create(run=run, row_number=1, column="", message=str(error)[:300])
            raise


def _fail(run: ImportRun, message: str) -> ImportRun:
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FAILED, failure=message[:500], finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def import_check_run(*, run_id: int, actor: User) -> ImportRun:
    """The dry run: check every row, store the problems, count what writing would do. Writes nothing else."""
    if not is_system_actor(actor):
        raise ImportRefused("导入的检查由系统在后台进行。")
    if not _take(run_id, CHECK):
        return ImportRun.objects.get(pk=run_id)
    run = ImportRun.objects.select_related("uploaded_by").get(pk=run_id)
    # A check taken again after its worker was lost starts over.
    ImportProblem.objects.filter(run=run).delete()
    counts = {"rows_read": 0, "error_rows": 0, "rows_new": 0, "rows_changed": 0, "rows_unchanged": 0}
    try:
        for spec, rows, planned, _state in _each_batch(run, run.uploaded_by):
            ImportProblem.objects.bulk_create(_problems(run, spec, rows))
            ImportChange.objects.bulk_create(_changes(run, planned))
            counts["rows_read"] += len(rows)
            counts["error_rows"] += sum(1 for row in rows if row.errors)
            for name, value in _tally(planned).items():
                counts[name] += value
            ImportRun.objects.filter(pk=run.pk).update(**counts)
    except WorkbookError as error:
        return _fail(run, str(error))
    except Exception:
        log.exception("Import check %s failed", run.pk)
        _fail(run, "检查时出错,请核对文件后重新上传;如仍出错请联系系统管理员。")
        raise
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.CHECKED, rows_total=counts["rows_read"], checked_at=timezone.now(), **counts
    )
    run.refresh_from_db()
    return run


def _tally(planned: list[Planned]) -> dict[str, int]:
    changed = sum(1 for p in planned if p.changes)
    new = sum(1 for p in planned if p.is_new and not p.changes)
    return {"rows_new": new, "rows_changed": changed, "rows_unchanged": len(planned) - new - changed}


def import_confirm(*, run: ImportRun, actor: User, skip_errors: bool) -> ImportRun:
    """The uploader confirms a checked run: allowed with no error rows, or with them explicitly skipped."""
    spec = import_kind(run.kind, actor)
    require(actor, spec.may, error=ImportRefused, message=f"您的角色无权导入{spec.title}。", jobs=False)
    if run.uploaded_by_id != actor.pk:
        raise ImportRefused("只有上传该文件的本人可以确认导入。")
    if run.status != ImportRun.Status.CHECKED:
        raise ImportRefused("该导入不在待确认状态,请刷新页面查看。")
    if run.good_rows == 0:
        raise ImportRefused("没有可以写入的行:请修改文件后重新上传。")
    if run.error_rows and not skip_errors:
        raise ImportRefused(f"有 {run.error_rows} 行有错误:请修改后重新上传,或勾选“跳过这些行”后再确认。")
    with transaction.atomic():
        taken = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHECKED).update(
            status=ImportRun.Status.CONFIRMED, skip_errors=skip_errors, confirmed_at=timezone.now()
        )
        if taken != 1:
            raise ImportRefused("该导入已经确认过了。")
        from jingshi_jiafang.core.tasks import import_write_task

        queue_after_commit(import_write_task, run.pk)
    run.refresh_from_db()
    return run


def import_cancel(*, run: ImportRun, actor: User) -> ImportRun:
    if run.uploaded_by_id != actor.pk:
        raise ImportRefused("只有上传该文件的本人可以放弃导入。")
    if (
        ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHECKED).update(status=ImportRun.Status.CANCELLED)
        != 1
    ):
        raise ImportRefused("该导入已不能放弃。")
    run.refresh_from_db()
    return run


def import_write_run(*, run_id: int, actor: User) -> ImportRun:
    """Write a confirmed run, batch by batch; rows with errors are skipped and reported. Audited at the end with
    who, what kind, the file's hash and the counts."""
    if not is_system_actor(actor):
        raise ImportRefused("导入由系统在后台写入。")
    if not _take(run_id, WRITE):
        return ImportRun.objects.get(pk=run_id)
    run = ImportRun.objects.select_related("uploaded_by").get(pk=run_id)
    # The write run finds the problems again (the data may have changed since the dry run) and reports those.
    # What it would change is recorded again as it changes it, as corrections.
    ImportProblem.objects.filter(run=run).delete()
    ImportChange.objects.filter(run=run).delete()
    counts = dict.fromkeys(
        ("rows_read", "rows_new", "rows_changed", "rows_unchanged", "rows_written", "rows_skipped"), 0
    )
    try:
        for spec, rows, planned, state in _each_batch(run, run.uploaded_by):
            tally = _tally(planned)  # before writing: a written record has its pk and no longer looks new
            with transaction.atomic():
                spec.write(planned, state)
                household_lists_changed()  # written in bulk, without signals: any list may show a row of it
                ImportCorrection.objects.bulk_create(_corrections(run, spec, planned))
                ImportProblem.objects.bulk_create(_problems(run, spec, rows))
                for name, value in tally.items():
                    counts[name] += value
                counts["rows_read"] += len(rows)
                counts["rows_written"] += tally["rows_new"] + tally["rows_changed"]
                counts["rows_skipped"] += sum(1 for row in rows if row.errors)
                ImportRun.objects.filter(pk=run.pk).update(**counts)
    except WorkbookError as error:
        return _fail(run, str(error))
    except Exception:
        log.exception("Import write %s failed", run.pk)
        _fail(run, "写入时出错,已写入的批次保留;请重新上传同一文件,已写入的行会显示为未变。")
        raise
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.DONE, finished_at=timezone.now(), error_rows=counts["rows_skipped"], **counts
        )
        run.refresh_from_db()
        audit_record(
            action=Action.IMPORT,
            actor=run.uploaded_by,
            target=run,
            detail={
                "what": run.kind,
                "filename": run.filename,
                "sha256": run.sha256,
                "read": run.rows_read,
                "written": run.rows_written,
                "new": run.rows_new,
                "changed": run.rows_changed,
                "unchanged": run.rows_unchanged,
                "skipped": run.rows_skipped,
            },
        )
    return run


def _corrections(run: ImportRun, spec, planned: list[Planned]) -> list[ImportCorrection]:
    return [
        ImportCorrection(
            run=run,
            row_number=item.row.number,
            object_type=item.instance._meta.label,
            object_id=str(item.instance.pk),
            record_key=item.key[:64],
            field=name,
            old_value=old,
            new_value=new,
        )
        for item in planned
        for name, (old, new) in item.changes.items()
    ]


def import_files_expire(*, day: date, actor: User) -> int:
    """Delete the stored workbooks of imports that ended (written, given up, failed) more than
    `IMPORT_RETENTION_DAYS` days before `day`: a registration export holds ID numbers in the clear, which the
    database keeps only encrypted. The run, its hash, report and history stay. Run twice, the second finds none."""
    if not is_system_actor(actor):
        raise ImportRefused("过期的导入文件由系统定期删除。")
    cutoff = datetime.combine(
        day - timedelta(days=settings.IMPORT_RETENTION_DAYS), time.min, timezone.get_current_timezone()
    )
    ended = [ImportRun.Status.DONE, ImportRun.Status.CANCELLED, ImportRun.Status.FAILED]
    expired = 0
    for run in ImportRun.objects.filter(status__in=ended, created_at__lt=cutoff).exclude(file="").only("pk", "file"):
        run.file.delete(save=False)
        expired += ImportRun.objects.filter(pk=run.pk).update(file="")
    return expired


def import_runs_of(user: User) -> QuerySet[ImportRun]:
    """A person's own imports, of the kinds their role may still import."""
    kinds = [kind for kind, cls in KINDS.items() if cls.may(user)]
    return ImportRun.objects.filter(uploaded_by=user, kind__in=kinds)


def get_import_for_user(user: User, pk: int) -> ImportRun:
    try:
        return import_runs_of(user).select_related("uploaded_by").get(pk=pk)
    except ImportRun.DoesNotExist:
        raise Http404("没有找到该导入。") from None


def problems_report(*, run: ImportRun, actor: User, request=None):
    """The problems of a run, and the values it would change (checked) or changed (done), as rows for the
    workbook; the download is audited like any other."""
    audit_record(action=Action.DOWNLOAD, actor=actor, request=request, target=run, detail={"what": "import_problems"})
    changed = run.corrections if run.status == ImportRun.Status.DONE else run.changes
    return (
        run.problems.order_by("row_number", "id").iterator(chunk_size=2000),
        all_change_lines(changed.order_by("row_number", "id")),
    )


def same_file_imported_before(run: ImportRun) -> ImportRun | None:
    """An earlier finished import of the same kind from the very same file (by its hash)."""
    return (
        ImportRun.objects.filter(kind=run.kind, sha256=run.sha256, status=ImportRun.Status.DONE, pk__lt=run.pk)
        .order_by("-pk")
        .first()
    )


__all__ = [
    "BATCH_SIZE",
    "ImportRefused",
    "get_import_for_user",
    "import_cancel",
    "import_check_run",
    "import_confirm",
    "import_files_expire",
    "import_runs_of",
    "import_upload",
    "import_write_run",
    "problems_report",
    "same_file_imported_before",
]
