from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from jingshi_jiafang.core.audit import (
    GENESIS_HASH,
    Action,
    audit_chain_verify,
    audit_chain_verify_since_checkpoint,
    audit_record,
)
from jingshi_jiafang.core.models import AuditEntry, User
from tests.conftest import log_in_as, run_at_once
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def write_entries(count: int, actor=None) -> list[AuditEntry]:
    return [audit_record(action=Action.EXPORT, actor=actor, detail={"n": n, "text": "导出"}) for n in range(count)]


def test_each_entry_carries_the_hash_of_the_one_before():
    first, second, third = write_entries(3)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash


def test_verify_command_passes_on_an_intact_log():
    write_entries(5)
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "5 entries verified" in out.getvalue()


def test_verify_command_names_the_first_altered_entry():
    entries = write_entries(5)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET actor_username = %s WHERE id = %s", ["mallory", entries[2].pk]
        )
    with pytest.raises(CommandError, match=f"#{entries[2].pk}"):
        call_command("verify_audit_log")


def test_verify_detects_a_deleted_entry():
    entries = write_entries(4)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entries[1].pk])
    report = audit_chain_verify()
    assert report.first_broken_id == entries[2].pk


def test_verify_command_exits_non_zero_from_the_shell():
    """The contract is checked from outside the suite, through manage.py's exit status."""
    entries = write_entries(2)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET detail = %s WHERE id = %s", ['{"n": 99}', entries[0].pk]
        )
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit_log")
    assert raised.value.returncode == 1


# The checkpoint: the chain anchored outside the table.


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=AuditEntry._meta.db_table), params)


def test_deleting_the_newest_entry_is_noticed():
    entries = write_entries(5)
    call_command("audit_checkpoint", stdout=StringIO())
    _sql("DELETE FROM {table} WHERE id = %s", [entries[-1].pk])
    report = audit_chain_verify()
    assert not report.intact and report.first_broken_id == entries[-1].pk


def test_deleting_every_entry_after_a_point_is_noticed():
    entries = write_entries(8)
    call_command("audit_checkpoint", stdout=StringIO())
    _sql("DELETE FROM {table} WHERE id > %s", [entries[2].pk])
    with pytest.raises(CommandError, match=f"#{entries[-1].pk}"):
        call_command("verify_audit_log")


def test_rewriting_an_entry_and_recomputing_the_hashes_is_noticed():
    from jingshi_jiafang.core.audit import entry_digest

    first = write_entries(4)[0]
    call_command("audit_checkpoint", stdout=StringIO())
    previous = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("id"):
        if entry.pk == first.pk:
            entry.actor_username = "mallory"
        entry.previous_hash = previous
        entry.entry_hash = entry_digest(entry)
        _sql(
            "UPDATE {table} SET actor_username = %s, previous_hash = %s, entry_hash = %s WHERE id = %s",
            [entry.actor_username, entry.previous_hash, entry.entry_hash, entry.pk],
        )
        previous = entry.entry_hash
    report = audit_chain_verify()
    assert not report.intact and "检查点" in report.reason


def test_entries_after_the_checkpoint_verify_and_a_new_checkpoint_takes_over():
    write_entries(3)
    call_command("audit_checkpoint", stdout=StringIO())
    write_entries(2)
    assert audit_chain_verify().intact
    call_command("audit_checkpoint", stdout=StringIO())
    assert audit_chain_verify().checked == 5 and audit_chain_verify().intact


def test_a_forged_checkpoint_is_refused(settings):
    import json

    write_entries(2)
    call_command("audit_checkpoint", stdout=StringIO())
    path = settings.AUDIT_CHECKPOINT_FILE
    record = json.loads(path.read_text().splitlines()[-1])
    record["count"] = 1
    path.write_text(path.read_text() + json.dumps(record) + "\n")
    report = audit_chain_verify()
    assert not report.intact and "签名" in report.reason


def test_the_checkpoint_is_a_periodic_job(settings):
    from jingshi_jiafang.core.tasks import audit_checkpoint_task

    assert any(
        job["task"] == "jingshi_jiafang.core.tasks.audit_checkpoint_task"
        for job in settings.CELERY_BEAT_SCHEDULE.values()
    )
    last = write_entries(2)[-1]
    assert audit_checkpoint_task.delay().get() == last.pk
    assert str(last.entry_hash) in settings.AUDIT_CHECKPOINT_FILE.read_text()


def test_the_log_cannot_be_changed_or_deleted_through_the_orm():
    (entry,) = write_entries(1)
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_username="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


def test_audit_log_is_not_in_django_admin():
    from django.contrib import admin

    assert AuditEntry not in admin.site._registry


def test_auditor_reads_searches_and_verifies_the_log(client):
    auditor = log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    officer = UserFactory(username="searched-officer")
    write_entries(2, actor=officer)
    response = client.get(reverse("core:audit_list"), {"actor": "searched-officer", "verify": "1"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    assert "哈希链完整" in response.content.decode()
    assert auditor


def test_the_actor_filter_is_the_whole_account_name_on_the_page_and_in_the_export(client):
    """The walkthrough filtered by "admin" and got secadmin's actions too."""
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    admin = UserFactory(username="admin", role=User.Role.ADMIN)
    write_entries(2, actor=admin)
    write_entries(3, actor=UserFactory(username="secadmin", role=User.Role.SECURITY_ADMIN))
    page = client.get(reverse("core:audit_list"), {"actor": "admin"}).context["page"].object_list
    assert [entry.actor_username for entry in page] == ["admin", "admin"]
    assert not client.get(reverse("core:audit_list"), {"actor": "adm"}).context["page"].object_list
    export = client.get(reverse("core:audit_export"), {"actor": "admin"})
    usernames = [
        row[2] for row in load_workbook(BytesIO(export.getvalue())).active.iter_rows(min_row=2, values_only=True)
    ]
    assert usernames == ["admin", "admin"]


def test_auditor_export_is_an_excel_file_escaped_and_itself_audited(client):
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    audit_record(action=Action.EXPORT, actor_username='=HYPERLINK("http://x")')
    response = client.get(reverse("core:audit_export"), {"action": "export"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.getvalue())).active
    usernames = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in usernames
    assert AuditEntry.objects.filter(action="export", actor__role=User.Role.AUDITOR).exists()


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.ADMIN, User.Role.SECURITY_ADMIN, User.Role.LEGAL])
def test_only_the_auditor_reads_the_log(client, role):
    log_in_as(client, UserFactory(role=role, is_staff=role == User.Role.ADMIN))
    assert client.get(reverse("core:audit_list")).status_code == 403
    assert client.get(reverse("core:audit_export")).status_code == 403


def test_audit_list_query_count_is_bounded(client, django_assert_max_num_queries):
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    write_entries(60)
    # session, auditor, OTP device, count, rows, people, the last full verification: not one per entry.
    with django_assert_max_num_queries(9):
        client.get(reverse("core:audit_list"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    assert run_at_once(lambda _: write_entries(10) and None, list(range(4))) == [None] * 4
    report = audit_chain_verify()
    assert report.intact and report.checked == 40


# The auditor's page verifies from the latest checkpoint on; the whole chain is walked at night.


def test_the_auditors_check_walks_only_the_entries_after_the_latest_checkpoint(client):
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    call_command("verify_audit_log", stdout=StringIO())  # a night has passed: the whole chain was walked once
    checkpointed = write_entries(5)[-1]
    call_command("audit_checkpoint", stdout=StringIO())
    write_entries(2)
    response = client.get(reverse("core:audit_list"), {"verify": "1"})
    chain = response.context["chain"]
    # The checkpointed entry itself, the two after it, and the login's entry if any: never the five before.
    assert chain.intact and chain.since_id == checkpointed.pk
    assert chain.checked == AuditEntry.objects.filter(id__gte=checkpointed.pk).count() < AuditEntry.objects.count()
    assert f"自检查点(第 {checkpointed.pk} 条)起" in response.content.decode()


def test_the_check_from_the_checkpoint_finds_an_altered_newer_entry():
    write_entries(3)
    call_command("audit_checkpoint", stdout=StringIO())
    newer = write_entries(2)
    _sql("UPDATE {table} SET actor_username = %s WHERE id = %s", ["mallory", newer[0].pk])
    report = audit_chain_verify_since_checkpoint()
    assert not report.intact and report.first_broken_id == newer[0].pk


@pytest.mark.parametrize("tamper", ["delete_checkpointed", "delete_older", "rewrite_checkpointed"])
def test_the_check_from_the_checkpoint_holds_the_checkpoint_against_the_table(tamper):
    entries = write_entries(4)
    call_command("audit_checkpoint", stdout=StringIO())
    write_entries(1)
    if tamper == "delete_checkpointed":
        _sql("DELETE FROM {table} WHERE id = %s", [entries[-1].pk])
    elif tamper == "delete_older":
        _sql("DELETE FROM {table} WHERE id = %s", [entries[0].pk])
    else:
        _sql("UPDATE {table} SET actor_username = %s WHERE id = %s", ["mallory", entries[-1].pk])
    report = audit_chain_verify_since_checkpoint()
    assert not report.intact and report.first_broken_id == entries[-1].pk


def test_the_nightly_full_verification_is_a_periodic_job_and_stores_its_result(settings):
    from jingshi_jiafang.core.models import AuditVerification, JobRun
    from jingshi_jiafang.core.tasks import audit_verify_task

    assert any(
        job["task"] == "jingshi_jiafang.core.tasks.audit_verify_task" for job in settings.CELERY_BEAT_SCHEDULE.values()
    )
    entries = write_entries(3)
    assert audit_verify_task.delay().get() is True
    _sql("UPDATE {table} SET actor_username = %s WHERE id = %s", ["mallory", entries[0].pk])
    # Queued again the same day (a second beat, a redelivered task): once per day, nothing stored.
    assert audit_verify_task.delay().get() is None
    assert AuditVerification.objects.get().intact is True
    JobRun.objects.update(period="2000-01-01")  # as if that run had been another day's
    assert audit_verify_task.delay().get() is False
    last = AuditVerification.objects.first()
    assert (last.intact, last.first_broken_id) == (False, entries[0].pk)


def test_the_verify_command_stays_the_full_walk_and_is_stored_too():
    from jingshi_jiafang.core.models import AuditVerification

    entries = write_entries(4)
    call_command("audit_checkpoint", stdout=StringIO())
    _sql("UPDATE {table} SET actor_username = %s WHERE id = %s", ["mallory", entries[0].pk])
    assert audit_chain_verify_since_checkpoint().intact  # an old entry changed in place is the full walk's to find
    with pytest.raises(CommandError, match=f"#{entries[0].pk}"):
        call_command("verify_audit_log")
    assert AuditVerification.objects.get().intact is False


def test_the_auditors_page_is_red_when_the_last_full_verification_failed(client):
    from jingshi_jiafang.core.tasks import audit_verify_task

    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    entries = write_entries(2)
    _sql("UPDATE {table} SET actor_username = %s WHERE id = %s", ["mallory", entries[0].pk])
    audit_verify_task.delay()
    body = client.get(reverse("core:audit_list")).content.decode()
    assert 'data-testid="full-verification-alert"' in body and f"在第 {entries[0].pk} 条记录处断开" in body


def test_the_auditors_page_warns_when_the_last_full_verification_is_older_than_two_days(client):
    from datetime import timedelta

    from django.utils import timezone

    from jingshi_jiafang.core.models import AuditVerification
    from jingshi_jiafang.core.tasks import audit_verify_task

    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    audit_verify_task.delay()
    assert 'data-testid="full-verification-alert"' not in client.get(reverse("core:audit_list")).content.decode()
    AuditVerification.objects.update(finished_at=timezone.now() - timedelta(days=3))
    body = client.get(reverse("core:audit_list")).content.decode()
    assert 'data-testid="full-verification-alert"' in body and "已超过两天" in body
    assert "请通知系统管理员检查" in body and "manage.py" not in body


def test_the_auditors_page_says_when_no_full_verification_has_run(client):
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    body = client.get(reverse("core:audit_list")).content.decode()
    assert 'data-testid="full-verification-alert"' in body and "还没有完整校验过" in body
    # What the auditor can do, not a shell command they cannot run.
    assert "每晚的定时任务" in body and "点击“校验哈希链”可立即校验" in body and "manage.py" not in body


def test_the_auditors_first_check_walks_the_whole_chain_and_the_page_no_longer_says_never_verified(client):
    """The walkthrough: "哈希链完整:已校验 502 条" under a red "never verified… run manage.py verify_audit_log"."""
    from jingshi_jiafang.core.models import AuditVerification

    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    write_entries(5)
    call_command("audit_checkpoint", stdout=StringIO())
    write_entries(2)
    response = client.get(reverse("core:audit_list"), {"verify": "1"})
    body = response.content.decode()
    chain = response.context["chain"]
    assert chain.intact and chain.since_id is None and chain.checked == AuditEntry.objects.count()
    assert f"已校验全部 {chain.checked} 条记录" in body
    assert 'data-testid="full-verification-alert"' not in body and "还没有完整校验过" not in body
    assert 'data-testid="full-verification"' in body
    assert AuditVerification.objects.get().checked == chain.checked
    later = client.get(reverse("core:audit_list")).content.decode()
    assert 'data-testid="full-verification-alert"' not in later and "哈希链完整,共" in later


def test_after_the_nightly_job_the_page_says_when_the_chain_was_walked_without_an_alert(client):
    from jingshi_jiafang.core.tasks import audit_verify_task

    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    write_entries(3)
    audit_verify_task.delay()
    response = client.get(reverse("core:audit_list"), {"verify": "1"})
    body = response.content.decode()
    assert response.context["chain"].intact
    assert 'data-testid="full-verification-alert"' not in body and 'data-testid="full-verification"' in body
