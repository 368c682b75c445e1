"""A small `make faults` in the suite: the night peak and a worker killed mid-job, on real gunicorn, Celery and
PostgreSQL + Redis. Runs only where both servers are installed and configured (CI sets DATABASE_URL to
PostgreSQL and REDIS_URL); the script starts private instances of them on other ports, never touching those."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _missing

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres


def _servers_missing() -> str:
    if not os.environ.get("REDIS_URL") or not shutil.which("redis-server"):
        return "needs Redis: set REDIS_URL and install redis-server"
    if not (shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))):
        return "needs PostgreSQL's initdb: apt-get install postgresql"
    return ""


def test_a_short_night_peak_and_a_killed_worker_lose_nothing_and_double_nothing():
    if reason := _servers_missing():
        _missing(reason)
    env = {
        **os.environ,
        "FAULTS_OFFICERS": "20",
        "FAULTS_PEAK_SECONDS": "10",
        "FAULTS_THINK_SECONDS": "1",
        "FAULTS_BUSY_VISITS": "8000",
        "FAULTS_WEB_WORKERS": "2",
        "FAULTS_TASK_TIME_LIMIT": "5",
        "FAULTS_VISIBILITY_TIMEOUT": "6",
        "FAULTS_RECOVER_SECONDS": "120",
        # Ports apart from a developer's `make faults`.
        "FAULTS_PG_PORT": "5441",
        "FAULTS_REDIS_PORT": "6391",
        "FAULTS_WEB_PORT": "8791",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "faults", "night-peak", "worker-killed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "0 lost, 0 duplicated in every case" in result.stdout, report
    for case in ("night peak: visits", "night peak: echo cards", "worker killed mid-job (whole worker)"):
        assert f"| {case}" in result.stdout, report
