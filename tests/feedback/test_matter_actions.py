"""After an action the actor lands where they can still see something: the matter, or their queue with a message
saying where the matter went (issue #8)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from feedback import services
from tests.feedback.helpers import walk_in
from tests.visits.factories import UserFactory
from visits.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def act(client, matter, action, data=None):
    prefixed = {f"{action}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("feedback:matter_act", args=[matter.pk, action]), prefixed)


def _dispatched_to(duty, officer, content="邻居装修噪音扰民"):
    matter = walk_in(duty, content)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    return services.matter_dispatch(matter=matter, actor=duty, assigned_unit=officer.unit, assignee=officer)


def test_officer_who_sends_a_matter_back_lands_on_their_queue_with_where_it_went(client, duty, alice):
    matter = _dispatched_to(duty, alice)
    client.force_login(alice)
    response = act(client, matter, "send_back", {"note": "属于法制大队"})
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:matter_list")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert matter.reference in message and f"{duty.unit}" in message and "研判" in message
    page = client.get(response["Location"])
    assert page.status_code == 200


def test_an_actor_who_still_sees_the_matter_stays_on_its_page(client, duty, alice):
    matter = _dispatched_to(duty, duty)
    client.force_login(duty)
    response = act(client, matter, "send_back", {"note": "派错了"})
    assert response["Location"] == matter.get_absolute_url()


def test_owner_who_hands_over_and_no_longer_sees_the_matter_lands_on_their_queue(client, village_a, alice):
    # An officer of the police room took the walk-in; once handed on, it is outside their households.
    matter = walk_in(alice, "想咨询户口迁移")
    colleague = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, name="接班民警")
    client.force_login(alice)
    response = act(client, matter, "hand_over", {"to_user": colleague.pk, "note": "交班"})
    assert response["Location"] == reverse("feedback:matter_list")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "接班民警" in message and matter.reference in message
