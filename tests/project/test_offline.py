"""The offline layer's server side (jingshi_jiafang/offline.py): the installable app, the service worker, whose
pages the phone may keep, clearing at logout, and a visit form sent again when the signal comes back."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import HouseholdLink, User
from jingshi_jiafang.offline import USER_HEADER, door_page_patterns, offline_user_key
from tests.conftest import log_in_as
from tests.core.factories import OrganisationFactory, OrganisationLinkFactory, UserFactory
from tests.visits.test_visits import visit_post
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_chinese_with_its_icons(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "警事家访"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with open(path, "rb") as png:
            assert png.read(8) == b"\x89PNG\r\n\x1a\n"


def test_every_page_links_the_manifest(client, alice):
    log_in_as(client, alice)

    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/").content.decode()


def test_the_service_worker_is_served_at_the_root_with_its_scope_and_never_from_a_cache(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    # The static files it keeps are the ones the pages link, under their (possibly hashed) names.
    assert '"/static/js/offline.js"' in body
    assert '"/static/vendor/bootstrap-5.3.9/bootstrap.min.css"' in body
    assert "{{" not in body and "{%" not in body


def test_the_service_worker_keeps_only_the_pages_needed_at_a_door(alice_household):
    patterns = [re.compile(pattern) for pattern in door_page_patterns()]

    def kept(path):
        return any(pattern.match(path) for pattern in patterns)

    assert kept("/")
    assert kept(reverse("households:household_list"))
    assert kept(alice_household.get_absolute_url())
    assert kept(reverse("visits:visit_create", args=[alice_household.pk]))
    assert kept(reverse("visits:organisation_list"))
    assert kept(reverse("visits:organisation_detail", args=[7]))
    assert kept(reverse("visits:organisation_visit_create", args=[7]))
    assert not kept(reverse("households:household_reveal", args=[alice_household.pk]))
    assert not kept(reverse("feedback:matter_list"))
    assert not kept(reverse("visits:diary"))
    assert not kept("/audit/")


def test_the_offline_page_names_nobody(client, alice):
    log_in_as(client, alice)

    response = client.get("/offline/")

    assert response.status_code == 200
    assert "当前没有网络" in response.content.decode()
    assert alice.name not in response.content.decode()


def test_the_page_for_the_back_button_to_a_forms_result_is_kept_and_names_nobody(client, alice):
    log_in_as(client, alice)

    body = client.get("/offline/?after=form").content.decode()

    assert "这一页不能用返回键打开" in body and "当前没有网络" not in body
    assert alice.name not in body
    assert '"/offline/?after=form"' in client.get("/sw.js").content.decode()


def test_a_visitors_pages_name_their_user_by_an_opaque_key(client, alice, charlie):
    log_in_as(client, alice)

    response = client.get("/")

    key = offline_user_key(alice)
    assert key and key != offline_user_key(charlie) and str(alice.pk) != key
    assert response[USER_HEADER] == key
    assert f'data-offline-user="{key}"' in response.content.decode()
    assert 'type="module" src="/static/js/offline.js"' in response.content.decode()


@pytest.mark.parametrize("role", [User.Role.ADMIN, User.Role.AUDITOR, User.Role.EVALUATOR])
def test_pages_of_users_who_log_no_visits_are_never_kept(client, role):
    log_in_as(client, UserFactory(role=role))

    response = client.get("/")

    assert USER_HEADER not in response
    assert "data-offline-user" not in response.content.decode()


def test_the_login_page_is_kept_for_nobody(client):
    response = client.get(reverse("login"))

    assert USER_HEADER not in response
    assert "data-offline-user" not in response.content.decode()


def test_logging_out_clears_the_pages_and_visits_kept_on_the_phone(client, alice):
    log_in_as(client, alice)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_visit_form_carries_what_the_offline_layer_needs_and_no_full_number(client, alice, alice_household):
    alice_household.phone = "13812345678"
    alice_household.save()
    log_in_as(client, alice)

    page = client.get(reverse("visits:visit_create", args=[alice_household.pk])).content.decode()

    assert 'data-offline-visit data-label="' in page
    assert 'data-personal-fields="phone fix-head_id_number"' in page
    assert "data-offline-saved" in page and "待发送" in page
    assert "13812345678" not in page


# A visit kept on the phone and sent when the signal came back.


def test_a_visit_sent_again_records_nothing_and_lands_on_the_visit(client, alice, alice_household):
    log_in_as(client, alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    data = visit_post(alice_household, requests="路灯坏了")

    first = client.post(url, data)
    again = client.post(url, data, follow=True)

    visit = Visit.objects.get()
    assert first.url == visit.get_absolute_url()
    assert again.redirect_chain == [(visit.get_absolute_url(), 302)]
    assert again.status_code == 200
    assert "这次走访已经保存过,没有重复记录。" in again.content.decode()
    assert Visit.objects.count() == 1
    assert visit.matters.count() == 1


def test_a_visit_sent_after_the_late_entry_window_still_lands_on_the_visit(client, alice, alice_household, settings):
    log_in_as(client, alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    moment = timezone.localtime(timezone.now() - timedelta(hours=settings.VISIT_LATE_ENTRY_HOURS - 1))
    data = visit_post(alice_household, visited_at=moment.strftime("%Y-%m-%dT%H:%M"))
    client.post(url, data)
    settings.VISIT_LATE_ENTRY_HOURS = 1

    again = client.post(url, data)

    assert again.status_code == 302
    assert again.url == Visit.objects.get().get_absolute_url()


def test_a_visit_sent_after_the_household_left_the_officers_reach_still_lands_on_the_visit(
    client, alice, alice_household
):
    log_in_as(client, alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    data = visit_post(alice_household)
    client.post(url, data)
    today = timezone.localdate()
    HouseholdLink.objects.filter(officer=alice).update(
        start_date=today - timedelta(days=3), end_date=today - timedelta(days=1)
    )

    again = client.post(url, data, follow=True)

    assert again.status_code == 200
    assert Visit.objects.count() == 1


def test_another_officers_key_is_no_shortcut(client, alice, alice_household, charlie):
    """The shortcut is for the visitor's own form: anyone else's post goes through the form and the scopes."""
    log_in_as(client, alice)
    data = visit_post(alice_household)
    client.post(reverse("visits:visit_create", args=[alice_household.pk]), data)
    log_in_as(client, charlie)

    response = client.post(reverse("visits:visit_create", args=[alice_household.pk]), data)

    assert response.status_code == 404
    assert Visit.objects.count() == 1


def test_a_new_key_records_a_second_visit(client, alice, alice_household):
    log_in_as(client, alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])

    client.post(url, visit_post(alice_household))
    client.post(url, visit_post(alice_household, submission_key=str(uuid.uuid4())))

    assert Visit.objects.count() == 2


def test_a_changed_static_file_makes_a_new_service_worker(client, tmp_path, monkeypatch):
    """In development static names are not hashed: a changed file must still reach phones that keep the old one."""
    from django.contrib.staticfiles import finders

    stylesheet = tmp_path / "app.css"
    stylesheet.write_text("body {}")
    real_find = finders.find
    monkeypatch.setattr(finders, "find", lambda path: str(stylesheet) if path == "css/app.css" else real_find(path))

    def version():
        return re.search(r'const VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)

    before = version()
    assert version() == before
    stylesheet.write_text("body { color: #000; }")

    assert version() != before


def test_an_organisation_visit_form_is_kept_on_the_phone_like_a_household_s(client, alice, village_a):
    school = OrganisationFactory(village=village_a, name="东湖小学", phone="13800001111")
    OrganisationLinkFactory(officer=alice, organisation=school)
    log_in_as(client, alice)

    page = client.get(reverse("visits:organisation_visit_create", args=[school.pk])).content.decode()

    assert 'data-offline-visit data-label="东湖小学"' in page
    assert "data-offline-saved" in page and "data-offline-error" in page and 'data-testid="offline-queue"' in page
    assert "13800001111" not in page


def test_an_organisation_visit_sent_after_its_link_ended_still_lands_on_the_visit(client, alice, village_a):
    school = OrganisationFactory(village=village_a, name="东湖小学")
    link = OrganisationLinkFactory(officer=alice, organisation=school)
    log_in_as(client, alice)
    url = reverse("visits:organisation_visit_create", args=[school.pk])
    data = {
        "submission_key": client.get(url).context["form"].initial["submission_key"],
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "people_met": "王校长",
    }
    client.post(url, data)
    today = timezone.localdate()
    type(link).objects.filter(pk=link.pk).update(
        start_date=today - timedelta(days=3), end_date=today - timedelta(days=1)
    )

    again = client.post(url, data, follow=True)

    visit = Visit.objects.get()
    assert again.redirect_chain == [(visit.get_absolute_url(), 302)]
    assert "这次走访已经保存过,没有重复记录。" in again.content.decode()


def test_the_session_probe_answers_204_or_401_and_never_redirects(client, alice):
    url = reverse("offline_session")
    assert client.head(url).status_code == 401
    client.force_login(alice)
    assert client.head(url).status_code == 204 and client.get(url).status_code == 204
    # asked before an account's other steps (a password to change) would send the phone to another page
    User.objects.filter(pk=alice.pk).update(must_change_password=True)
    assert client.head(url).status_code == 204
