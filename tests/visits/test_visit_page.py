"""Issue #8: a saved visit's page shows what it created — the matters (linked where the user may open them), the
findings and the echo card handed out on it."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Matter
from jingshi_jiafang.core.models import User
from tests.core.factories import HouseholdFactory, UserFactory
from visits import services
from visits.models import Finding

pytestmark = pytest.mark.django_db


def log(visitor, household, **details):
    return services.visit_log(
        visitor=visitor,
        household=household,
        submission_key=uuid.uuid4(),
        details={"kind": "day", "visited_at": timezone.now(), "people_met": "户主本人", **details},
        facts={},
        findings=[services.FindingInput(Finding.Kind.CASE_CLUE, "夜里有人偷电缆")],
        requests=["村口路灯坏了"],
    )[0]


def test_the_visit_page_links_its_matter_and_shows_its_finding_and_card(client, alice, alice_household, village_a):
    visit = log(alice, alice_household)
    head = UserFactory(unit=village_a.unit, is_unit_head=True)
    card = feedback_services.card_batch_issue(unit=village_a.unit, count=1, actor=head).cards.get()
    feedback_services.card_hand_out(number=card.number, household=alice_household, visit=visit, actor=alice)
    matter = Matter.objects.get(visit=visit)
    client.force_login(alice)
    body = client.get(visit.get_absolute_url()).content.decode()
    assert f'href="{matter.get_absolute_url()}"' in body and matter.reference in body
    assert "夜里有人偷电缆" in body
    assert card.number in body
    assert client.get(matter.get_absolute_url()).status_code == 200


def test_a_matter_the_user_may_not_open_is_shown_without_a_link(client, alice, village_a):
    neighbour = HouseholdFactory(village=village_a)
    visit = log(alice, neighbour, outside_links_reason="代班走访")
    matter = Matter.objects.get(visit=visit)
    client.force_login(alice)
    body = client.get(visit.get_absolute_url()).content.decode()
    assert "村口路灯坏了" in body and matter.get_absolute_url() not in body
    assert client.get(matter.get_absolute_url()).status_code == 404


# Issue #8, finding 1: re-assigned by the station head, the old officer's visit pages must stay honest.


def _reassign_today(client, head, household, successor):
    from django.urls import reverse

    client.force_login(head)
    url = reverse("households:household_assign", args=[household.pk])
    # The form's default: from today.
    response = client.post(url, {"officer": successor.pk, "start_date": timezone.localdate().isoformat()})
    assert response.status_code == 302


def _visit_with_corrections(officer, household):
    return services.visit_log(
        visitor=officer,
        household=household,
        submission_key=uuid.uuid4(),
        details={"kind": "day", "visited_at": timezone.now(), "people_met": "户主本人"},
        facts={"address": "新门牌1号"},
        corrections=[services.CorrectionInput("ethnicity", "汉"), services.CorrectionInput("education", "高中")],
    )[0]


def test_on_the_hand_over_day_the_old_officer_keeps_her_visit_of_this_morning(
    client, alice, bob, alice_household, village_a
):
    from django.urls import reverse

    from tests.core.factories import UserFactory

    visit = _visit_with_corrections(alice, alice_household)
    _reassign_today(client, bob, alice_household, UserFactory(role="officer", unit=village_a.unit))
    client.force_login(alice)
    body = client.get(visit.get_absolute_url()).content.decode()
    assert "新门牌1号" in body and "没有整改户籍数据" not in body
    assert reverse("feedback:contact_card_print", args=[alice_household.pk]) in body
    diary = client.get(reverse("visits:diary")).content.decode()
    assert "户籍整改" in diary and "新门牌1号" in diary


def test_after_the_hand_over_the_visit_page_says_corrections_are_hidden_and_links_no_404(
    client, alice, bob, alice_household, village_a
):
    from datetime import timedelta

    from django.urls import reverse

    from tests.core.factories import UserFactory

    visit = _visit_with_corrections(alice, alice_household)
    _reassign_today(client, bob, alice_household, UserFactory(role="officer", unit=village_a.unit))
    # The day after the hand-over: her link has ended.
    alice_household.links.filter(officer=alice).update(end_date=timezone.localdate() - timedelta(days=1))
    client.force_login(alice)
    body = client.get(visit.get_absolute_url()).content.decode()
    assert "没有整改户籍数据" not in body and "新门牌1号" not in body
    assert "这次走访整改了 3 项户籍数据" in body and "该户已不在您的联系范围" in body
    for url in (
        reverse("feedback:contact_card_print", args=[alice_household.pk]),
        alice_household.get_absolute_url(),
    ):
        assert client.get(url).status_code == 404
        assert f'href="{url}"' not in body
    diary = client.get(reverse("visits:diary")).content.decode()
    assert "新门牌1号" not in diary
    assert "户籍整改:</strong>3 项。该户已不在您的联系范围" in diary


@pytest.mark.parametrize("role", [User.Role.EVALUATOR, User.Role.LEGAL])
def test_the_visit_page_offers_its_ledger_button_only_to_who_may_open_an_item(client, alice, alice_household, role):
    # Walkthrough 13b: the evaluation centre opening a visit from its callback queue saw 记入台账, which answered
    # 403 (您不能为该户登记台账事项).
    visit = log(alice, alice_household)
    url = reverse("ledger:item_open_for_visit", args=[visit.pk])
    client.force_login(alice)
    assert url in client.get(visit.get_absolute_url()).content.decode()
    reader = UserFactory(role=role)
    client.force_login(reader)
    response = client.get(visit.get_absolute_url())
    assert response.status_code == 200 and url not in response.content.decode()
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("ticked", "said"),
    [({}, "未勾选讲政策或议警事、征意见"), ({"explained_policy": True}, "讲政策")],
)
def test_a_night_visit_page_says_what_the_night_talk_held_even_when_nothing_was_ticked(
    client, alice, alice_household, ticked, said
):
    # Walkthrough 14a: a night visit saved with neither box ticked showed "夜谈:" and nothing after it.
    from tests.visits.factories import VisitFactory

    visit = VisitFactory(visitor=alice, household=alice_household, kind="night", **ticked)
    client.force_login(alice)
    body = client.get(visit.get_absolute_url()).content.decode()
    talk = body[body.index('data-testid="night-talk"') :]
    assert said in talk[: talk.index("</p>")]
    assert ("未勾选" in talk[: talk.index("</p>")]) == (not ticked)
