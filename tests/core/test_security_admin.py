from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingshi_jiafang.core.models import AreaLink, AuditEntry, PairingLink, User
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secadmin(client):
    return log_in_as(client, UserFactory(username="secadmin", role=User.Role.SECURITY_ADMIN))


def test_security_admin_assigns_a_role_and_it_is_audited(client, secadmin):
    newcomer = UserFactory(role="")
    response = client.post(
        reverse("core:security_user_role", args=[newcomer.pk]), {"role": "leader", "is_unit_head": ""}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.role == User.Role.LEADER
    entry = AuditEntry.objects.get(action="role_changed")
    assert entry.actor == secadmin
    assert entry.detail == {
        "from": {"role": "", "is_unit_head": False},
        "to": {"role": "leader", "is_unit_head": False},
    }


def test_making_someone_administrator_gives_admin_site_access_and_taking_it_away_removes_it(client, secadmin):
    user = UserFactory(role="")
    client.post(reverse("core:security_user_role", args=[user.pk]), {"role": "admin"})
    user.refresh_from_db()
    assert user.is_staff
    client.post(reverse("core:security_user_role", args=[user.pk]), {"role": "officer"})
    user.refresh_from_db()
    assert not user.is_staff


def test_security_admin_moves_a_user_to_another_unit_and_it_is_audited(client, secadmin, alice, station_b):
    old_unit = alice.unit
    page = client.get(reverse("core:security_user_detail", args=[alice.pk]))
    assert "保存单位" in page.content.decode()
    response = client.post(reverse("core:security_user_unit", args=[alice.pk]), {"unit": station_b.pk})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.unit == station_b
    entry = AuditEntry.objects.get(action="scope_changed", object_id=str(alice.pk))
    assert entry.actor == secadmin
    assert entry.detail["from"]["unit"] == old_unit.pk and entry.detail["to"]["unit"] == station_b.pk


def test_security_admin_cannot_move_themselves_or_to_no_unit(client, secadmin, alice):
    assert (
        client.post(reverse("core:security_user_unit", args=[secadmin.pk]), {"unit": alice.unit_id}).status_code == 404
    )
    assert client.post(reverse("core:security_user_unit", args=[alice.pk]), {"unit": ""}).status_code == 400


def test_security_admin_cannot_grant_themselves_a_role(client, secadmin):
    response = client.post(reverse("core:security_user_role", args=[secadmin.pk]), {"role": "legal"})
    assert response.status_code == 404
    secadmin.refresh_from_db()
    assert secadmin.role == User.Role.SECURITY_ADMIN
    assert client.get(reverse("core:security_user_detail", args=[secadmin.pk])).status_code == 404


def test_nobody_else_may_assign_roles(client, alice):
    client.force_login(alice)
    assert client.post(reverse("core:security_user_role", args=[alice.pk]), {"role": "legal"}).status_code == 403
    assert client.get(reverse("core:security_user_list")).status_code == 403
    alice.refresh_from_db()
    assert alice.role == User.Role.OFFICER


def test_security_admin_adds_and_ends_area_links(client, secadmin, village_a):
    cadre = UserFactory(role=User.Role.CADRE)
    response = client.post(
        reverse("core:security_area_link_add", args=[cadre.pk]), {"area": village_a.pk, "start_date": "2026-11-01"}
    )
    assert response.status_code == 302
    link = AreaLink.objects.get(user=cadre)
    client.post(reverse("core:security_area_link_end", args=[link.pk]))
    link.refresh_from_db()
    assert link.end_date is not None
    assert AuditEntry.objects.filter(action="scope_changed", actor=secadmin).count() == 2


def test_leader_cannot_be_linked_to_a_village_and_the_form_says_why(client, secadmin, village_a):
    leader = UserFactory(role=User.Role.LEADER)
    response = client.post(
        reverse("core:security_area_link_add", args=[leader.pk]), {"area": village_a.pk, "start_date": "2026-11-01"}
    )
    assert response.status_code == 400
    assert not AreaLink.objects.filter(user=leader).exists()


@pytest.mark.parametrize("start", ["9999-01-01", "1900-01-01"])
def test_an_area_link_must_start_within_a_sane_window(client, secadmin, village_a, start):
    cadre = UserFactory(role=User.Role.CADRE)
    url = reverse("core:security_area_link_add", args=[cadre.pk])
    response = client.post(url, {"area": village_a.pk, "start_date": start})
    assert response.status_code == 400
    assert "日期超出范围" in response.content.decode()
    assert not AreaLink.objects.filter(user=cadre).exists()


def test_security_admin_resets_a_lost_second_factor_and_the_users_sessions_end(client, secadmin):
    leader = UserFactory(role=User.Role.LEADER)
    TOTPDevice.objects.create(user=leader, name="手机", confirmed=True)
    on_lost_phone, elsewhere = Client(), Client()
    on_lost_phone.force_login(leader)
    elsewhere.force_login(UserFactory(role=User.Role.OFFICER))
    client.post(reverse("core:security_otp_reset", args=[leader.pk]))
    assert not TOTPDevice.objects.filter(user=leader).exists()
    entry = AuditEntry.objects.get(action="otp_reset", object_id=str(leader.pk))
    assert entry.detail == {"sessions_ended": 1}
    # the session left open on the lost phone cannot enrol a new device: it must log in with the password again
    response = on_lost_phone.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert elsewhere.get(reverse("home")).status_code == 200


def test_user_list_searches_and_filters_by_role(client, secadmin):
    UserFactory(username="findme", role=User.Role.CADRE)
    UserFactory(username="other", role=User.Role.OFFICER)
    response = client.get(reverse("core:security_user_list"), {"q": "find", "role": "cadre"})
    assert [u.username for u in response.context["page"].object_list] == ["findme"]


def test_security_admin_sees_no_households(client, secadmin, alice_household):
    assert client.get(alice_household.get_absolute_url()).status_code == 404


def test_ending_a_link_twice_is_refused_with_a_message(client, secadmin, village_a):
    link = AreaLinkFactory(area=village_a, end_date=timezone.localdate() - timedelta(days=1))
    response = client.post(reverse("core:security_area_link_end", args=[link.pk]), follow=True)
    assert "该联系已经结束" in response.content.decode()


def test_security_admin_pairs_a_cadre_with_a_household_in_hardship_from_the_users_page(client, secadmin, village_a):
    cadre = UserFactory(role=User.Role.CADRE, name="干部甲")
    poor = HouseholdFactory(village=village_a, is_hardship=True, head_name="困难户主")
    HouseholdFactory(village=village_a, is_hardship=False, head_name="一般户主")
    page = client.get(reverse("core:security_user_detail", args=[cadre.pk]), {"village": village_a.pk})
    body = page.content.decode()
    assert 'data-testid="pairing"' in body and "困难户主户" in body and "一般户主" not in body

    today = timezone.localdate().isoformat()
    url = reverse("core:security_pairing_add", args=[cadre.pk])
    response = client.post(url, {"village": village_a.pk, "household": poor.pk, "start_date": today})
    assert response.status_code == 302
    link = PairingLink.objects.get(user=cadre)
    assert link.household == poor and link.end_date is None
    assert AuditEntry.objects.filter(action="scope_changed", actor=secadmin, detail__change="pairing").exists()
    assert "困难户主户" in client.get(response["Location"]).content.decode()


def test_pairing_refuses_a_household_not_in_hardship_and_an_officer(client, secadmin, village_a):
    cadre = UserFactory(role=User.Role.CADRE)
    ordinary = HouseholdFactory(village=village_a, is_hardship=False)
    today = timezone.localdate().isoformat()
    url = reverse("core:security_pairing_add", args=[cadre.pk])
    response = client.post(url, {"village": village_a.pk, "household": ordinary.pk, "start_date": today})
    assert response.status_code == 400 and 'data-testid="error-summary"' in response.content.decode()
    officer = UserFactory(role=User.Role.OFFICER)
    poor = HouseholdFactory(village=village_a, is_hardship=True)
    response = client.post(
        reverse("core:security_pairing_add", args=[officer.pk]),
        {"village": village_a.pk, "household": poor.pk, "start_date": today},
    )
    assert response.status_code == 302
    assert "只有局领导和中层干部结对特困户" in client.get(response["Location"]).content.decode()
    assert not PairingLink.objects.exists()
    assert (
        'data-testid="pairing"'
        not in client.get(reverse("core:security_user_detail", args=[officer.pk])).content.decode()
    )


def test_only_the_security_admin_pairs(client, village_a):
    cadre = UserFactory(role=User.Role.CADRE)
    poor = HouseholdFactory(village=village_a, is_hardship=True)
    log_in_as(client, UserFactory(role=User.Role.ADMIN))
    response = client.post(
        reverse("core:security_pairing_add", args=[cadre.pk]),
        {"village": village_a.pk, "household": poor.pk, "start_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403 and not PairingLink.objects.exists()


def test_listing_households_in_hardship_without_a_village_says_to_choose_one(client, secadmin):
    cadre = UserFactory(role=User.Role.CADRE)
    page = client.get(reverse("core:security_user_detail", args=[cadre.pk]), {"village": ""}).content.decode()
    assert "请先选择村/居,再列出该村的特困户。" in page


def test_a_county_wide_department_without_a_unit_is_flagged_until_it_has_one(client, secadmin, alice):
    legal = UserFactory(role=User.Role.LEGAL, unit=None)
    detail = reverse("core:security_user_detail", args=[legal.pk])
    assert 'data-testid="county-without-unit"' in client.get(detail).content.decode()
    client.post(reverse("core:security_user_unit", args=[legal.pk]), {"unit": alice.unit_id})
    assert 'data-testid="county-without-unit"' not in client.get(detail).content.decode()
    # An officer without a unit is not warned about a county, but that he cannot record a visit.
    officer = UserFactory(role=User.Role.OFFICER, unit=None)
    page = client.get(reverse("core:security_user_detail", args=[officer.pk])).content.decode()
    assert 'data-testid="county-without-unit"' not in page and 'data-testid="without-unit"' in page
    # An administrator needs no unit.
    auditor = UserFactory(role=User.Role.AUDITOR, unit=None)
    page = client.get(reverse("core:security_user_detail", args=[auditor.pk])).content.decode()
    assert "without-unit" not in page


def test_the_user_list_finds_users_without_a_unit_and_flags_the_departments_that_see_nothing(client, secadmin, alice):
    legal = UserFactory(role=User.Role.LEGAL, unit=None, name="无单位法制员")
    UserFactory(role=User.Role.OFFICER, unit=None, name="无单位民警")
    response = client.get(reverse("core:security_user_list"), {"no_unit": "1"})
    names = {account.name for account in response.context["page"].object_list}
    assert {"无单位法制员", "无单位民警"} <= names and alice.name not in names
    body = response.content.decode()
    assert body.count('data-testid="sees-nothing"') == 1 and body.count('data-testid="no-unit"') == 1
    client.post(reverse("core:security_user_unit", args=[legal.pk]), {"unit": alice.unit_id})
    response = client.get(reverse("core:security_user_list"), {"no_unit": "1"})
    assert legal not in response.context["page"].object_list
    assert 'data-testid="sees-nothing"' not in response.content.decode()
