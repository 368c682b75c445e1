"""Issue #8, findings 4 and 5: a refused form says so at its top, listing each error with a link to its field, so
an officer on a phone sees at once that nothing was saved; "已核对基本情况" is ticked by the officer, not by default."""

import re

import pytest
from django.urls import reverse

from jingshi_jiafang.core.models import User
from tests.core.factories import HouseholdFactory, UserFactory, valid_id_number
from tests.visits.test_visits import visit_post
from visits.models import Visit

pytestmark = pytest.mark.django_db


def _summary(body: str) -> str:
    match = re.search(
        r'<div class="alert alert-danger" role="alert" data-testid="error-summary">(.*?)</div>', body, re.S
    )
    assert match, "no error summary on the page"
    return match.group(1)


def test_a_refused_visit_lists_every_error_at_the_top_of_the_form_linked_to_its_field(client, alice, alice_household):
    client.force_login(alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    data = visit_post(alice_household, people_met="", **{"fix-head_id_number": "12345", "fix-birth_date": "1850-01-01"})
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 400 and not Visit.objects.exists()
    summary = _summary(body)
    assert "走访没有保存" in summary
    assert 'href="#id_people_met"' in summary and "见到的人:请填写,如:户主本人" in summary
    assert "这个字段是必填项" not in body
    assert 'href="#id_fix-head_id_number"' in summary and "身份证号码应为18位" in summary
    assert 'href="#id_fix-birth_date"' in summary and "出生日期超出范围" in summary
    # Above the form's first field, so that it is what the page shows first.
    assert body.index('data-testid="error-summary"') < body.index('id="id_kind"')
    for field_id in ("id_people_met", "id_fix-head_id_number", "id_fix-birth_date"):
        assert f'id="{field_id}"' in body


def test_a_visit_refused_by_the_service_says_so_at_the_top(client, alice, alice_household):
    other = HouseholdFactory(village=alice_household.village, head_id_number=valid_id_number(424242))
    client.force_login(alice)
    url = reverse("visits:visit_create", args=[alice_household.pk])
    response = client.post(url, visit_post(alice_household, **{"fix-head_id_number": other.head_id_number}))
    assert response.status_code == 400 and not Visit.objects.exists()
    assert "该身份证号已登记在另一户" in _summary(response.content.decode())


def test_the_visit_form_leaves_facts_confirmed_unticked(client, alice, alice_household):
    client.force_login(alice)
    body = client.get(reverse("visits:visit_create", args=[alice_household.pk])).content.decode()
    checkbox = re.search(r'<input[^>]*name="facts_confirmed"[^>]*>', body).group(0)
    assert "checked" not in checkbox
    client.post(reverse("visits:visit_create", args=[alice_household.pk]), visit_post(alice_household))
    assert Visit.objects.get().facts_confirmed  # ticked by the officer, it is recorded


def test_a_hand_over_planned_ahead_is_shown_as_starting_then_and_named_when_it_blocks_another(
    client, bob, alice_household
):
    from datetime import timedelta

    from django.utils import timezone

    unit = alice_household.village.unit
    successor = UserFactory(role=User.Role.OFFICER, unit=unit, name="接任民警")
    other = UserFactory(role=User.Role.OFFICER, unit=unit)
    client.force_login(bob)
    url = reverse("households:household_assign", args=[alice_household.pk])
    today = timezone.localdate()
    start = today + timedelta(days=7)
    client.post(url, {"officer": successor.pk, "start_date": start.isoformat()})
    body = client.get(alice_household.get_absolute_url()).content.decode()
    assert f"自 {start:%Y-%m-%d} 起" in body and f"{start:%Y-%m-%d} 至 今" not in body
    body = client.post(url, {"officer": other.pk, "start_date": today.isoformat()}).content.decode()
    assert f"该户已安排自 {start:%Y-%m-%d} 起由接任民警负责,新的调整须在这一天之后开始。" in _summary(body)


def test_a_refused_reassignment_is_summarised_at_the_top_of_the_household_page(client, bob, alice_household):
    successor = UserFactory(role=User.Role.OFFICER, unit=alice_household.village.unit)
    client.force_login(bob)
    url = reverse("households:household_assign", args=[alice_household.pk])
    too_early = alice_household.links.get().start_date.isoformat()
    body = client.post(url, {"officer": successor.pk, "start_date": too_early}).content.decode()
    summary = _summary(body)
    assert "责任民警没有调整" in summary and "必须晚于当前联系的开始日期" in summary
    assert 'href="#assign-officer"' in summary and 'id="assign-officer"' in body
    assert body.index('data-testid="error-summary"') < body.index('data-testid="timeline"')
    body = client.post(url, {"officer": successor.pk, "start_date": ""}).content.decode()
    assert 'href="#id_start_date"' in _summary(body)
