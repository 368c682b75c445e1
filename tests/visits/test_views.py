import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingshi_jiafang.core.models import User
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, HouseholdLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["home", "households:household_list", "households:area_list"])
def test_anonymous_user_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_the_django_default_and_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (User.Role.OFFICER, "我的待办"),
        (User.Role.LEADER, "我联系的镇(乡)"),
        (User.Role.CADRE, "我联系的村(居)"),
        (User.Role.DUTY_OFFICER, "说事厅待办"),
        (User.Role.LEGAL, "全县概况"),
        (User.Role.EVALUATOR, "全县概况"),
        (User.Role.ADMIN, "基础数据"),
    ],
)
def test_each_role_gets_its_own_home_page(client, role, expected):
    log_in_as(client, UserFactory(role=role, is_staff=role == User.Role.ADMIN))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_navigation_offers_reference_data_only_to_the_administrator(client, alice):
    client.force_login(alice)
    assert "基础数据管理" not in client.get(reverse("home")).content.decode()
    log_in_as(client, UserFactory(role=User.Role.ADMIN, is_staff=True))
    assert "基础数据管理" in client.get(reverse("home")).content.decode()


def test_officer_without_households_is_told_what_to_do_next(client, alice):
    client.force_login(alice)
    assert "请联系所在单位负责人为您分配联系户" in client.get(reverse("home")).content.decode()


def test_household_list_shows_own_households_only(client, alice, alice_household, charlie_household):
    client.force_login(alice)
    body = client.get(reverse("households:household_list")).content.decode()
    assert alice_household.head_name in body
    assert charlie_household.head_name not in body


@pytest.mark.parametrize(
    "query",
    [
        lambda h: h.head_name,
        lambda h: h.address[-4:],
        lambda h: h.phone,
        lambda h: h.phone[-4:],
        lambda h: h.head_id_number,
        lambda h: h.head_id_number.lower(),
    ],
)
def test_household_search_finds_by_name_address_phone_and_id(client, alice, alice_household, village_a, query):
    other = HouseholdFactory(village=village_a, head_name="无关户", address="别处", phone="13700000000")
    HouseholdLinkFactory(officer=alice, household=other)
    client.force_login(alice)
    response = client.get(reverse("households:household_list"), {"q": query(alice_household)})
    households = list(response.context["page"].object_list)
    assert households == [alice_household]


def test_search_by_partial_id_number_finds_nothing(client, alice, alice_household):
    client.force_login(alice)
    response = client.get(reverse("households:household_list"), {"q": alice_household.head_id_number[:10]})
    assert list(response.context["page"].object_list) == []
    assert "没有符合条件的住户" in response.content.decode()


def test_search_cannot_reach_outside_the_scope(client, alice, alice_household, charlie_household):
    client.force_login(alice)
    response = client.get(reverse("households:household_list"), {"q": charlie_household.head_id_number})
    assert list(response.context["page"].object_list) == []


def test_household_list_filters_by_village_and_town(client, bob, village_a, alice_household):
    from tests.core.factories import PoliceRoomFactory, VillageFactory

    other_village = VillageFactory(parent=village_a.parent, unit=PoliceRoomFactory(parent=bob.unit))
    elsewhere = HouseholdFactory(village=other_village)
    client.force_login(bob)
    by_village = client.get(reverse("households:household_list"), {"area": village_a.pk}).context["page"].object_list
    by_town = (
        client.get(reverse("households:household_list"), {"area": village_a.parent.pk}).context["page"].object_list
    )
    assert list(by_village) == [alice_household]
    assert set(by_town) == {alice_household, elsewhere}


def test_area_filter_does_not_offer_areas_out_of_scope(client, alice, alice_household, village_b):
    client.force_login(alice)
    response = client.get(reverse("households:household_list"), {"area": village_b.pk})
    assert "area" in response.context["filter"].form.errors


def test_household_list_is_paginated_and_keeps_filters(client, alice, village_a, settings):
    settings.PAGE_SIZE = 5
    for _ in range(12):
        HouseholdLinkFactory(officer=alice, household=HouseholdFactory(village=village_a))
    client.force_login(alice)
    response = client.get(reverse("households:household_list"), {"area": village_a.pk, "page": 3})
    assert len(response.context["page"].object_list) == 2
    assert f"area={village_a.pk}&amp;page=2" in response.content.decode()


def test_household_list_query_count_does_not_grow_with_households(
    client, bob, village_a, django_assert_max_num_queries
):
    for _ in range(30):
        HouseholdLinkFactory(officer=UserFactory(unit=village_a.unit), household=HouseholdFactory(village=village_a))
    client.force_login(bob)
    # Three more than other pages: the area select's villages are worked out before their towns are read, and a
    # unit head's households are read as two lists first, his links and his villages (core/scopes.py: _among).
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 3):
        response = client.get(reverse("households:household_list"))
    assert len(response.context["page"].object_list) == 25


def test_household_detail_shows_facts_and_officer_history(client, alice, alice_household):
    client.force_login(alice)
    response = client.get(alice_household.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert alice_household.address in body
    assert alice.name in body


def test_other_station_officer_gets_404_for_household(client, charlie, alice_household):
    client.force_login(charlie)
    assert client.get(alice_household.get_absolute_url()).status_code == 404


def test_station_head_may_open_station_household(client, bob, alice_household):
    client.force_login(bob)
    assert client.get(alice_household.get_absolute_url()).status_code == 200


def test_cadre_area_pages(client, village_a, village_b, alice_household):
    link = AreaLinkFactory(area=village_a)
    client.force_login(link.user)
    assert village_a.name in client.get(reverse("households:area_list")).content.decode()
    assert client.get(village_a.get_absolute_url()).status_code == 200
    assert client.get(village_a.parent.get_absolute_url()).status_code == 200
    assert client.get(village_b.get_absolute_url()).status_code == 404


def test_leader_town_page_lists_villages_with_counts(client, village_a, alice_household):
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    log_in_as(client, leader)
    response = client.get(village_a.parent.get_absolute_url())
    assert [(v.name, v.household_count) for v in response.context["villages"]] == [(village_a.name, 1)]


# Searching by number (issue #9: a phone number was spelled out one digit at a time).


def test_a_phone_fragment_finds_nothing_so_the_number_cannot_be_spelled_out(client, alice, alice_household):
    alice_household.phone = "13851234567"
    alice_household.save(update_fields=["phone"])
    client.force_login(alice)
    for fragment in ("138", "1385", "138512", "1385123456"):
        response = client.get(reverse("households:household_list"), {"q": fragment})
        assert list(response.context["page"].object_list) == [], fragment
    for whole in ("13851234567", "4567"):
        response = client.get(reverse("households:household_list"), {"q": whole})
        assert list(response.context["page"].object_list) == [alice_household], whole


def test_number_searches_are_audited_with_the_number_masked(client, alice, alice_household):
    from jingshi_jiafang.core.models import AuditEntry

    alice_household.phone = "13851234567"
    alice_household.save(update_fields=["phone"])
    client.force_login(alice)
    client.get(reverse("households:household_list"), {"q": "13851234567"})
    client.get(reverse("households:household_list"), {"q": alice_household.head_id_number})
    client.get(reverse("households:household_list"), {"q": "甲户主"})
    entries = list(AuditEntry.objects.filter(action="search_number", actor=alice).order_by("id"))
    assert [entry.detail["kind"] for entry in entries] == ["phone", "id_number"]
    assert entries[0].detail == {"kind": "phone", "text": "138****4567", "found": 1}
    assert alice_household.head_id_number not in str(entries[1].detail)


# Issue #8, finding 10: the home page's count of households due a visit and the list it links to agree.


def test_home_due_households_link_lists_exactly_the_households_due(client, alice, village_a, settings):
    from django.utils import timezone

    from jingshi_jiafang.core.models import Household

    settings.VISIT_OVERDUE_DAYS = 90
    never, long_ago, recent = (HouseholdFactory(village=village_a) for _ in range(3))
    for household in (never, long_ago, recent):
        HouseholdLinkFactory(officer=alice, household=household)
    Household.objects.filter(pk=long_ago.pk).update(last_visited_at=timezone.now() - timedelta(days=200))
    Household.objects.filter(pk=recent.pk).update(last_visited_at=timezone.now() - timedelta(days=2))
    client.force_login(alice)
    queue = next(q for q in client.get(reverse("home")).context["queues"] if q.key == "due_households")
    assert queue.count == 2
    listed = client.get(queue.url)
    assert list(listed.context["page"].object_list) == [never, long_ago]
    assert "到期(超90天)" in listed.content.decode()


def test_station_heads_overdue_households_link_lists_the_same_households(client, bob, alice_household, village_a):
    HouseholdFactory(village=village_a)
    client.force_login(bob)
    queue = next(q for q in client.get(reverse("home")).context["queues"] if q.key == "due_households")
    assert queue.count == 2
    assert listed_count(client, queue.url) == 2


def listed_count(client, url):
    return client.get(url).context["page"].paginator.count


# Issue #8, finding 12: a phone's keypad for phone numbers, and the phone search on its own field.


def test_household_search_by_phone_has_a_phone_keypad_and_finds_whole_or_last_four(client, alice, alice_household):
    alice_household.phone = "13851234567"
    alice_household.save(update_fields=["phone"])
    client.force_login(alice)
    body = client.get(reverse("households:household_list")).content.decode()
    assert re.search(r'<input type="tel" name="phone"[^>]*inputmode="tel"', body)
    for whole in ("13851234567", "4567"):
        page = client.get(reverse("households:household_list"), {"phone": whole})
        assert list(page.context["page"].object_list) == [alice_household], whole
        assert "13851234567" not in page.content.decode()  # echoed back masked
    for fragment in ("1385", "385123", "甲户主"):
        page = client.get(reverse("households:household_list"), {"phone": fragment})
        assert list(page.context["page"].object_list) == [], fragment


def test_a_phone_search_is_audited_with_the_number_masked(client, alice, alice_household):
    from jingshi_jiafang.core.models import AuditEntry

    alice_household.phone = "13851234567"
    alice_household.save(update_fields=["phone"])
    client.force_login(alice)
    client.get(reverse("households:household_list"), {"phone": "13851234567"})
    entry = AuditEntry.objects.get(action="search_number", actor=alice)
    assert entry.detail == {"kind": "phone", "text": "138****4567", "found": 1}


def test_the_visit_forms_phone_correction_has_a_phone_keypad(client, alice, alice_household):
    client.force_login(alice)
    body = client.get(reverse("visits:visit_create", args=[alice_household.pk])).content.decode()
    assert re.search(r'<input type="tel" name="phone"[^>]*inputmode="tel"', body)
    assert re.search(r'<input type="number" name="members_count"[^>]*inputmode="numeric"', body)


def test_the_visit_form_leads_back_to_the_household_and_the_list(client, alice, alice_household):
    client.force_login(alice)
    body = client.get(reverse("visits:visit_create", args=[alice_household.pk])).content.decode()
    crumbs = body[body.index('aria-label="breadcrumb"') : body.index("</nav>", body.index('aria-label="breadcrumb"'))]
    assert reverse("households:household_list") in crumbs and alice_household.get_absolute_url() in crumbs
    assert "记录走访" in crumbs


def test_household_list_reads_the_area_choices_once(client, alice, village_a, settings):
    """The towns and villages of the area select in one query, the officer's villages worked out before it."""
    settings.HOUSEHOLD_LIST_CACHE_SECONDS = 0  # the list drawn, not read back (core/household_list_cache.py)
    HouseholdLinkFactory(officer=alice, household=HouseholdFactory(village=village_a))
    client.force_login(alice)
    client.get(reverse("households:household_list"))  # the session's first request saves it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("households:household_list"))
    # On PostgreSQL a select's choices are read through a server-side cursor: DECLARE … CURSOR FOR SELECT …
    area_select = 'SELECT "core_area"."id", "core_area"."kind"'
    area_reads = [q["sql"] for q in captured.captured_queries if area_select in q["sql"]]
    assert len(area_reads) == 1
    assert f'value="{village_a.pk}"' in response.content.decode()
    assert f'value="{village_a.parent_id}"' in response.content.decode()


def test_the_due_filter_offers_all_once(client, alice, alice_household):
    client.force_login(alice)
    body = client.get(reverse("households:household_list")).content.decode()
    due = body[body.index('name="due"') : body.index("</select>", body.index('name="due"'))]
    assert due.count(">全部<") == 1


def test_the_household_page_leads_back_to_the_list_by_its_menu_name(client, alice, alice_household):
    client.force_login(alice)
    body = client.get(alice_household.get_absolute_url()).content.decode()
    assert f'<a href="{reverse("households:household_list")}">我的联系户</a>' in body
