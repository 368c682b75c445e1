"""Households in due order (never visited first, then longest since the last visit), the order of an officer's
list and of the coverage page's overdue list: without it a county-wide list sorts every household on each page.
PostgreSQL only: SQLite cannot index NULLS FIRST (and its databases are a development county)."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS household_due_idx ON core_household (last_visited_at ASC NULLS FIRST, id)"
DROP = "DROP INDEX IF EXISTS household_due_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_jobrun_and_export_started_at")]

    operations = [migrations.RunPython(create, drop)]
