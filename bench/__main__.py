"""`make bench`: the topic classifier's quality on its held-out set, then a county of BENCH_HOUSEHOLDS (default
100,000) loaded into a throw-away database and the pages that grow with it timed. Timings and measured quality
live here, never in tests; tests assert query counts and floors instead. `python -m bench classify` runs only the
classifier's part."""

import io
import os
import statistics
import sys
import time
from datetime import timedelta
from functools import partial

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingshi_jiafang.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from evaluation.services.summaries import summaries_refresh, summaries_refresh_range  # noqa: E402
from feedback.classification.model import TopicClassifier, evaluate  # noqa: E402
from feedback.models import Category  # noqa: E402
from feedback.services.classification import BUNDLED_EXAMPLES, HELDOUT_EXAMPLES, read_labelled  # noqa: E402
from jingshi_jiafang.core.models import Area, Household, User  # noqa: E402
from jingshi_jiafang.reports.forms import last_month  # noqa: E402
from jingshi_jiafang.reports.monthly import monthly_report_write  # noqa: E402

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "100000"))
YEAR = str(time.localtime().tm_year)
REPEAT = 5

PAGES = [
    ("home", "/", {}),
    ("household list", "/households/", {}),
    ("household list, page 200", "/households/", {"page": 200}),
    ("household search by name", "/households/", {"q": "王"}),
    ("village list", "/areas/", {}),
    ("dashboard, whole reach", "/evaluation/dashboard/", {}),
    ("dashboard, this year", "/evaluation/dashboard/", {"period": "year", "year": YEAR}),
]


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def rss_bytes() -> int:
    """This process's resident memory now (Linux), not its peak: what the export holds while it writes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_monthly_report() -> None:
    """The legal department's monthly report of last month over the county, written to a temporary file:
    rows per second, and how far resident memory rose above where it started, sampled every 10 ms while it
    writes (it should not grow with the month: rows stream from the database into write-only sheets)."""
    import tempfile
    import threading

    start_rss = rss_bytes()
    peak_rss = start_rss
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_rss
        while not done.wait(0.01):
            peak_rss = max(peak_rss, rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryFile(suffix=".xlsx") as file:
        start = time.perf_counter()
        rows = monthly_report_write(file, {"month": f"{last_month():%Y-%m}", "area": ""})
        seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    growth_mb = (max(peak_rss, rss_bytes()) - start_rss) / 2**20
    print(f"monthly report {last_month():%Y-%m}: {rows} matters in {seconds:.2f} s")
    print(f"export.rows_per_s {rows / seconds:.0f}")
    print(f"export.rss_growth {growth_mb:.1f} MB")


def bench_classify() -> None:
    """classify.*: trained on the bundled examples only, measured on heldout.tsv, which it never sees."""
    start = time.perf_counter()
    model = TopicClassifier.fit(*read_labelled(BUNDLED_EXAMPLES))
    trained = (time.perf_counter() - start) * 1000
    texts, truths = read_labelled(HELDOUT_EXAMPLES)
    start = time.perf_counter()
    measured = evaluate(model, texts, truths)
    per_text = (time.perf_counter() - start) * 1000 / len(texts)
    print(f"classify.train_ms {trained:.0f} (temperature {model.temperature}); classify.ms_per_text {per_text:.2f}")
    print(f"classify.accuracy {measured.accuracy:.3f} on {measured.size} held-out texts")
    print(f"{_cell('topic', 10)}{_cell('precision', 11)}{_cell('recall', 9)}{_cell('n', 5)}")
    for category in Category:
        figures = measured.per_label[category.value]
        print(
            _cell(category.label, 10)
            + _cell(f"{figures['precision']:.3f}", 11)
            + _cell(f"{figures['recall']:.3f}", 9)
            + _cell(str(figures["support"]), 5)
        )
    print("classify.confusion (rows: the true topic; columns: the suggested one)")
    print(_cell("", 10) + "".join(_cell(category.label, 10) for category in Category))
    for truth in Category:
        row = measured.confusion[truth.value]
        print(_cell(truth.label, 10) + "".join(_cell(str(row[category.value]), 10) for category in Category))


def _cell(text: str, width: int) -> str:
    """Right-aligned in `width` terminal columns; a Chinese character takes two."""
    used = sum(2 if ord(char) > 0x2E80 else 1 for char in text)
    return " " * max(width - used, 1) + text


def main() -> None:
    bench_classify()
    if sys.argv[1:] == ["classify"]:
        return
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
                if url.startswith("/evaluation/dashboard/") and username == "officer":
                    continue  # officers have their to-do lists, not the dashboard (a 403)
                samples = [timed(partial(client.get, url, params)) for _ in range(REPEAT)]
                print(f"{username:<10} {label:<28} {statistics.median(samples):>10.1f} {max(samples):>8.1f}")
        bench_monthly_report()
        bench_dashboard()
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


def bench_dashboard() -> None:
    """The dashboard of a town (the county's is in PAGES) and the summaries' daily and backfill refreshes."""
    from django.utils import timezone

    town = Area.objects.filter(kind=Area.Kind.TOWN).order_by("code").first()
    client = Client()
    client.force_login(User.objects.get(username="legal"))
    samples = [timed(partial(client.get, f"/evaluation/dashboard/areas/{town.pk}/", {})) for _ in range(REPEAT)]
    print(f"{'legal':<10} {'dashboard, a town':<28} {statistics.median(samples):>10.1f} {max(samples):>8.1f}")
    yesterday = timezone.localdate() - timedelta(days=1)
    samples = [timed(partial(summaries_refresh, day=yesterday)) for _ in range(REPEAT)]
    print(f"{'job':<10} {'summaries refresh, one day':<28} {statistics.median(samples):>10.1f} {max(samples):>8.1f}")
    start = yesterday - timedelta(days=29)
    samples = [timed(partial(summaries_refresh_range, start=start, end=yesterday)) for _ in range(2)]
    print(f"{'job':<10} {'summaries refresh, 30 days':<28} {statistics.median(samples):>10.1f} {max(samples):>8.1f}")


if __name__ == "__main__":
    main()
