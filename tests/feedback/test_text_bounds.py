"""Every text written about a matter is bounded to what a person writes (issue #9): a 100,000-character text is
refused with a Chinese message, by the form and by the service behind it."""

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Matter
from feedback.services import MatterError
from jingshi_jiafang.core.models import User
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in

pytestmark = pytest.mark.django_db

HUGE = "字" * 100_000


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def act(client, matter, action, data):
    prefixed = {f"{action}-{key}": value for key, value in data.items()}
    return client.post(reverse("feedback:matter_act", args=[matter.pk, action]), prefixed)


def _in_state(duty, state):
    matter = walk_in(duty)
    if state in ("analysed", "handling"):
        services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    if state == "handling":
        services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
        services.matter_start(matter=matter, actor=duty)
    return matter


@pytest.mark.parametrize(
    "state, action, data",
    [
        ("reported", "analyse", {"category": "other", "urgency": "normal", "note": HUGE}),
        ("analysed", "dispatch", {"assigned_unit": "UNIT", "note": HUGE}),
        ("handling", "progress", {"note": HUGE}),
        ("handling", "send_back", {"note": HUGE}),
        ("handling", "close", {"result": HUGE, "reply_method": "phone"}),
        ("reported", "hand_over", {"to_user": "COLLEAGUE", "note": HUGE}),
    ],
)
def test_a_huge_text_in_any_step_of_the_flow_is_refused_in_chinese(client, duty, village_a, state, action, data):
    colleague = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = _in_state(duty, state)
    data = {key: {"UNIT": duty.unit_id, "COLLEAGUE": colleague.pk}.get(value, value) for key, value in data.items()}
    client.force_login(duty)
    response = act(client, matter, action, data)
    assert response.status_code == 400
    assert "最多" in response.content.decode() and "100000" in response.content.decode()
    assert Matter.objects.get(pk=matter.pk).state == state
    assert not matter.events.filter(note__contains=HUGE[:2000]).exists()


def test_a_huge_walk_in_is_refused_in_chinese(client, duty):
    client.force_login(duty)
    response = client.post(
        reverse("feedback:walk_in"), {"channel": "talk_room", "content": HUGE, "resident_name": "王大爷"}
    )
    assert response.status_code == 400 and "最多 2000 个字" in response.content.decode()
    assert not Matter.objects.exists()


def test_a_resident_cannot_post_a_huge_rating_note(client, duty):
    matter = walk_in(duty, query_password="K7Q2M9")
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=matter, actor=duty)
    services.matter_close(matter=matter, actor=duty, result="已处理", reply_method="in_person")
    client.post(reverse("feedback:echo_status"), {"reference": matter.reference, "password": "K7Q2M9"})
    response = client.post(reverse("feedback:echo_rate"), {"outcome": "satisfied", "note": HUGE})
    assert response.status_code == 400 and "最多 1000 个字" in response.content.decode()
    assert not matter.callbacks.filter(done_at__isnull=False).exists()


def test_the_services_keep_other_callers_to_the_same_bounds(duty):
    matter = _in_state(duty, "handling")
    with pytest.raises(MatterError, match="办理结果最多 2000 个字"):
        services.matter_close(matter=matter, actor=duty, result=HUGE, reply_method="in_person")
    with pytest.raises(MatterError, match="进展说明最多"):
        services.matter_progress(matter=matter, actor=duty, note=HUGE)
    with pytest.raises(MatterError, match="退单理由最多"):
        services.matter_send_back(matter=matter, actor=duty, reason=HUGE)
