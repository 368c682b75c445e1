import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jingshi_jiafang.settings.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_django(settings_module: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django("jingshi_jiafang.settings.production", {"DJANGO_ALLOWED_HOSTS": "jiafang.example"}, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_django("jingshi_jiafang.settings.production", {"DJANGO_SECRET_KEY": "x" * 50}, "check")
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_local_settings_default_to_sqlite_under_var_and_the_filesystem_broker():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL)"
    )
    clean_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    clean_env["DJANGO_SETTINGS_MODULE"] = "jingshi_jiafang.settings.local"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    engine, name, broker = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "var" / "db.sqlite3")
    assert broker == "filesystem://"


def test_migrate_creates_the_directory_of_a_new_sqlite_database(tmp_path):
    database = tmp_path / "fresh-clone" / "var" / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    result = run_django("jingshi_jiafang.settings.local", env, "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    assert database.exists()


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("off", False), ("", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG")


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_int("X_INT", 1) == 42
    assert env_list("X_LIST") == ["a.example", "b.example"]


@pytest.mark.django_db
def test_health_check_answers_whatever_the_host(client):
    response = client.get("/healthz/", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response.content == b"ok"
