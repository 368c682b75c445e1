"""The menu each role sees, and the household list named by what it lists."""

import pytest
from django.urls import reverse

from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def menu(client) -> dict[str, str]:
    return {item.label: item.url for item in client.get(reverse("home")).context["nav_items"]}


@pytest.mark.parametrize(
    ("label", "url_name"),
    [("走访覆盖", "visits:coverage"), ("夜访考核", "visits:night_compliance"), ("值班表", "feedback:roster")],
)
def test_station_head_reaches_coverage_compliance_and_roster_from_the_menu(client, bob, village_a, label, url_name):
    client.force_login(bob)
    items = menu(client)
    assert items[label] == reverse(url_name)
    assert client.get(items[label]).status_code == 200


def test_plain_officer_menu_has_no_station_pages(client, alice):
    client.force_login(alice)
    items = menu(client)
    assert not {"走访覆盖", "夜访考核", "值班表", "夜访安排"} & set(items)
    assert items["我的联系户"] == reverse("households:household_list")


@pytest.mark.parametrize(
    ("user", "title"),
    [
        (lambda alice, bob: alice, "我的联系户"),
        (lambda alice, bob: bob, "辖区住户"),
        (lambda alice, bob: UserFactory(role=User.Role.DUTY_OFFICER, unit=alice.unit), "辖区住户"),
        (lambda alice, bob: UserFactory(role=User.Role.CADRE), "联系区域住户"),
        (lambda alice, bob: UserFactory(role=User.Role.EVALUATOR), "全县住户"),
    ],
)
def test_household_list_is_titled_by_what_the_user_sees(client, alice, bob, user, title):
    log_in_as(client, user(alice, bob))
    body = client.get(reverse("households:household_list")).content.decode()
    assert f'<h1 class="h4 m-0">{title}</h1>' in body
    assert f"<title>{title} · 警事家访</title>" in body
    assert menu(client)[title] == reverse("households:household_list")


def test_station_head_household_list_is_not_called_my_households(client, bob):
    client.force_login(bob)
    body = client.get(reverse("households:household_list")).content.decode()
    assert "我的联系户" not in body
