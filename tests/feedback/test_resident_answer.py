"""Every resident gets the answer: merged matters are answered with the one they were merged into, the status page
speaks the resident's words, and the resident rates the answer once (issue #8)."""

import re

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Matter, TalkRoomCallback
from jingshi_jiafang.core.models import User
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in

pytestmark = pytest.mark.django_db

PASSWORD = "K7Q2M9"


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def _online(duty, content="村口的路灯坏了一个月了", **extra):
    return services.matter_register(
        channel=Matter.Channel.ONLINE,
        content=content,
        unit=duty.unit,
        actor=None,
        query_password=PASSWORD,
        **extra,
    )


def _to_handling(matter, duty):
    services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    return services.matter_start(matter=matter, actor=duty)


def _close(matter, duty, result="路灯已于本周修复"):
    return services.matter_close(matter=matter, actor=duty, result=result, reply_method="online")


def open_status(client, matter):
    return client.post(reverse("feedback:echo_status"), {"reference": matter.reference, "password": PASSWORD})


def rate(client, outcome, note=""):
    return client.post(reverse("feedback:echo_rate"), {"outcome": outcome, "note": note})


# Merged matters.


def test_closing_a_matter_answers_the_resident_whose_matter_was_merged_into_it(client, duty):
    surviving = _online(duty)
    echo = _online(duty, "路灯还是坏的", resident_name="李四", resident_phone="13912345678")
    services.matter_merge(matter=echo, actor=duty, into=surviving)
    _close(_to_handling(surviving, duty), duty)

    body = open_status(client, echo).content.decode()
    assert "路灯已于本周修复" in body and "已答复" in body and "合并办理" in body
    assert echo.events.filter(note__contains=f"随诉求 {surviving.reference} 办结答复").exists()


def test_a_walk_in_merged_into_a_closed_matter_gets_its_own_callback(duty):
    surviving = walk_in(duty, "路灯坏了")
    merged = walk_in(duty, "路灯还是坏的")
    services.matter_merge(matter=merged, actor=duty, into=surviving)
    _close(_to_handling(surviving, duty), duty)
    assert TalkRoomCallback.objects.filter(matter=merged).count() == 1


def test_a_not_satisfied_callback_on_a_merged_matter_reopens_the_one_that_answered(client, duty):
    surviving, merged = walk_in(duty, "路灯坏了"), walk_in(duty, "路灯还是坏的")
    services.matter_merge(matter=merged, actor=duty, into=surviving)
    _close(_to_handling(surviving, duty), duty)
    callback = TalkRoomCallback.objects.get(matter=merged)
    services.callback_record(callback=callback, actor=duty, outcome="not_satisfied", note="晚上还是黑的")
    surviving.refresh_from_db()
    assert surviving.state == "handling"
    assert f"合并的诉求 {merged.reference}" in surviving.events.last().note


def test_the_surviving_matter_lists_what_was_merged_into_it_with_phones_masked(client, duty):
    surviving = _online(duty)
    merged = _online(duty, "路灯还是坏的", resident_name="李四", resident_phone="13912345678")
    services.matter_merge(matter=merged, actor=duty, into=surviving)
    client.force_login(duty)
    body = client.get(surviving.get_absolute_url()).content.decode()
    assert merged.reference in body and "李四" in body and "139****5678" in body
    assert "13912345678" not in body


def test_merging_a_matter_that_has_duplicates_takes_them_along(duty):
    first, second, third = walk_in(duty, "甲"), walk_in(duty, "乙"), walk_in(duty, "丙")
    services.matter_merge(matter=third, actor=duty, into=second)
    services.matter_merge(matter=second, actor=duty, into=first)
    third.refresh_from_db()
    assert third.duplicate_of == first
    assert set(first.duplicates.values_list("pk", flat=True)) == {second.pk, third.pk}


# The status page in the resident's words.


def test_the_status_page_shows_received_then_the_handling_unit_then_the_reply(client, duty, station_a):
    matter = _online(duty)
    body = open_status(client, matter).content.decode()
    assert "已受理" in body and "汇报" not in body and station_a.parent.name in body  # the bureau's name

    _to_handling(matter, duty)
    body = open_status(client, matter).content.decode()
    assert "正在办理" in body and duty.unit.name in body and "处理" not in body.split('data-testid="stage"')[1][:40]

    _close(matter, duty)
    body = open_status(client, matter).content.decode()
    assert "已答复" in body and "路灯已于本周修复" in body and "网上答复" in body
    assert 'data-testid="rating-form"' in body


def test_an_unanswered_matter_cannot_be_rated(client, duty):
    matter = _online(duty)
    body = open_status(client, matter).content.decode()
    assert 'data-testid="rating-form"' not in body
    rate(client, "satisfied")
    assert not TalkRoomCallback.objects.filter(matter=matter).exists()


def test_the_resident_rates_the_answer_once_and_it_counts_as_the_callback(client, duty):
    matter = _close(_to_handling(_online(duty), duty), duty)
    open_status(client, matter)
    response = rate(client, "fairly_satisfied", "修得有点慢")
    assert "感谢您的评价" in response.content.decode() and "您的评价:基本满意" in response.content.decode()
    callback = TalkRoomCallback.objects.get(matter=matter)
    assert (callback.outcome, callback.done_by, callback.done_at is not None) == ("fairly_satisfied", None, True)
    assert "修得有点慢" in callback.note

    second = rate(client, "not_satisfied")
    assert "已经评价过" in second.content.decode()
    assert TalkRoomCallback.objects.filter(matter=matter).count() == 1
    matter.refresh_from_db()
    assert matter.state == "closed"


def test_a_walk_in_residents_rating_does_the_scheduled_callback(client, duty):
    matter = walk_in(duty, query_password=PASSWORD)
    _close(_to_handling(matter, duty), duty)
    scheduled = TalkRoomCallback.objects.get(matter=matter)
    open_status(client, matter)
    rate(client, "satisfied")
    scheduled.refresh_from_db()
    assert scheduled.outcome == "satisfied" and scheduled.done_at is not None
    assert TalkRoomCallback.objects.filter(matter=matter).count() == 1


def test_not_satisfied_reopens_the_matter_and_the_next_answer_can_be_rated_again(client, duty):
    matter = _close(_to_handling(_online(duty), duty), duty)
    open_status(client, matter)
    response = rate(client, "not_satisfied", "路灯晚上还是不亮")
    assert "重新交办" in response.content.decode()
    matter.refresh_from_db()
    assert matter.state == "handling"
    # said as the resident's own rating, not as a callback nobody made
    assert matter.events.last().note == "群众在查询页评价不满意,重新办理:路灯晚上还是不亮"

    _close(matter, duty, "更换了灯泡和线路")
    body = open_status(client, matter).content.decode()
    assert "更换了灯泡和线路" in body and 'data-testid="rating-form"' in body
    rate(client, "satisfied")
    assert TalkRoomCallback.objects.filter(matter=matter, outcome="satisfied").count() == 1


def test_a_second_rating_on_the_day_of_the_first_keeps_the_first(client, duty):
    """Not satisfied, answered again and rated again the same day: both ratings stay, the first is not written
    over by the second."""
    matter = _close(_to_handling(_online(duty), duty), duty)
    open_status(client, matter)
    rate(client, "not_satisfied", "路灯晚上还是不亮")
    _close(matter, duty, "更换了灯泡和线路")
    open_status(client, matter)
    body = rate(client, "satisfied").content.decode()

    outcomes = list(
        TalkRoomCallback.objects.filter(matter=matter).order_by("done_at").values_list("outcome", flat=True)
    )
    assert outcomes == ["not_satisfied", "satisfied"]
    history = body.split('data-testid="resident-history"')[1].split("</ul>")[0]
    assert history.index("您的评价:不满意") < history.index("重新办理") < history.index("您的评价:满意")


def test_a_walk_in_answered_again_the_day_its_callback_was_done_is_called_back_again(client, duty):
    """The scheduled callback was done by the resident's rating; the next answer, given the same day, is called
    back too."""
    matter = walk_in(duty, query_password=PASSWORD)
    _close(_to_handling(matter, duty), duty)
    open_status(client, matter)
    rate(client, "not_satisfied", "噪音还在")
    _close(matter, duty, "已再次上门,约定晚十点后停工")

    done = TalkRoomCallback.objects.get(matter=matter, done_at__isnull=False)
    assert done.outcome == "not_satisfied"
    waiting = TalkRoomCallback.objects.get(matter=matter, done_at__isnull=True)
    assert waiting.due_date > done.due_date


def test_the_resident_of_a_merged_matter_rates_the_answer_and_not_satisfied_reopens_the_surviving_one(client, duty):
    surviving = _online(duty)
    merged = _online(duty, "路灯还是坏的")
    services.matter_merge(matter=merged, actor=duty, into=surviving)
    _close(_to_handling(surviving, duty), duty)
    open_status(client, merged)
    rate(client, "not_satisfied")
    surviving.refresh_from_db()
    assert surviving.state == "handling"
    assert TalkRoomCallback.objects.get(matter=merged).outcome == "not_satisfied"


def test_rating_needs_the_status_opened_with_the_password_first(client, duty):
    matter = _close(_to_handling(_online(duty), duty), duty)
    response = rate(client, "satisfied")
    assert response.status_code == 302 and response["Location"] == reverse("feedback:echo_status")
    assert not TalkRoomCallback.objects.filter(matter=matter).exists()


def test_a_rating_without_a_choice_is_refused_in_chinese(client, duty):
    matter = _close(_to_handling(_online(duty), duty), duty)
    open_status(client, matter)
    response = rate(client, "")
    assert response.status_code == 400 and "请选择满意、基本满意或不满意" in response.content.decode()


# Issue #8 (phase 3): the resident keeps their way in and sees the way so far.


def test_rating_after_many_look_ups_is_not_rate_limited(client, duty, settings):
    settings.ECHO_RATE_LIMIT = 2
    matter = _close(_to_handling(_online(duty), duty), duty)
    for _ in range(4):
        assert open_status(client, matter).status_code == 200
    assert rate(client, "satisfied").status_code == 200
    assert TalkRoomCallback.objects.get(matter=matter).outcome == "satisfied"


def test_reopening_the_rating_address_leads_back_to_the_status_page(client, duty):
    response = client.get(reverse("feedback:echo_rate"))
    assert response.status_code == 302 and response["Location"] == reverse("feedback:echo_status")


def test_after_not_satisfied_the_status_page_keeps_the_earlier_answer_and_the_rating(client, duty):
    matter = _close(_to_handling(_online(duty), duty), duty, "路灯已于本周修复")
    open_status(client, matter)
    response = rate(client, "not_satisfied", "晚上还是不亮")
    body = response.content.decode()
    assert "重新办理" in body
    assert 'data-testid="earlier-reply"' in body and "路灯已于本周修复" in body
    history = body.split('data-testid="resident-history"')[1].split("</ul>")[0]
    assert history.index("已答复") < history.index("您的评价:不满意") < history.index("重新办理")
    # Inside words of the bureau stay inside.
    assert "晚上还是不亮" not in history and duty.name not in body


def test_the_resident_pages_name_the_bureau_from_the_setting(client, settings):
    settings.BUREAU_NAME = "宿迁市公安局"
    for name in ("feedback:echo", "feedback:echo_status"):
        assert "宿迁市公安局" in client.get(reverse(name)).content.decode()


def test_a_reference_typed_in_groups_of_four_is_found(client, duty):
    matter = _online(duty)
    spaced = f"{matter.reference[:4]} {matter.reference[4:8]}-{matter.reference[8:]}"
    response = client.post(reverse("feedback:echo_status"), {"reference": spaced, "password": PASSWORD})
    assert response.status_code == 200 and 'data-testid="stage"' in response.content.decode()


def input_tag(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


def test_phone_and_reference_fields_bring_up_a_number_keyboard(client):
    echo_page = client.get(reverse("feedback:echo")).content.decode()
    assert 'inputmode="tel"' in input_tag(echo_page, "resident_phone")
    status_page = client.get(reverse("feedback:echo_status")).content.decode()
    assert 'inputmode="numeric"' in input_tag(status_page, "reference")
