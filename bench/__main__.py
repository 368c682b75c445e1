"""`make bench`: a measuring instrument, not a stopwatch. It loads a county at two scales into databases of its own
next to the one DATABASE_URL names (`<name>_tiny`, `<name>_small`, `<name>_county`; on SQLite, files under var/),
times the pages and jobs that grow with the data at both, and reports each figure with its target and how it grows
from the smaller scale to the larger. Absolute milliseconds on a shared machine say little; growth says whether cost
follows the size of the data. It prints a table and writes var/bench.json:
    {"<name>": {"value": number, "unit": "...", "target": "...", "ok": bool}}

BENCH_SCALE=county (default) compares `small` (1/20 of the county) with the county; BENCH_SCALE=small compares
1/100 with 1/20 and finishes in minutes. The province measurement times the smaller scale's county alone and with
a second county as large loaded beside it (`<name>_two` for `small`, `<name>_two_tiny` for `tiny`). A database
already holding a county of the right size is reused (the loader is deterministic); BENCH_RELOAD=1 loads afresh.
`python -m bench classify` runs only the classifier's part; `python -m bench export N` is the export measurement's
child process."""

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingshi_jiafang.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402

from bench import measure  # noqa: E402
from bench.loader import SCALES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "var" / "bench.json"
BASE_NAME = settings.DATABASES["default"]["NAME"]  # the bench's databases are named after it


def database_for(scale_name: str) -> str:
    if connection.vendor == "postgresql":
        return f"{BASE_NAME}_{scale_name}"
    return str(ROOT / "var" / f"bench-{scale_name}.sqlite3")


def use_database(name: str) -> None:
    """Point the default connection at `name`, creating the database (PostgreSQL) if it is missing."""
    connections["default"].close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        connections["default"].close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def drop_database(name: str) -> None:
    connections["default"].close()
    if connection.vendor == "postgresql":
        admin = settings.DATABASES["default"].copy()
        connection.settings_dict["NAME"] = "postgres"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connections["default"].close()
        connection.settings_dict["NAME"] = admin["NAME"]
    elif Path(name).exists():
        Path(name).unlink()


def main() -> None:
    if sys.argv[1:] == ["classify"]:
        measure.classify(verbose=True)
        return
    if sys.argv[1:] == ["markdown"]:  # the README's table, from the last run
        print(measure.markdown(json.loads(OUTPUT.read_text())))
        return
    if sys.argv[1:2] == ["export"]:
        use_database(os.environ["BENCH_DATABASE"])
        measure.export_child(sys.argv[2])
        return
    large = os.environ.get("BENCH_SCALE", "county")
    if large not in ("county", "small"):
        sys.exit("BENCH_SCALE is county or small.")
    smaller = "small" if large == "county" else "tiny"
    reload = os.environ.get("BENCH_RELOAD") == "1"
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    figures: dict[str, dict] = {}
    for scale_name in (smaller, large):
        name = database_for(scale_name)
        if reload:
            drop_database(name)
        use_database(name)
        print(f"{scale_name}: {measure.ensure_loaded(SCALES[scale_name])}", flush=True)
    runs = measure.pages({scale: database_for(scale) for scale in (smaller, large)}, use_database)
    figures.update(measure.page_figures(runs[smaller], runs[large]))
    # The province: the smaller scale's county alone, and the same county with a second one as large beside it.
    two = database_for("two" if smaller == "small" else f"two_{smaller}")
    if reload:
        drop_database(two)
    use_database(two)
    print(f"two counties: {measure.ensure_two_loaded(SCALES[smaller])}", flush=True)
    runs = measure.pages({"alone": database_for(smaller), "two": two}, use_database, measure.PROVINCE_ROUNDS)
    figures.update(measure.province_figures(runs["alone"], runs["two"]))
    use_database(database_for(large))
    figures.update(measure.jobs())
    figures.update(measure.cards())
    figures.update(measure.http_ratio(database_for(large)))
    export_db = database_for("export")
    if reload:
        drop_database(export_db)
    use_database(export_db)
    figures.update(measure.export(export_db))
    use_database(BASE_NAME)
    figures.update(measure.classify(verbose=False))
    elapsed, limit = time.perf_counter() - started, 600 if large == "small" else 3600
    figures["bench.seconds"] = measure.figure(elapsed, "s", f"< {limit}", elapsed < limit)
    # The machine's load (runnable processes, 2 cores) at the start and the end: on a shared machine, what the
    # absolute figures were measured under. Growth figures take the scales in turns and are less exposed to it.
    figures["machine.load_start"] = measure.figure(load_before, "procs", "", True)
    figures["machine.load_end"] = measure.figure(os.getloadavg()[0], "procs", "", True)
    missing = [name for name in measure.REQUIRED if name not in figures]
    if missing:
        sys.exit(f"bench: figures missing: {', '.join(missing)}")
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(f"\ndatabase: {connection.vendor}; scales {smaller} → {large}")
    print(measure.table(figures))
    print(f"written to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
