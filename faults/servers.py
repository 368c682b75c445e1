"""Private, throw-away PostgreSQL and Redis servers for `make faults`: the cases restart them, which the shared
servers of a machine (and CI's) must never be. Both live in a temporary directory and listen on loopback only."""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def _pg_bin(name: str) -> str:
    """initdb and pg_ctl of the newest installed PostgreSQL (Debian keeps them off PATH)."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (no initdb): apt-get install postgresql")
    return str(versions[-1] / name)


def _wait(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up in {seconds:.0f} s")


class PrivatePostgres:
    """A cluster made by initdb. PostgreSQL refuses to run as root: as root it runs as the `postgres` user."""

    def __init__(self, port: int):
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="jiafang-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        env = {**os.environ, "PGPASSWORD": "jiafang"}
        subprocess.run(
            command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            cwd=self.root, env=env, timeout=120,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://jiafang:jiafang@127.0.0.1:{self.port}/jiafang"

    def create(self) -> None:
        password_file = self.root / "pw"
        password_file.write_text("jiafang\n")
        if self.user:
            shutil.chown(password_file, self.user)
        self._run(
            _pg_bin("initdb"), "-D", str(self.data), "-U", "jiafang", "--pwfile", str(password_file),
            "-A", "md5", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            # Loopback only, in the temp directory's socket; durable enough for a test run, quick to start.
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                "max_connections = 200\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        self.start()
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "jiafang", "jiafang")

    def _ready(self) -> bool:
        result = subprocess.run([_pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False)
        return result.returncode == 0

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start")
        _wait(self._ready, "PostgreSQL")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """redis-server with the production compose file's persistence (appendonly) and eviction policy."""

    def __init__(self, port: int):
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="jiafang-faults-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _ping(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], check=False, capture_output=True, text=True
        )
        return result.stdout.strip() == "PONG"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root),
             "--appendonly", "yes", "--appendfsync", "always", "--maxmemory-policy", "noeviction", "--save", ""],
            stdout=(self.root / "redis.log").open("a"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait(self._ping, "Redis")

    def stop(self) -> None:
        """SHUTDOWN as a restart does: Redis writes its append-only file and exits."""
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], check=False, capture_output=True)
        if self.process:
            self.process.wait(timeout=30)
            self.process = None

    def queued(self, queue: str = "celery") -> int:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "llen", queue], check=False, capture_output=True, text=True
        )
        return int(result.stdout.strip() or 0)

    def unacked(self) -> int:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "hlen", "unacked"], check=False, capture_output=True, text=True
        )
        return int(result.stdout.strip() or 0)

    def destroy(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
