"""No officer on two overlapping duty shifts, refused by the database itself (PostgreSQL only).

The service checks for an overlap first, but two heads adding shifts at the same moment both pass the check; an
exclusion constraint makes the second insert wait for the first and then fail. SQLite has no exclusion
constraints and serialises writers anyway, so the constraint is created only on PostgreSQL and kept out of the
model's state (a constraint in `Meta.constraints` would be rendered into every SQLite table rebuild), which keeps
`makemigrations --check` clean on both.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import F, Func

CONSTRAINT_NAME = "dutyshift_officer_no_overlap"


def _constraint() -> ExclusionConstraint:
    # [starts_at, ends_at): a shift ending at 20:00 and the next starting at 20:00 do not overlap.
    period = Func(F("starts_at"), F("ends_at"), function="TSTZRANGE")
    return ExclusionConstraint(
        name=CONSTRAINT_NAME,
        expressions=[(F("officer"), RangeOperators.EQUAL), (period, RangeOperators.OVERLAPS)],
    )


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_constraint(apps.get_model("feedback", "DutyShift"), _constraint())


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_constraint(apps.get_model("feedback", "DutyShift"), _constraint())


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = [
        # Lets a GiST index compare the officer with "=" beside the ranges; a no-op outside PostgreSQL.
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, remove_constraint),
    ]
