"""The phone a resident leaves on a matter (talk room, echo card): masked on the matter page for those who act on
it, in full only by an audited reveal, as a household's phone is; nobody else sees it."""

import uuid

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Matter
from jingshi_jiafang.core.audit import Action
from jingshi_jiafang.core.models import AuditEntry, User
from tests.core.factories import UserFactory
from tests.feedback.helpers import issue_and_hand_out

pytestmark = pytest.mark.django_db

PHONE, MASKED = "13812345678", "138****5678"


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


@pytest.fixture
def walk_in(client, duty):
    """李桂兰 comes to the talk room; the duty officer on the desk registers her, phone and all."""
    client.force_login(duty)
    data = {
        "channel": "talk_room",
        "content": "村口的路灯坏了一个月了",
        "resident_name": "李桂兰",
        "resident_phone": PHONE,
        "submission_key": str(uuid.uuid4()),
    }
    client.post(reverse("feedback:walk_in"), data)
    client.logout()
    return Matter.objects.get()


def page(client, user, matter):
    client.force_login(user)
    return client.get(matter.get_absolute_url())


def reveal(client, user, matter, field="phone"):
    client.force_login(user)
    return client.post(reverse("feedback:matter_phone_reveal", args=[matter.pk]), {"field": field})


def reveals_of(matter):
    return AuditEntry.objects.filter(action=Action.REVEAL_PHONE, object_type="feedback.Matter", object_id=matter.pk)


def test_the_desk_sees_the_residents_phone_masked_with_a_reveal_and_never_in_full(client, duty, bob, walk_in):
    for user in (duty, bob):  # the first receiver and desk of the room; the head of the station above it
        body = page(client, user, walk_in).content.decode()
        assert 'data-testid="resident-phone"' in body and MASKED in body
        assert PHONE not in body and f"tel:{PHONE}" not in body
        assert reverse("feedback:matter_phone_reveal", args=[walk_in.pk]) in body
    assert not reveals_of(walk_in).exists()


def test_the_reveal_shows_a_tel_link_for_this_response_and_is_audited(client, duty, walk_in):
    response = reveal(client, duty, walk_in)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="tel:{PHONE}">{PHONE}</a>' in body and "查看记录已写入审计日志" in body
    entry = reveals_of(walk_in).get()
    assert entry.actor == duty
    # For this response only: the page opened again is masked.
    assert PHONE not in page(client, duty, walk_in).content.decode()


def test_the_officer_the_matter_is_dispatched_to_may_reveal_it(client, duty, alice, walk_in):
    assert reveal(client, alice, walk_in).status_code == 404  # not hers, and she cannot even see it
    services.matter_analyse(matter=walk_in, actor=duty, category="public_security", urgency="normal")
    services.matter_dispatch(matter=walk_in, actor=duty, assigned_unit=alice.unit, assignee=alice)
    assert MASKED in page(client, alice, walk_in).content.decode()
    assert f"tel:{PHONE}" in reveal(client, alice, walk_in).content.decode()
    assert reveals_of(walk_in).get().actor == alice


def test_who_sees_the_matter_without_acting_on_it_sees_no_number_and_may_not_reveal_it(client, walk_in):
    legal = UserFactory(role=User.Role.LEGAL)  # reads every matter of the county, handles none
    body = page(client, legal, walk_in).content.decode()
    assert 'data-testid="resident-phone"' not in body and MASKED not in body and PHONE not in body
    assert reveal(client, legal, walk_in).status_code == 403
    assert not reveals_of(walk_in).exists()


def test_another_station_gets_a_404_and_nothing_is_audited(client, charlie, walk_in):
    assert reveal(client, charlie, walk_in).status_code == 404
    assert not reveals_of(walk_in).exists()


def test_only_the_phone_can_be_revealed_and_only_by_post(client, duty, walk_in):
    assert reveal(client, duty, walk_in, field="id_number").status_code == 400
    client.force_login(duty)
    response = client.get(reverse("feedback:matter_phone_reveal", args=[walk_in.pk]))
    assert response.status_code == 302 and response["Location"] == walk_in.get_absolute_url()
    assert not reveals_of(walk_in).exists()


def test_a_matter_without_a_phone_says_so_and_offers_no_reveal(client, duty):
    matter = services.matter_register(
        channel=Matter.Channel.TALK_ROOM, content="噪音扰民", unit=duty.unit, actor=duty, owner=duty
    )
    body = page(client, duty, matter).content.decode()
    assert "未留电话" in body and reverse("feedback:matter_phone_reveal", args=[matter.pk]) not in body
    assert reveal(client, duty, matter).status_code == 403


def test_the_phone_left_on_an_echo_card_reaches_the_desk_of_the_cards_unit(client, bob, station_a, alice_household):
    card = issue_and_hand_out(station_a, bob, alice_household)[1]
    data = {
        "number": card.number,
        "code": card.verification_code,
        "content": "晚上有人在河边电鱼",
        "resident_phone": PHONE,
        "submission_key": str(uuid.uuid4()),
    }
    client.post(reverse("feedback:echo"), data)
    matter = Matter.objects.get()
    body = page(client, bob, matter).content.decode()
    assert MASKED in body and PHONE not in body
    assert f"tel:{PHONE}" in reveal(client, bob, matter).content.decode()
    assert reveals_of(matter).get().actor == bob
