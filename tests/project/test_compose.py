"""No Docker engine runs here, so the production path is checked by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_compose_has_the_five_services():
    assert set(load_compose()["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_database_is_postgres_16_on_a_volume_with_a_healthcheck():
    compose = load_compose()
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:16")
    assert any(volume.startswith("pgdata:") for volume in db["volumes"])
    assert "pgdata" in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_redis_is_version_7_with_a_healthcheck():
    redis = load_compose()["services"]["redis"]
    assert redis["image"].startswith("redis:7")
    assert "ping" in redis["healthcheck"]["test"]


def test_web_migrates_then_runs_gunicorn_and_is_health_checked():
    web = load_compose()["services"]["web"]
    command = command_of(web)
    assert command.index("migrate") < command.index("gunicorn")
    assert "jingshi_jiafang.wsgi:application" in command
    assert "/healthz/" in " ".join(web["healthcheck"]["test"])


def test_worker_and_beat_run_celery_for_the_project():
    services = load_compose()["services"]
    assert "worker" in command_of(services["worker"]).split()
    assert "beat" in command_of(services["beat"]).split()
    assert "-A jingshi_jiafang" in command_of(services["worker"])


def test_app_services_use_production_settings_and_wait_for_healthy_backends():
    services = load_compose()["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "jingshi_jiafang.settings.production"
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"


def test_secrets_have_no_default_in_compose():
    env = load_compose()["services"]["web"]["environment"]
    for secret in ("DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY"):
        assert ":?" in env[secret], secret


def test_uploads_are_on_a_volume_shared_by_web_and_worker_outside_the_web_root():
    compose = load_compose()
    for name in ("web", "worker"):
        service = compose["services"][name]
        assert service["environment"]["PRIVATE_STORAGE_ROOT"] == "/app/private"
        assert "privatedata:/app/private" in service["volumes"]
    assert "privatedata" in compose["volumes"]


def test_dockerfile_builds_the_app_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("FROM python:3.11")
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER jiafang" in dockerfile
