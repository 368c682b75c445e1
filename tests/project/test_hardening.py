import re
import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import UserFactory
from tests.project.test_settings import run_django

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def production_env(**overrides) -> dict[str, str]:
    env = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "jiafang.example",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ID_HASH_KEY": secrets.token_urlsafe(40),
        "AUDIT_CHECKPOINT_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": "sqlite:////tmp/jiafang-deploy-check.sqlite3",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_check_deploy_with_production_settings_reports_nothing():
    result = run_django("jingshi_jiafang.settings.production", production_env(), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY", "AUDIT_CHECKPOINT_KEY"])
def test_production_refuses_to_start_without_encryption_keys(missing):
    result = run_django("jingshi_jiafang.settings.production", production_env(**{missing: None}), "check")
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize("name", ["FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY", "AUDIT_CHECKPOINT_KEY"])
def test_production_refuses_the_public_development_keys(name):
    from django.conf import settings

    public = settings.DEVELOPMENT_KEYS[name]
    value = f"{Fernet.generate_key().decode()},{public}" if name == "FIELD_ENCRYPTION_KEYS" else public
    result = run_django("jingshi_jiafang.settings.production", production_env(**{name: value}), "check")
    assert result.returncode != 0
    assert f"{name} is the public development key" in result.stderr


def test_production_takes_its_keys_from_the_environment():
    result = run_django("jingshi_jiafang.settings.production", production_env(), "check")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_templates_have_no_inline_script(template):
    text = template.read_text()
    for attributes in SCRIPT_TAG.findall(text):
        assert "src=" in attributes, f"inline <script> in {template}"
    assert not INLINE_HANDLER.search(text), f"inline event handler in {template}"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_post_form_carries_a_csrf_token(template):
    text = template.read_text()
    for form in re.findall(r"<form\b[^>]*method=\"post\".*?</form>", text, re.IGNORECASE | re.DOTALL):
        assert "{% csrf_token %}" in form, f"POST form without csrf_token in {template}"


@pytest.mark.django_db
def test_rendered_pages_carry_no_inline_script(client, alice, alice_household):
    client.force_login(alice)
    pages = [reverse("home"), reverse("households:household_list"), alice_household.get_absolute_url()]
    for url in pages:
        for attributes in SCRIPT_TAG.findall(client.get(url).content.decode()):
            assert "src=" in attributes, url


@pytest.mark.django_db
def test_csrf_is_enforced_on_workflow_posts(alice, alice_household):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("households:household_reveal", args=[alice_household.pk]), {"field": "phone"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_pages_render_under_the_policy(client):
    log_in_as(client, UserFactory(role=User.Role.ADMIN, is_staff=True))
    response = client.get(reverse("admin:core_unit_changelist"))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response


# Caching of personal data, and the proxy's client address.


@pytest.mark.django_db
def test_every_authenticated_response_is_no_store(client, alice, alice_household):
    client.force_login(alice)
    for url in (alice_household.get_absolute_url(), reverse("households:household_list"), reverse("home")):
        assert "no-store" in client.get(url)["Cache-Control"], url
    revealed = client.post(reverse("households:household_reveal", args=[alice_household.pk]), {"field": "phone"})
    assert "no-store" in revealed["Cache-Control"]


@pytest.mark.django_db
def test_an_attachment_download_is_no_store(client, alice, alice_household):
    from tests.core.factories import AttachmentFactory

    attachment = AttachmentFactory(household=alice_household, uploaded_by=alice)
    client.force_login(alice)
    assert "no-store" in client.get(attachment.get_absolute_url())["Cache-Control"]


@pytest.mark.django_db
def test_the_real_client_address_is_believed_only_from_the_proxy(client, settings):
    from jingshi_jiafang.core.models import AuditEntry

    settings.TRUSTED_PROXY_IPS = ["172.30.0.10"]
    user = UserFactory()
    form = {"username": user.username, "password": "Wrong-password-1"}
    client.post(reverse("login"), form, REMOTE_ADDR="172.30.0.10", HTTP_X_REAL_IP="203.0.113.7")
    client.post(reverse("login"), form, REMOTE_ADDR="198.51.100.9", HTTP_X_REAL_IP="203.0.113.8")
    addresses = list(AuditEntry.objects.order_by("id").values_list("ip_address", flat=True))
    assert addresses == ["203.0.113.7", "198.51.100.9"]
