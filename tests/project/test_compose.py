"""No Docker engine runs here, so the production path is checked by reading it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_compose_has_the_six_services():
    assert set(load_compose()["services"]) == {"proxy", "db", "redis", "web", "worker", "beat"}


def test_only_the_tls_proxy_is_published_and_gunicorn_trusts_forwarded_headers_from_it_alone():
    compose = load_compose()
    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert set(proxy["ports"]) == {"443:443", "80:80"}
    assert "./deploy/certs:/etc/nginx/certs:ro" in proxy["volumes"]
    proxy_ip = proxy["networks"]["internal"]["ipv4_address"]
    for name, service in services.items():
        if name != "proxy":
            assert "ports" not in service, f"{name} is published on the host"
            assert "internal" in service["networks"] and "public" not in service["networks"], name
    assert compose["networks"]["internal"]["internal"] is True
    assert re.search(r"--forwarded-allow-ips ([\d.]+)", command_of(services["web"])).group(1) == proxy_ip
    assert services["web"]["environment"]["TRUSTED_PROXY_IPS"] == proxy_ip


def test_the_proxy_terminates_tls_and_sets_the_forwarded_headers_itself():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "listen 443 ssl" in conf and "ssl_certificate /etc/nginx/certs/fullchain.pem" in conf
    assert "return 301 https://" in conf
    assert "proxy_set_header X-Forwarded-Proto https;" in conf
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf


def test_production_settings_do_not_believe_x_forwarded_proto_themselves():
    """Django would take the header from anyone who reaches gunicorn; gunicorn takes it from the proxy only."""
    from tests.project.test_hardening import production_env
    from tests.project.test_settings import run_django

    code = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
    result = run_django("jingshi_jiafang.settings.production", production_env(), "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "None", result.stderr


def test_audit_checkpoints_are_on_a_volume_the_database_never_mounts():
    compose = load_compose()
    services = compose["services"]
    for name in ("web", "worker"):
        assert "auditcheckpoints:/app/audit" in services[name]["volumes"]
        assert services[name]["environment"]["AUDIT_CHECKPOINT_FILE"].startswith("/app/audit/")
    assert not any(volume.startswith("auditcheckpoints") for volume in services["db"]["volumes"])
    assert ":?" in services["web"]["environment"]["AUDIT_CHECKPOINT_KEY"]


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
    for secret in ("DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY", "AUDIT_CHECKPOINT_KEY"):
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


def test_the_proxy_takes_an_import_workbook_as_large_as_the_application_does():
    from django.conf import settings

    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    block = conf[conf.index("location = /imports/") :]
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", block).group(1))
    assert limit_mb * 1024 * 1024 > settings.IMPORT_MAX_UPLOAD_BYTES
    assert "proxy_set_header X-Real-IP $remote_addr;" in block


def test_redis_keeps_queued_tasks_never_evicts_and_there_is_exactly_one_beat():
    services = load_compose()["services"]
    redis = command_of(services["redis"])
    assert "--appendonly yes" in redis
    assert "--maxmemory-policy noeviction" in redis
    commands = {name: command_of(service).split() for name, service in services.items() if "command" in service}
    # beat as its own service, or embedded in a worker (`worker -B`), counts as a beat.
    beats = [name for name, words in commands.items() if "beat" in words or "-B" in words or "--beat" in words]
    assert beats == ["beat"]
    assert "deploy" not in services["beat"] and "scale" not in services["beat"]
