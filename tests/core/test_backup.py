import sqlite3
import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.models import AuditEntry, Household, HouseholdLink
from tests.core.factories import HouseholdFactory, HouseholdLinkFactory

TABLES = [Household._meta.db_table, HouseholdLink._meta.db_table, AuditEntry._meta.db_table, "core_user"]


def _make_records(alice, village_a):
    for _ in range(20):
        HouseholdLinkFactory(officer=alice, household=HouseholdFactory(village=village_a))
    for n in range(5):
        audit_record(action=Action.EXPORT, actor=alice, detail={"n": n})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_with_every_record(tmp_path, alice, village_a):
    _make_records(alice, village_a)
    dump = tmp_path / "jiafang.dump"
    call_command("backup_database", "--output", str(dump))
    assert dump.stat().st_size > 0

    settings_dict = connection.settings_dict
    empty_name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
    )
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{empty_name}"')
    try:
        url = (
            f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@"
            f"{settings_dict['HOST'] or 'localhost'}:{settings_dict['PORT'] or 5432}/{empty_name}"
        )
        call_command("restore_database", str(dump), "--database-url", url, "--noinput")
        restored = psycopg2.connect(url)
        try:
            for table in TABLES:
                # Every row, every column, as PostgreSQL prints it.
                fingerprint = f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY id)) FROM {table} t"
                with connection.cursor() as ours, restored.cursor() as theirs:
                    ours.execute(fingerprint)
                    theirs.execute(fingerprint)
                    expected = ours.fetchone()
                    assert expected[0] > 0, table
                    assert theirs.fetchone() == expected, table
        finally:
            restored.close()
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{empty_name}" WITH (FORCE)')
        admin.close()


@pytest.mark.django_db
def test_sqlite_backup_round_trip(tmp_path):
    source = tmp_path / "source.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany("INSERT INTO t (name) VALUES (?)", [("甲",), ("乙",)])
    dump = tmp_path / "backup.dump"
    call_command("backup_database", "--output", str(dump), "--database-url", f"sqlite:///{source}")
    target = tmp_path / "empty.sqlite3"
    call_command("restore_database", str(dump), "--database-url", f"sqlite:///{target}", "--noinput")
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT name FROM t ORDER BY id").fetchall() == [("甲",), ("乙",)]


def test_restore_asks_before_destroying(monkeypatch, tmp_path):
    from django.core.management import CommandError

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    (tmp_path / "x.dump").write_bytes(b"")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_database", str(tmp_path / "x.dump"))
