"""Excel exports: written with openpyxl's write-only mode from an iterator; a large one by a Celery job into
private storage, downloaded by the person who asked for it, audited."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.models import AuditEntry, ExportJob, User
from jingshi_jiafang.core.tasks import expire_export_files_task
from tests.conftest import log_in_as
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(client):
    return log_in_as(client, UserFactory(username="shenji", role=User.Role.AUDITOR))


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def test_a_small_export_is_streamed_from_a_file_not_built_in_memory(client, auditor, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 50
    audit_record(action=Action.EXPORT, actor_username="=cmd|' /C calc'!A0")
    response = client.get(reverse("core:audit_export"))
    assert isinstance(response, FileResponse) and response.streaming
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response.getvalue())
    assert "'=cmd|' /C calc'!A0" in [row[2] for row in rows[1:]]
    assert not ExportJob.objects.exists()


def test_a_large_export_is_written_by_a_job_and_downloaded_by_who_asked(
    client, auditor, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 5
    for n in range(8):
        audit_record(action=Action.LOGIN, actor_username=f"user{n}")
    audit_record(action=Action.LOGIN, actor_username='=HYPERLINK("http://x")')
    logins = AuditEntry.objects.filter(action=Action.LOGIN).count()  # with the auditor's own login
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("core:audit_export"), {"action": "login"})
    assert response.status_code == 302 and response["Location"] == reverse("core:export_job_list")
    job = ExportJob.objects.get()
    assert (job.requested_by, job.status, job.rows_expected, job.row_count) == (auditor, "ready", logins, logins)
    assert job.file.name.startswith("exports/") and job.finished_at is not None
    assert AuditEntry.objects.get(action=Action.EXPORT, actor=auditor).detail["filters"] == {"action": "login"}

    page = client.get(reverse("core:export_job_list"))
    assert page.status_code == 200 and reverse("core:export_job_download", args=[job.pk]) in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()

    download = client.get(reverse("core:export_job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(download.getvalue())
    assert len(rows) == logins + 1 and '\'=HYPERLINK("http://x")' in [row[2] for row in rows[1:]]
    assert AuditEntry.objects.filter(action=Action.DOWNLOAD, object_id=str(job.pk), actor=auditor).exists()


def test_a_job_in_progress_shows_its_progress_and_refreshes(client, auditor):
    ExportJob.objects.create(
        kind="audit_log", requested_by=auditor, filename="x.xlsx", rows_expected=20_000, row_count=6_000
    )
    body = client.get(reverse("core:export_job_list")).content.decode()
    assert 'http-equiv="refresh"' in body and "6000 / 20000" in body and "下载 Excel" not in body


def test_a_job_not_ready_cannot_be_downloaded(client, auditor):
    job = ExportJob.objects.create(kind="audit_log", requested_by=auditor, filename="x.xlsx", rows_expected=9000)
    assert client.get(reverse("core:export_job_download", args=[job.pk])).status_code == 404


def test_another_auditor_neither_sees_nor_downloads_someone_elses_export(client, auditor):
    job = ExportJob.objects.create(kind="audit_log", requested_by=auditor, filename="x.xlsx", status="ready")
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    assert client.get(reverse("core:export_job_download", args=[job.pk])).status_code == 404
    assert "x.xlsx" not in client.get(reverse("core:export_job_list")).content.decode()
    assert "还没有导出" in client.get(reverse("core:export_job_list")).content.decode()


def test_a_job_queued_twice_is_written_once(auditor):
    from jingshi_jiafang.core.export_jobs import export_job_run

    audit_record(action=Action.LOGIN, actor_username="a")
    job = ExportJob.objects.create(kind="audit_log", requested_by=auditor, filename="x.xlsx", rows_expected=1)
    first = export_job_run(job_id=job.pk, actor=system_actor())
    second = export_job_run(job_id=job.pk, actor=system_actor())
    assert first.status == second.status == "ready" and second.file.name == first.file.name


def test_the_export_job_list_has_a_bounded_number_of_queries(client, auditor, django_assert_max_num_queries):
    for _ in range(15):
        ExportJob.objects.create(kind="audit_log", requested_by=auditor, filename="x.xlsx", status="ready")
    # session, user, second-factor device, session save, the jobs: not one per job.
    with django_assert_max_num_queries(7):
        client.get(reverse("core:export_job_list"))


def _written_job(requested_by: User, finished_at) -> ExportJob:
    job = ExportJob.objects.create(
        kind=ExportJob.Kind.AUDIT_LOG, requested_by=requested_by, filename="审计日志.xlsx", status="ready"
    )
    job.file.save("old.xlsx", ContentFile(b"xlsx"), save=False)
    ExportJob.objects.filter(pk=job.pk).update(file=job.file.name, finished_at=finished_at)
    job.refresh_from_db()
    return job


def test_export_files_past_retention_are_deleted_by_the_nightly_job_and_the_command(client, auditor, settings):
    settings.EXPORT_RETENTION_DAYS = 7
    now = timezone.now()
    old = _written_job(auditor, now - timedelta(days=9))
    recent = _written_job(auditor, now - timedelta(days=2))
    old_name = old.file.name

    assert expire_export_files_task.delay().get() == 1
    assert expire_export_files_task.delay().get() == 0  # the second run finds nothing
    out = StringIO()
    call_command("expire_exports", "--date", timezone.localdate().isoformat(), stdout=out)
    assert "0 expired" in out.getvalue()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.file.name) == ("expired", "")
    assert not old.file.storage.exists(old_name)
    assert recent.status == "ready" and recent.file.storage.exists(recent.file.name)

    page = client.get(reverse("core:export_job_list")).content.decode()
    assert "文件已过期删除" in page
    assert client.get(reverse("core:export_job_download", args=[old.pk])).status_code == 404


def test_the_expiry_command_refuses_a_bad_date():
    with pytest.raises(CommandError):
        call_command("expire_exports", "--date", "2026-13-01")
