"""One demo county for every test of this package, seeded once and rolled back at the end.

Seeding a county takes seconds to minutes; a dozen tests each seeding their own took a quarter of the suite. The
county is loaded inside a transaction that stays open for the package, as Django's TestCase keeps its class-level
data: each test runs in a savepoint within it, and the final rollback leaves the database as it found it (and, as
before, no on-commit hook of the loader ever fires).
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings

DEMO_HOUSEHOLDS = 6000
DEMO_DAYS = 180
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`make test`), this package's tests go to one worker, one after the other: split, each
    worker would seed its own county, and again each time it came back to the package from another."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.xdist_group("demo_county"))


@pytest.fixture(scope="package", autouse=True)
def demo_county(django_db_setup, django_db_blocker, tmp_path_factory):
    """The output of `seed_demo --households 6000 --days 180`."""
    checkpoints = override_settings(AUDIT_CHECKPOINT_FILE=tmp_path_factory.mktemp("demo") / "checkpoints.jsonl")
    checkpoints.enable()
    county = transaction.atomic()
    with django_db_blocker.unblock():
        county.__enter__()
        out = StringIO()
        call_command("seed_demo", "--force", "--households", str(DEMO_HOUSEHOLDS), "--days", str(DEMO_DAYS), stdout=out)
        # Check PostgreSQL's deferred foreign keys of the load now, once: left pending in the open transaction,
        # they would be checked again at the end of every test, whose savepoint rollback brings them back.
        connection.check_constraints()
    yield out.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        county.__exit__(None, None, None)
    checkpoints.disable()
