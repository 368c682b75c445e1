"""批量分配责任民警: the station head's pages, who may use them, the confirmation step and the query counts."""

import pytest
from django.urls import reverse

from jingshi_jiafang.core.models import AuditEntry, HouseholdLink
from tests.conftest import log_in_as
from tests.core.factories import HouseholdFactory, HouseholdLinkFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unlinked(village_a):
    return [HouseholdFactory(village=village_a, head_name=f"未分{i}") for i in range(3)]


def _assign_url(village):
    return reverse("households:unlinked_assign", args=[village.pk])


def test_the_head_sees_villages_with_their_unlinked_counts(client, bob, village_a, unlinked, alice_household):
    log_in_as(client, bob)
    response = client.get(reverse("households:unlinked_list"))
    assert response.status_code == 200
    assert [(row.village_id, row.unlinked) for row in response.context["rows"]] == [(village_a.pk, 3)]
    assert "未分配住户" in response.content.decode()  # in the menu


def test_an_officer_without_the_head_flag_is_refused(client, alice):
    log_in_as(client, alice)
    assert client.get(reverse("households:unlinked_list")).status_code == 403


def test_the_village_page_lists_only_unlinked_households(client, bob, village_a, unlinked, alice_household):
    log_in_as(client, bob)
    response = client.get(reverse("households:unlinked_village", args=[village_a.pk]))
    assert set(response.context["page"].object_list) == set(unlinked)
    assert "甲户主" not in response.content.decode()


def test_a_village_of_another_station_is_404(client, bob, village_b):
    log_in_as(client, bob)
    assert client.get(reverse("households:unlinked_village", args=[village_b.pk])).status_code == 404
    assert client.post(_assign_url(village_b), {"officer": 1, "scope": "all"}).status_code == 404


def test_assigning_all_asks_for_confirmation_before_writing(client, bob, alice, village_a, unlinked):
    log_in_as(client, bob)
    response = client.post(_assign_url(village_a), {"officer": alice.pk, "scope": "all"})
    assert response.status_code == 200
    assert "将 " in response.content.decode() and response.context["count"] == 3
    assert not HouseholdLink.objects.exists()
    confirm = {"officer": alice.pk, "scope": "selected", "confirmed": "on", "confirmed_ids": response.context["ids"]}
    done = client.post(_assign_url(village_a), confirm, follow=True)
    assert done.redirect_chain[-1][0] == reverse("households:unlinked_list")
    assert "3 户分配给艾丽" in done.content.decode()
    assert HouseholdLink.objects.filter(officer=alice).count() == 3
    assert AuditEntry.objects.filter(detail__change="bulk_assign").count() == 1
    again = client.post(_assign_url(village_a), confirm, follow=True)
    assert "0 户分配给艾丽" in again.content.decode() and "另有 3 户" in again.content.decode()
    assert HouseholdLink.objects.count() == 3


def test_assigning_the_ticked_households_only(client, bob, alice, village_a, unlinked):
    log_in_as(client, bob)
    ticked = [unlinked[0].pk, unlinked[2].pk]
    response = client.post(_assign_url(village_a), {"officer": alice.pk, "scope": "selected", "households": ticked})
    assert response.context["count"] == 2
    confirm = {"officer": alice.pk, "confirmed": "on", "confirmed_ids": response.context["ids"], "scope": "selected"}
    client.post(_assign_url(village_a), confirm)
    assert set(HouseholdLink.objects.values_list("household", flat=True)) == set(ticked)


def test_selected_with_nothing_ticked_says_what_to_do(client, bob, alice, village_a, unlinked):
    log_in_as(client, bob)
    response = client.post(_assign_url(village_a), {"officer": alice.pk, "scope": "selected"})
    assert response.status_code == 400
    assert "请勾选要分配的户" in response.content.decode()


def test_boxes_ticked_under_the_whole_village_are_asked_about_not_ignored(client, bob, alice, village_a, unlinked):
    log_in_as(client, bob)
    ticked = [unlinked[0].pk, unlinked[1].pk]
    response = client.post(_assign_url(village_a), {"officer": alice.pk, "scope": "all", "households": ticked})
    assert response.status_code == 400
    assert "已勾选 2 户,但分配范围是“该村全部未分配的户”" in response.content.decode()
    assert response.context["ticked"] == set(ticked)
    assert not HouseholdLink.objects.exists()


def test_a_refused_choice_keeps_its_page_and_its_page_links_lead_to_the_village(
    client, bob, village_a, unlinked, settings
):
    settings.PAGE_SIZE = 2
    log_in_as(client, bob)
    village_url = reverse("households:unlinked_village", args=[village_a.pk])
    page_two = client.get(village_url, {"page": 2}).content.decode()
    assert f'action="{_assign_url(village_a)}?page=2"' in page_two
    response = client.post(f"{_assign_url(village_a)}?page=2", {"scope": "all"})
    assert response.status_code == 400
    assert response.context["page"].number == 2
    assert f'href="{village_url}?page=1"' in response.content.decode()


def test_an_officer_of_another_station_is_a_form_error(client, bob, charlie, village_a, unlinked):
    log_in_as(client, bob)
    ticked = {"officer": charlie.pk, "scope": "selected", "households": [unlinked[1].pk]}
    response = client.post(_assign_url(village_a), ticked)
    assert response.status_code == 400
    assert "只能选择本单位的民警" in response.content.decode()
    assert response.context["ticked"] == {unlinked[1].pk}  # the ticks survive the error
    assert f'value="{unlinked[1].pk}" checked' in response.content.decode()
    confirm = {"officer": charlie.pk, "confirmed": "on", "confirmed_ids": str(unlinked[0].pk), "scope": "selected"}
    assert client.post(_assign_url(village_a), confirm).status_code == 400
    assert not HouseholdLink.objects.exists()


def test_a_household_of_another_village_is_a_form_error(client, bob, alice, village_a, village_b, unlinked):
    log_in_as(client, bob)
    stranger = HouseholdFactory(village=village_b)
    ticked = {"officer": alice.pk, "scope": "selected", "households": [stranger.pk]}
    assert client.post(_assign_url(village_a), ticked).status_code == 400
    confirm = {"officer": alice.pk, "confirmed": "on", "confirmed_ids": f"{unlinked[0].pk},{stranger.pk}"}
    response = client.post(_assign_url(village_a), {**confirm, "scope": "selected"})
    assert response.status_code == 400 and "不属于" in response.content.decode()
    assert not HouseholdLink.objects.exists()


def test_the_pages_keep_their_query_count_as_villages_and_households_grow(
    client, bob, village_a, django_assert_max_num_queries
):
    for _ in range(6):
        village = VillageFactory(parent=village_a.parent, unit=village_a.unit)
        for _ in range(4):
            HouseholdFactory(village=village)
        HouseholdLinkFactory(household=HouseholdFactory(village=village))
    for _ in range(30):
        HouseholdFactory(village=village_a)
    log_in_as(client, bob)
    with django_assert_max_num_queries(12):
        client.get(reverse("households:unlinked_list"))
    with django_assert_max_num_queries(14):
        client.get(reverse("households:unlinked_village", args=[village_a.pk]))


def test_the_heads_home_page_lists_the_unlinked_households_until_none_are_left(client, bob, alice, village_a, unlinked):
    log_in_as(client, bob)
    queues = {queue.key: queue for queue in client.get(reverse("home")).context["queues"]}
    assert queues["unlinked_households"].count == 3
    for household in unlinked:
        HouseholdLinkFactory(household=household, officer=alice)
    queues = {queue.key for queue in client.get(reverse("home")).context["queues"]}
    assert "unlinked_households" not in queues
