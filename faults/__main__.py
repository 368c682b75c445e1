"""`make faults`: the real system — gunicorn, a Celery worker and beat — on a private PostgreSQL and Redis that
this script starts (and restarts), driven through the cases of issue 16, then a table per case: what was sent,
what PostgreSQL holds, and how many were lost or duplicated. Exit status 1 when any case lost or doubled
something or failed otherwise. All traffic stays on loopback; every loop is bounded in time.

    python -m faults [case ...]        cases: night-peak worker-killed redis-restarted two-beats postgres-restarted

Knobs (environment): FAULTS_OFFICERS (200), FAULTS_PEAK_SECONDS (180), FAULTS_THINK_SECONDS (60),
FAULTS_BUSY_VISITS (20000), FAULTS_QUEUED_JOBS (20), FAULTS_BEATS_SECONDS (20), FAULTS_PG_OFFICERS (20),
FAULTS_PG_SECONDS (40), FAULTS_PG_DOWN_SECONDS (5), FAULTS_WEB_WORKERS (3), FAULTS_WEB_THREADS (4),
FAULTS_PG_PORT (5440), FAULTS_REDIS_PORT (6390), FAULTS_WEB_PORT (8790)."""

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from faults.servers import PrivatePostgres, PrivateRedis


def knob(name: str, default: float) -> float:
    return type(default)(os.environ.get(f"FAULTS_{name}", default))


@dataclass
class Context:
    pg: PrivatePostgres
    redis: PrivateRedis
    tmp: Path
    private_root: str
    web_port: int = knob("WEB_PORT", 8790)
    web_workers: int = knob("WEB_WORKERS", 3)
    web_threads: int = knob("WEB_THREADS", 4)
    officers: int = knob("OFFICERS", 200)
    peak_seconds: int = knob("PEAK_SECONDS", 180)
    think: float = knob("THINK_SECONDS", 60.0)
    busy_visits: int = knob("BUSY_VISITS", 20000)
    kill_after: float = knob("KILL_AFTER_SECONDS", 0.0)
    queued_jobs: int = knob("QUEUED_JOBS", 20)
    beats_seconds: int = knob("BEATS_SECONDS", 20)
    beat_every: int = knob("BEAT_EVERY", 2)
    pg_officers: int = knob("PG_OFFICERS", 20)
    pg_seconds: int = knob("PG_SECONDS", 40)
    pg_down_seconds: int = knob("PG_DOWN_SECONDS", 5)
    # The worker's hard task limit and Redis's visibility timeout, short for the run: a whole worker killed has its
    # task delivered again after the timeout, which must be above the longest task (here: seconds).
    task_time_limit: int = knob("TASK_TIME_LIMIT", 20)
    visibility_timeout: int = knob("VISIBILITY_TIMEOUT", 30)
    recover_seconds: int = knob("RECOVER_SECONDS", 180)
    busy_day: date = field(default_factory=lambda: date.today() - timedelta(days=1))
    system: object = None
    county: object = None
    peak: dict = field(default_factory=dict)

    def system_kill_pid(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def table(rows) -> str:
    heads = ("case", "sent", "stored", "lost", "duplicated")
    cells = [heads, *[(r.case, str(r.sent), str(r.stored), str(r.lost), str(r.duplicated)) for r in rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(len(heads))]
    line = lambda c: "| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |"  # noqa: E731
    out = [line(heads), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *[line(c) for c in cells[1:]]]
    out += ["", *[f"- {r.case}: {r.note}" + (" [FAILED]" if r.failed else "") for r in rows]]
    return "\n".join(out)


CASE_NAMES = ("night-peak", "worker-killed", "redis-restarted", "two-beats", "postgres-restarted")


def main(argv: list[str]) -> int:
    chosen = argv or list(CASE_NAMES)
    unknown = set(chosen) - set(CASE_NAMES)
    if unknown:
        print(f"unknown case(s): {', '.join(sorted(unknown))}; cases: {', '.join(CASE_NAMES)}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="jiafang-faults-"))
    pg = PrivatePostgres(knob("PG_PORT", 5440))
    redis = PrivateRedis(knob("REDIS_PORT", 6390))
    ctx = Context(pg=pg, redis=redis, tmp=tmp, private_root=str(tmp / "private"))
    started = time.monotonic()
    try:
        print(f"faults: PostgreSQL on :{pg.port}, Redis on :{redis.port}, logs in {tmp}", flush=True)
        pg.create()
        redis.start()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "faults.settings",
            "DATABASE_URL": pg.url,
            "REDIS_URL": redis.url,
            "PRIVATE_STORAGE_ROOT": ctx.private_root,
            "AUDIT_CHECKPOINT_FILE": str(tmp / "audit" / "checkpoints.jsonl"),
            "CELERY_TASK_TIME_LIMIT": str(ctx.task_time_limit),
            "CELERY_VISIBILITY_TIMEOUT": str(ctx.visibility_timeout),
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        import jingshi_jiafang.celery  # noqa: F401 — the tasks queued from here go to the private Redis
        from faults.cases import CASES
        from faults.seed import busy_day_seed, county_seed
        from faults.system import System

        call_command("migrate", verbosity=0)
        cards = int(ctx.peak_seconds / max(ctx.think, 0.1)) + 10
        ctx.county = county_seed(officers=max(ctx.officers, ctx.pg_officers), cards_per_officer=cards)
        busy_day_seed(day=ctx.busy_day, visits=ctx.busy_visits)
        ctx.system = System(env, tmp, ctx.web_port)
        print(f"faults: seeded in {time.monotonic() - started:.0f} s; running {', '.join(chosen)}", flush=True)
        rows = []
        for name in chosen:
            case_start = time.monotonic()
            rows += CASES[name](ctx)
            print(f"faults: {name} done in {time.monotonic() - case_start:.0f} s", flush=True)
        print()
        print(table(rows))
        print(f"\ntotal {time.monotonic() - started:.0f} s")
        bad = [r for r in rows if r.lost or r.duplicated or r.failed]
        print(
            "FAULTS: " + ("FAILED: " + ", ".join(r.case for r in bad) if bad else "0 lost, 0 duplicated in every case")
        )
        return 1 if bad else 0
    finally:
        if ctx.system is not None:
            ctx.system.stop_all()
        from django.db import connections

        connections.close_all()
        redis.destroy()
        pg.destroy()
        if not os.environ.get("FAULTS_KEEP_LOGS"):
            shutil.rmtree(tmp, ignore_errors=True)


def _stop(signum, frame):
    # Ctrl-C or a kill: leave through main's `finally`, which stops every server and process it started.
    raise SystemExit(130)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sys.exit(main(sys.argv[1:]))
