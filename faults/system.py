"""The system under test: gunicorn, Celery workers and beats as subprocesses of the script (each in its own
process group, so that kill -9 reaches a whole worker), all on the private PostgreSQL and Redis."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class System:
    def __init__(self, env: dict[str, str], logs: Path, web_port: int):
        self.env = env
        self.logs = logs
        self.web_port = web_port
        self.processes: dict[str, subprocess.Popen] = {}
        self.starts = 0

    def _spawn(self, name: str, command: list[str], extra_env: dict | None = None) -> subprocess.Popen:
        self.starts += 1
        log = (self.logs / f"{name}.log").open("a")
        process = subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **(extra_env or {})}, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self.processes[name] = process
        return process

    def log_text(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # gunicorn ------------------------------------------------------------------------------------------------
    def start_web(self, workers: int, threads: int, extra_env: dict | None = None) -> None:
        self._spawn(
            "web",
            [sys.executable, "-m", "gunicorn", "jingshi_jiafang.wsgi:application", "--bind",
             f"127.0.0.1:{self.web_port}", "--workers", str(workers), "--threads", str(threads),
             "--worker-class", "gthread", "--backlog", "2048", "--timeout", "120", "--graceful-timeout", "5"],
            extra_env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/healthz/", timeout=5) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz/ within 60 s; see its log")

    # Celery ----------------------------------------------------------------------------------------------------
    def start_worker(self, concurrency: int = 2) -> subprocess.Popen:
        name = "worker"
        before = self.log_text(name).count(" ready.")
        process = self._spawn(
            name,
            [sys.executable, "-m", "celery", "-A", "jingshi_jiafang", "worker", "--loglevel", "INFO",
             "--concurrency", str(concurrency), "--pool", "prefork", "--without-gossip", "--without-mingle",
             "--hostname", f"faults{self.starts}@%h"],
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while self.log_text(name).count(" ready.") <= before:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the Celery worker did not start; see its log")
            time.sleep(0.2)
        return process

    def worker_children(self) -> list[int]:
        """The pool processes of the running worker: the ones that run the tasks."""
        main = self.processes["worker"].pid
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(main)], capture_output=True, text=True, check=False)
        return [int(pid) for pid in out.stdout.split()]

    def start_beat(self, name: str, schedule_dir: Path) -> None:
        self._spawn(
            name,
            [sys.executable, "-m", "celery", "-A", "jingshi_jiafang", "beat", "--loglevel", "INFO",
             "--schedule", str(schedule_dir / f"{name}-schedule"), "--pidfile", str(schedule_dir / f"{name}.pid")],
            {"FAULTS_FAST_BEAT": "1"},
        )  # fmt: skip

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the process's whole group (a worker and its pool), then reap it."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self, name: str) -> None:
        self.kill(name, signal.SIGTERM)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM if name != "worker" else signal.SIGKILL)

    def manage(self, *args: str, extra_env: dict | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **(extra_env or {})},
            capture_output=True, text=True, check=True, timeout=300,
        )  # fmt: skip
        return result.stdout.strip()
