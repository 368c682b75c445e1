"""Shared fixtures. Three users at hand, as healthchecks keeps alice, bob and charlie:
alice is an officer of station A, bob is the head of station A, charlie is an officer of station B."""

import os
import shutil

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.db import connection

from jingshi_jiafang.core.models import User
from tests.core.factories import (
    HouseholdFactory,
    HouseholdLinkFactory,
    PoliceRoomFactory,
    StationFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"


def _missing(reason: str):
    """A missing service skips a test on a developer's machine and fails it under CI, where .ci/run provides it."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: .ci/run must provide it)")
    pytest.skip(reason)


def pytest_collection_modifyitems(items):
    """The EXPLAIN tests run first, on a test database no other test has filled yet: rows committed by earlier
    tests (live-server and threaded ones) leave column statistics behind, and on a tiny table those make the
    planner pick between equally good indexes differently from one run order to the next."""
    items.sort(key=lambda item: "planner" not in item.keywords)


def pytest_runtest_setup(item):
    if "postgres" in item.keywords and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL to a PostgreSQL database")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Journeys and threaded tests commit each row they make, and each commit waited for the disk. A test
    database lost in a crash is made again by the next run; `make bench`, which shares the test settings, keeps
    production's durable commits."""
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        settings_dict["OPTIONS"]["options"] += " -c synchronous_commit=off"


@pytest.fixture(scope="session")
def _require_chromium():
    if not shutil.which(CHROMIUM):
        _missing(f"needs Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _audit_checkpoints_of_this_test(settings, tmp_path):
    """Each test anchors the audit chain in its own file, never in var/ of the working tree."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture
def station_a():
    return StationFactory(name="城东派出所", code="CD")


@pytest.fixture
def station_b():
    return StationFactory(name="城西派出所", code="CX")


@pytest.fixture
def village_a(station_a):
    town = TownFactory(unit=station_a, name="东关镇")
    return VillageFactory(parent=town, unit=PoliceRoomFactory(parent=station_a), name="东湖村")


@pytest.fixture
def village_b(station_b):
    town = TownFactory(unit=station_b, name="西关镇")
    return VillageFactory(parent=town, unit=PoliceRoomFactory(parent=station_b), name="西湖村")


@pytest.fixture
def alice(village_a):
    return UserFactory(username="alice", name="艾丽", role=User.Role.OFFICER, unit=village_a.unit)


@pytest.fixture
def bob(station_a):
    return UserFactory(username="bob", name="鲍勃", role=User.Role.OFFICER, unit=station_a, is_unit_head=True)


@pytest.fixture
def charlie(village_b):
    return UserFactory(username="charlie", name="查理", role=User.Role.OFFICER, unit=village_b.unit)


@pytest.fixture
def alice_household(alice, village_a):
    household = HouseholdFactory(village=village_a, head_name="甲户主")
    HouseholdLinkFactory(officer=alice, household=household)
    return household


@pytest.fixture
def charlie_household(charlie, village_b):
    household = HouseholdFactory(village=village_b, head_name="乙户主")
    HouseholdLinkFactory(officer=charlie, household=household)
    return household


# A list page's fixed cost: session, user, second-factor device check, session save (once a minute); then the
# page's own queries (filter choices, count, rows). It must not grow with the number of rows.
MAX_PAGE_QUERIES = 10


def log_in_as(client, user):
    """Sign in as the login page would leave it: with the second factor proven when the role requires one."""
    from django.conf import settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.role in settings.OTP_REQUIRED_ROLES:
        device = TOTPDevice.objects.create(user=user, name="测试设备", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return user


def run_at_once(work, arguments: list) -> list:
    """Run `work(argument)` in one thread per argument, released together, each on its own database connection.
    Returns what each call returned, or the exception it raised, in the order of `arguments`."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(arguments))
    results: list = [None] * len(arguments)

    def run(index, argument):
        try:
            barrier.wait()
            results[index] = work(argument)
        except Exception as error:  # noqa: BLE001 - returned to the test, which asserts on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
