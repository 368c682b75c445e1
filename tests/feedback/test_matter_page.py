"""The matter page on a phone (issue #8, phase 3): selects that make the user choose, the dispatch rule said
before the submit, errors shown at the top, confirmation after the browser's own check, who acts next, and
addresses of POST-only actions that lead back to the page when reopened."""

import re

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Matter
from jingshi_jiafang.core.models import User
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def act(client, matter, action, data=None):
    prefixed = {f"{action}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("feedback:matter_act", args=[matter.pk, action]), prefixed)


def select(page: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', page, re.S).group(0)


def form_tag(page: str, action: str) -> str:
    return re.search(rf'<form[^>]*/{action}/"[^>]*>', page).group(0)


def _handling(duty, officer):
    matter = walk_in(duty, "河边有人电鱼")
    services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=officer.unit, assignee=officer)
    return services.matter_start(matter=matter, actor=officer)


def test_selects_start_with_a_choose_line_and_analysis_has_no_preselected_category(client, duty):
    matter = walk_in(duty)
    # A matter with no topic suggestion (registered before the classifier): nothing to start from.
    Matter.objects.filter(pk=matter.pk).update(category_suggested="", category_confidence=None, category_words=[])
    client.force_login(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    assert "---------" not in page
    category = select(page, "analyse-category")
    assert '<option value="" selected>请选择…</option>' in category
    assert "请选择…" in select(page, "hand_over-to_user")
    unchanged = act(client, matter, "analyse", {"category": "", "urgency": "normal"})
    assert unchanged.status_code == 400 and "请选择类别" in unchanged.content.decode()
    matter.refresh_from_db()
    assert matter.state == "reported"


def test_dispatch_groups_officers_by_unit_and_refuses_a_mismatch_on_the_form(client, duty, village_a, station_a):
    officer = UserFactory(name="王海燕", role=User.Role.OFFICER, unit=village_a.unit)
    UserFactory(name="所里民警", role=User.Role.OFFICER, unit=station_a)
    matter = walk_in(duty)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    client.force_login(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    assignee = select(page, "dispatch-assignee")
    assert f'<optgroup label="{village_a.unit}">' in assignee and f'<optgroup label="{station_a}">' in assignee
    # Each officer names his unit: the page's script offers only the officers of the unit chosen above.
    assert 'data-narrowed-by="dispatch-assigned_unit"' in assignee
    assert f'value="{officer.pk}" data-unit="{village_a.unit.pk}"' in assignee
    assert "只能选所选承办单位的民警" in page and "js/narrowed_by.js" in page
    response = act(client, matter, "dispatch", {"assigned_unit": station_a.pk, "assignee": officer.pk})
    assert response.status_code == 400 and f"不属于{station_a}" in response.content.decode()
    act(client, matter, "dispatch", {"assigned_unit": village_a.unit.pk, "assignee": officer.pk})
    matter.refresh_from_db()
    assert matter.state == "dispatched" and matter.assignee == officer


def test_hand_over_names_each_person_by_unit_and_post_the_givers_room_first(client, duty, village_a, station_a):
    # A station's cadres outnumber the room's officers: bare names in one list hid the next duty officer.
    UserFactory(name="丁静", post="中层干部", role=User.Role.CADRE, unit=station_a)
    colleague = UserFactory(name="王海燕", post="社区民警", role=User.Role.OFFICER, unit=village_a.unit)
    matter = walk_in(duty)
    client.force_login(duty)
    to_user = select(client.get(matter.get_absolute_url()).content.decode(), "hand_over-to_user")
    room, station = (
        to_user.index(f'<optgroup label="{village_a.unit}">'),
        to_user.index(f'<optgroup label="{station_a}">'),
    )
    assert room < station
    assert "王海燕(社区民警)" in to_user[room:station] and "丁静(中层干部)" in to_user[station:]
    act(client, matter, "hand_over", {"to_user": colleague.pk, "note": "交班"})
    matter.refresh_from_db()
    assert matter.owner == colleague


def test_a_station_head_hands_on_within_his_station_not_the_county(client, duty, bob, alice, charlie):
    matter = walk_in(duty)
    services.matter_hand_over(matter=matter, actor=duty, to_user=bob, note="交所长")
    client.force_login(bob)
    to_user = select(client.get(matter.get_absolute_url()).content.decode(), "hand_over-to_user")
    assert alice.name in to_user and duty.name in to_user
    assert charlie.name not in to_user


def test_a_form_error_is_announced_at_the_top_of_the_page(client, duty, alice):
    matter = _handling(duty, alice)
    client.force_login(alice)
    response = act(client, matter, "send_back", {"note": "  "})
    body = response.content.decode()
    assert response.status_code == 400
    summary = body.split('data-testid="form-errors"')[1].split("</div>")[0]
    assert "退单" in summary and "说明" in summary and 'href="#action-send_back"' in summary
    assert body.index('data-testid="form-errors"') < body.index('data-testid="matter-history"')
    assert body.index('data-testid="form-errors"') < body.index("河边有人电鱼")


def test_send_back_and_close_are_checked_by_the_browser_before_they_are_confirmed(client, duty, alice):
    matter = _handling(duty, alice)
    client.force_login(alice)
    page = client.get(matter.get_absolute_url()).content.decode()
    for action in ("send_back", "close"):
        form = form_tag(page, action)
        assert "confirm-submit" in form and "data-confirm=" in form
        # Without novalidate the browser refuses an empty required field before the submit (and its confirm).
        assert "novalidate" not in form
    assert "确定办结吗" in form_tag(page, "close")
    note = re.search(r'<textarea[^>]*name="send_back-note"[^>]*>', page).group(0)
    assert "required" in note


@pytest.mark.parametrize("action", ["merge", "send_back", "analyse"])
def test_reopening_an_action_address_leads_back_to_the_matter(client, duty, action):
    matter = walk_in(duty)
    client.force_login(duty)
    response = client.get(reverse("feedback:matter_act", args=[matter.pk, action]))
    assert response.status_code == 302 and response["Location"] == matter.get_absolute_url()


def test_reopening_an_action_address_of_a_matter_out_of_sight_still_finds_nothing(client, duty, charlie):
    matter = walk_in(duty)
    client.force_login(charlie)
    response = client.get(reverse("feedback:matter_act", args=[matter.pk, "merge"]), follow=True)
    assert response.status_code == 404


def test_a_matter_heard_on_a_visit_names_the_household_head_as_the_resident(client, alice, alice_household):
    visit = VisitFactory(visitor=alice, household=alice_household)
    matter = services.matter_register(
        channel=Matter.Channel.VISIT,
        content="村东头桥边晚上经常有人聚集喝酒",
        unit=alice.unit,
        actor=alice,
        household=alice_household,
        visit=visit,
    )
    client.force_login(alice)
    body = client.get(matter.get_absolute_url()).content.decode()
    resident = body.split("反映人</dt>")[1].split("</dd>")[0]
    assert alice_household.head_name in resident and "户主" in resident


def test_the_matter_page_says_who_acts_next(client, duty, alice, bob):
    matter = walk_in(duty)
    client.force_login(bob)
    body = client.get(matter.get_absolute_url()).content.decode()
    step = body.split('data-testid="next-step"')[1].split("</div>")[0]
    assert "研判" in step and f"{duty.unit}" in step and "负责人或值班民警" in step and "您" in step

    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=alice.unit, assignee=alice)
    body = client.get(matter.get_absolute_url()).content.decode()
    step = body.split('data-testid="next-step"')[1].split("</div>")[0]
    assert "开始处理" in step and alice.name in step and "您" not in step


def test_the_walk_in_phone_and_the_merge_reference_bring_up_a_number_keyboard(client, duty):
    client.force_login(duty)
    walk_in_page = client.get(reverse("feedback:walk_in")).content.decode()
    assert 'inputmode="tel"' in re.search(r'<input[^>]*name="resident_phone"[^>]*>', walk_in_page).group(0)
    matter = walk_in(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    assert 'inputmode="numeric"' in re.search(r'<input[^>]*name="merge-into_reference"[^>]*>', page).group(0)
    other = walk_in(duty, "另一件事")
    response = act(client, matter, "merge", {"into_reference": f"{other.reference[:4]} {other.reference[4:]}"})
    matter.refresh_from_db()
    assert response.status_code == 302 and matter.duplicate_of == other


def test_a_reopened_matter_shows_the_result_it_had_as_the_last_one(client, duty, alice):
    """Handled again after the resident was not satisfied: the result on the page is the answer they refused,
    not this round's."""
    matter = _handling(duty, alice)
    services.matter_close(matter=matter, actor=alice, result="已劝离电鱼人员", reply_method="in_person")
    client.force_login(alice)
    assert ">办理结果</dt>" in client.get(matter.get_absolute_url()).content.decode()

    services.matter_reopen(matter=matter, actor=None, reason="晚上还有人电鱼", heard="群众在查询页评价")
    body = client.get(matter.get_absolute_url()).content.decode()
    assert ">上次办理结果</dt>" in body and ">办理结果</dt>" not in body
    assert "已劝离电鱼人员" in body


def test_a_reopened_matter_is_marked_at_the_top_as_the_lists_mark_it_with_the_residents_reason(client, duty, alice):
    matter = _handling(duty, alice)
    services.matter_close(matter=matter, actor=alice, result="已劝离电鱼人员", reply_method="in_person")
    client.force_login(alice)
    closed = client.get(matter.get_absolute_url()).content.decode()
    assert 'data-testid="reopened"' not in closed and "重新办理原因" not in closed

    services.matter_reopen(matter=matter, actor=None, reason="晚上还有人电鱼", heard="群众在查询页评价")
    listed = client.get(reverse("feedback:matter_list")).content.decode()
    assert 'data-testid="reopened">重新办理<' in listed
    body = client.get(matter.get_absolute_url()).content.decode()
    header = body[: body.index('data-testid="next-step"')]
    assert 'data-testid="reopened">重新办理<' in header
    assert "重新办理原因" in header and "群众在查询页评价不满意,重新办理:晚上还有人电鱼" in header
