"""`make bench`: load a county of BENCH_HOUSEHOLDS (default 100,000) into a throw-away database and time the
pages that grow with it. Timings live here, never in tests; tests assert query counts instead."""

import io
import os
import statistics
import time
from functools import partial

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingshi_jiafang.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from jingshi_jiafang.core.models import Household, User  # noqa: E402

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "100000"))
REPEAT = 5

PAGES = [
    ("home", "/", {}),
    ("household list", "/households/", {}),
    ("household list, page 200", "/households/", {"page": 200}),
    ("household search by name", "/households/", {"q": "王"}),
    ("village list", "/areas/", {}),
]


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0)
    try:
        seconds = (
            timed(lambda: call_command("seed_demo", households=HOUSEHOLDS, force=True, stdout=io.StringIO())) / 1000
        )
        households = Household.objects.count()
        print(f"database: {connection.vendor}; seed_demo: {households} households in {seconds:.1f} s")
        print(f"{'user':<10} {'page':<28} {'median ms':>10} {'max ms':>8}")
        for username in ("officer", "cadre", "leader", "legal"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            for label, url, params in PAGES:
                samples = [timed(partial(client.get, url, params)) for _ in range(REPEAT)]
                print(f"{username:<10} {label:<28} {statistics.median(samples):>10.1f} {max(samples):>8.1f}")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
