"""A village's households in due order: the coverage page drilled into a village or a town lists its overdue
households from this index. Over household_due_idx alone the database walked the county's due households to find
the village's, and a village whose households had all been visited kept the page waiting seconds for the walk to
end. PostgreSQL only, like household_due_idx (SQLite cannot index NULLS FIRST)."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS household_village_due_idx "
    "ON core_household (village_id, last_visited_at ASC NULLS FIRST, id)"
)
DROP = "DROP INDEX IF EXISTS household_village_due_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0012_audit_reference_data")]

    operations = [migrations.RunPython(create, drop)]
