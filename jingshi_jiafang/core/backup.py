"""Backup and restore of the whole database: pg_dump/pg_restore for PostgreSQL, the SQLite backup API otherwise."""

import os
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
from django.conf import settings


class BackupError(Exception):
    pass


def database_config(url: str | None = None) -> dict:
    return dj_database_url.parse(url) if url else settings.DATABASES["default"]


def _pg_args(config: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--host", config.get("HOST") or "localhost", "--port", str(config.get("PORT") or 5432)]
    if config.get("USER"):
        args += ["--username", config["USER"]]
    env = {**os.environ, "PGPASSWORD": config.get("PASSWORD") or ""}
    return args, env


def _run(command: list[str], env: dict | None = None) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def backup(output: Path, database_url: str | None = None) -> Path:
    config = database_config(database_url)
    output.parent.mkdir(parents=True, exist_ok=True)
    if "postgresql" in config["ENGINE"]:
        args, env = _pg_args(config)
        _run(["pg_dump", *args, "--format", "custom", "--no-owner", "--file", str(output), config["NAME"]], env)
    else:
        with sqlite3.connect(config["NAME"]) as source, sqlite3.connect(output) as target:
            source.backup(target)
    return output


def restore(source: Path, database_url: str | None = None) -> None:
    """Replace the database's contents with the backup's."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    config = database_config(database_url)
    if "postgresql" in config["ENGINE"]:
        args, env = _pg_args(config)
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                config["NAME"],
                str(source),
            ],
            env,
        )
    else:
        with sqlite3.connect(source) as backup_db, sqlite3.connect(config["NAME"]) as target:
            backup_db.backup(target)
