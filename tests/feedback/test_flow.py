import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Matter, MatterEvent, TalkRoomCallback
from feedback.permissions import matter_actions
from feedback.services import MatterError
from feedback.tasks import escalate_overdue_matters_task
from jingshi_jiafang.core.models import AuditEntry, User
from tests.core.factories import PoliceRoomFactory, UserFactory
from tests.feedback.helpers import MATTER_LIST_QUERIES, due_callback, walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def act(client, matter, action, data=None):
    prefixed = {f"{action}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("feedback:matter_act", args=[matter.pk, action]), prefixed)


def test_a_matter_goes_the_whole_way_from_reported_to_closed(client, duty, alice, bob):
    matter = walk_in(duty)
    client.force_login(duty)
    act(client, matter, "analyse", {"category": "public_security", "urgency": "urgent", "note": "影响休息"})
    act(client, matter, "dispatch", {"assigned_unit": alice.unit_id, "assignee": alice.pk, "note": "请社区民警处理"})
    matter.refresh_from_db()
    assert matter.state == "dispatched" and matter.assignee == alice
    assert timedelta(hours=23) < matter.deadline - timezone.now() <= timedelta(days=1)  # urgent: one day

    client.force_login(alice)
    act(client, matter, "start")
    act(client, matter, "progress", {"note": "已约双方周六调解"})
    act(client, matter, "close", {"result": "双方达成协议,装修避开休息时间", "reply_method": "in_person"})
    matter.refresh_from_db()
    assert matter.state == "closed" and matter.closed_at is not None
    history = list(matter.events.values_list("from_state", "to_state"))
    assert history == [
        ("", "reported"),
        ("reported", "analysed"),
        ("analysed", "dispatched"),
        ("dispatched", "handling"),
        ("handling", "handling"),
        ("handling", "closed"),
    ]
    assert (
        AuditEntry.objects.filter(
            action="state_changed", object_type="feedback.Matter", object_id=str(matter.pk)
        ).count()
        == 5
    )
    assert TalkRoomCallback.objects.filter(matter=matter).exists()  # a walk-in resident is called back
    page = client.get(matter.get_absolute_url()).content.decode()
    assert "已约双方周六调解" in page


def test_forbidden_moves_are_refused_with_a_readable_message(duty):
    matter = walk_in(duty)
    with pytest.raises(MatterError, match="“汇报”状态的诉求不能转为“办结”"):
        services.matter_close(matter=matter, actor=duty, result="x", reply_method="phone")
    with pytest.raises(MatterError):
        services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit)
    assert MatterEvent.objects.filter(matter=matter).count() == 1


def test_buttons_follow_the_map_and_the_role(client, duty, alice, charlie):
    matter = walk_in(duty)
    assert matter_actions(duty, matter) == {"analyse", "merge", "hand_over"}
    assert matter_actions(alice, matter) == set()
    client.force_login(alice)
    assert act(client, matter, "analyse", {"category": "other", "urgency": "normal"}).status_code in (403, 404)
    client.force_login(charlie)
    assert client.get(matter.get_absolute_url()).status_code == 404


def test_send_back_returns_a_wrongly_routed_matter_to_the_dispatcher(duty, alice):
    matter = walk_in(duty)
    services.matter_analyse(matter=matter, actor=duty, category="litigation", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=alice.unit, assignee=alice)
    matter = services.matter_send_back(matter=matter, actor=alice, reason="属于法制大队")
    assert matter.state == "analysed" and matter.assignee is None and matter.deadline is None
    assert matter.events.last().note == "退单:属于法制大队"


def test_a_duplicate_is_merged_into_the_open_matter(duty):
    first, second = walk_in(duty, "路灯坏了"), walk_in(duty, "路灯还是坏的")
    merged = services.matter_merge(matter=second, actor=duty, into=first)
    assert merged.state == "merged" and merged.duplicate_of == first
    with pytest.raises(MatterError):
        services.matter_merge(matter=first, actor=duty, into=merged)


def test_deadline_is_set_by_category_and_urgency(duty, settings):
    matter = walk_in(duty)
    services.matter_analyse(matter=matter, actor=duty, category="litigation", urgency="normal")
    matter = services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit)
    days = (matter.deadline - timezone.now()).days
    assert days == settings.MATTER_DEADLINE_DAYS["litigation"] - 1


def test_not_satisfied_callback_reopens_the_matter(client, duty):
    callback = due_callback(duty)
    matter = callback.matter
    client.force_login(duty)
    response = client.post(
        reverse("feedback:callback_record", args=[callback.pk]), {"outcome": "not_satisfied", "note": "噪音依旧"}
    )
    matter.refresh_from_db()
    assert matter.state == "handling"
    # It leaves the callback list: the message says which matter it was and who handles it again.
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == f"回访已记录。群众不满意,诉求 {matter.reference} 已重新办理,由{duty}承办。"
    assert "回访不满意" in matter.events.last().note
    second = client.post(reverse("feedback:callback_record", args=[callback.pk]), {"outcome": "satisfied"})
    assert second.status_code == 302
    assert TalkRoomCallback.objects.get(pk=callback.pk).outcome == "not_satisfied"


def test_a_callback_sent_twice_says_it_was_recorded_and_keeps_the_first_answer(client, duty):
    callback = due_callback(duty)
    client.force_login(duty)
    url = reverse("feedback:callback_record", args=[callback.pk])
    client.post(url, {"outcome": "satisfied", "note": "群众说已经不吵了"}, follow=True)
    # The second tap of a double tap on a slow line (or 后退 and 记录 again) lands on the list with a message.
    response = client.post(url, {"outcome": "fairly_satisfied"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["这次回访已经记录过了,没有重复记录。"]
    recorded = TalkRoomCallback.objects.get(pk=callback.pk)
    assert (recorded.outcome, recorded.note) == ("satisfied", "群众说已经不吵了")


def test_a_recorded_callback_out_of_scope_is_not_found(client, duty, charlie):
    callback = due_callback(duty)
    services.callback_record(callback=callback, actor=duty, outcome="satisfied", note="")
    client.force_login(charlie)
    response = client.post(reverse("feedback:callback_record", args=[callback.pk]), {"outcome": "satisfied"})
    assert response.status_code == 404


def _a_day_passes(matter):
    """What was done today was done yesterday, and what is due tomorrow is due today."""
    Matter.objects.filter(pk=matter.pk).update(closed_at=F("closed_at") - timedelta(days=1))
    for callback in TalkRoomCallback.objects.filter(matter=matter).order_by("due_date"):
        done_at = callback.done_at and callback.done_at - timedelta(days=1)
        TalkRoomCallback.objects.filter(pk=callback.pk).update(
            due_date=callback.due_date - timedelta(days=1), done_at=done_at
        )


def test_a_resident_not_reached_is_called_again_the_next_day_three_times_in_all(client, duty):
    callback = due_callback(duty)
    client.force_login(duty)
    said = []
    for _ in range(3):
        waiting = TalkRoomCallback.objects.get(matter=callback.matter, done_at__isnull=True)
        assert waiting.due_date == timezone.localdate()
        response = client.post(
            reverse("feedback:callback_record", args=[waiting.pk]),
            {"outcome": "unreachable", "note": "无人接听"},
            follow=True,
        )
        said += [str(m) for m in response.context["messages"]]
        _a_day_passes(callback.matter)
        listed = client.get(reverse("feedback:callback_list")).content.decode()
        tries = len(said)
        assert (f"第 {tries + 1} 次回访 · 前 {tries} 次未联系上" in listed) == (tries < 3)
    assert said == [
        "回访已记录:未联系上,明天再打(第 1 次,共 3 次)。",
        "回访已记录:未联系上,明天再打(第 2 次,共 3 次)。",
        "回访已记录:连续 3 次未联系上,不再回访。",
    ]
    calls = TalkRoomCallback.objects.filter(matter=callback.matter)
    assert [c.outcome for c in calls.order_by("due_date")] == ["unreachable"] * 3
    assert not calls.filter(done_at__isnull=True).exists()


def test_a_walk_in_who_left_no_number_is_not_called_again(client, duty):
    # Walkthrough: with nothing to dial, the callback came back the next day and the next, three times in all.
    callback = due_callback(duty, resident_phone="")
    client.force_login(duty)
    listed = client.get(reverse("feedback:callback_list")).content.decode()
    assert "未留电话。群众再来时当面问;问不到时记“联系不上”,这次回访即结束" in listed
    response = client.post(
        reverse("feedback:callback_record", args=[callback.pk]), {"outcome": "unreachable"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["回访已记录:群众没有留电话,无法电话回访,不再回访。"]
    assert not TalkRoomCallback.objects.filter(matter=callback.matter, done_at__isnull=True).exists()


def test_a_resident_reached_on_the_second_try_is_not_called_again(client, duty):
    callback = due_callback(duty)
    client.force_login(duty)
    client.post(reverse("feedback:callback_record", args=[callback.pk]), {"outcome": "unreachable"}, follow=True)
    _a_day_passes(callback.matter)
    again = TalkRoomCallback.objects.get(matter=callback.matter, done_at__isnull=True)
    response = client.post(reverse("feedback:callback_record", args=[again.pk]), {"outcome": "satisfied"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["回访已记录。"]
    assert not TalkRoomCallback.objects.filter(matter=callback.matter, done_at__isnull=True).exists()


def test_a_callback_sent_without_its_result_keeps_the_note_typed(client, duty):
    callback = due_callback(duty)
    client.force_login(duty)
    response = client.post(reverse("feedback:callback_record", args=[callback.pk]), {"note": "群众说晚上还是吵"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请选择回访结果" in body and "群众说晚上还是吵" in body
    callback.refresh_from_db()
    assert callback.done_at is None


def test_each_callback_on_the_list_has_fields_of_its_own(client, duty):
    """Labels lead to their own callback's fields: a tap on the second 回访结果 must not open the first."""
    first, second = due_callback(duty), due_callback(duty, "楼下烧烤店油烟大")
    client.force_login(duty)
    body = client.get(reverse("feedback:callback_list")).content.decode()
    for callback in (first, second):
        assert f'for="callback-{callback.pk}-outcome"' in body and f'id="callback-{callback.pk}-outcome"' in body


def test_a_callback_waits_while_its_matter_is_handled_again(client, duty, settings):
    """The next-day callback of the evaluation centre reopened the matter before the talk room called back: the
    talk room's callback is not listed (a 不满意 there would reopen a matter already open), and the next answer
    brings it back, due from that answer, without a second one."""
    callback = due_callback(duty)
    matter = callback.matter
    services.matter_reopen(matter=matter, actor=duty, reason="次日回访不满意")
    client.force_login(duty)
    assert matter.content not in client.get(reverse("feedback:callback_list")).content.decode()
    response = client.post(reverse("feedback:callback_record", args=[callback.pk]), {"outcome": "not_satisfied"})
    assert response.status_code == 404
    with pytest.raises(MatterError, match="办结后再回访"):
        services.callback_record(callback=callback, actor=duty, outcome="satisfied", note="")

    services.matter_close(matter=matter, actor=duty, result="再次协调,已停工", reply_method="in_person")
    waiting = TalkRoomCallback.objects.get(matter=matter)
    assert waiting.done_at is None
    assert waiting.due_date == timezone.localdate() + timedelta(days=settings.TALK_ROOM_CALLBACK_DAYS)


def _overdue_matter(duty):
    matter = walk_in(duty)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit)
    Matter.objects.filter(pk=matter.pk).update(deadline=timezone.now() - timedelta(hours=2))
    return matter


def test_overdue_matters_are_escalated_once_by_the_job(duty):
    matter = _overdue_matter(duty)
    assert escalate_overdue_matters_task.delay().get() == 1
    assert escalate_overdue_matters_task.delay().get() == 0  # run twice: nothing changes the second time
    matter.refresh_from_db()
    assert matter.escalated_at is not None
    assert matter.events.filter(note__contains="督办").count() == 1


def test_escalation_command_takes_a_date(duty):
    _overdue_matter(duty)
    out = StringIO()
    call_command(
        "escalate_overdue_matters", "--date", (timezone.localdate() - timedelta(days=2)).isoformat(), stdout=out
    )
    assert "Escalated 0" in out.getvalue()
    call_command("escalate_overdue_matters", "--date", timezone.localdate().isoformat(), stdout=out)
    assert "Escalated 1" in out.getvalue()


def test_escalation_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "feedback.tasks.escalate_overdue_matters_task" in tasks


def test_queues_are_scoped_and_bounded(client, duty, alice, django_assert_max_num_queries):
    for n in range(12):
        walk_in(duty, f"事项{n}")
    client.force_login(duty)
    with django_assert_max_num_queries(MATTER_LIST_QUERIES):
        response = client.get(reverse("feedback:matter_list"), {"queue": "to_process"})
    assert response.context["page"].paginator.count == 12
    client.force_login(alice)
    assert client.get(reverse("feedback:matter_list"), {"queue": "to_process"}).context["page"].paginator.count == 0


def test_walk_in_owner_hands_the_matter_over_and_it_is_recorded(client, duty, village_a):
    colleague = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit, name="接班民警")
    client.force_login(duty)
    response = client.post(
        reverse("feedback:walk_in"),
        {
            "channel": "talk_room",
            "content": "儿子的案子没有进展",
            "resident_name": "王大爷",
            "resident_phone": "",
            "submission_key": uuid.uuid4(),
        },
    )
    matter = Matter.objects.get()
    assert response["Location"] == reverse("feedback:walk_in_slip", args=[matter.pk])
    assert matter.owner == duty and matter.channel == "talk_room"
    act(client, matter, "hand_over", {"to_user": colleague.pk, "note": "交班,请继续跟进"})
    matter.refresh_from_db()
    assert matter.owner == colleague
    handover = matter.handovers.get()
    assert (handover.from_user, handover.to_user) == (duty, colleague)
    assert act(client, matter, "hand_over", {"to_user": duty.pk, "note": "x"}).status_code == 403


def test_only_police_room_staff_take_walk_ins(client, bob):
    client.force_login(bob)
    assert client.get(reverse("feedback:walk_in")).status_code == 403


def test_phone_and_post_box_matters_are_registered_in_the_talk_room_too(client, duty):
    client.force_login(duty)
    client.post(
        reverse("feedback:walk_in"),
        {"channel": "post_box", "content": "信箱来信", "resident_name": "匿名", "submission_key": uuid.uuid4()},
    )
    matter = Matter.objects.get()
    assert (matter.channel, matter.owner) == ("post_box", duty)


def test_the_callback_list_costs_the_same_queries_for_one_callback_or_many(client, duty):
    client.force_login(duty)
    due_callback(duty)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("feedback:callback_list"))
    for n in range(5):
        client.post(
            reverse(
                "feedback:callback_record", args=[due_callback(duty, f"第{n}件事", resident_phone="13912345678").pk]
            ),
            {"outcome": "unreachable"},
        )
        _a_day_passes(TalkRoomCallback.objects.order_by("-pk").first().matter)
    with CaptureQueriesContext(connection) as many:
        listed = client.get(reverse("feedback:callback_list")).content.decode()
    assert listed.count('data-testid="tried"') == 5
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_duty_officer_reveals_the_residents_phone_on_the_callback_list_and_it_is_audited(client, duty):
    callback = due_callback(duty, resident_phone="13912345678")
    client.force_login(duty)

    listed = client.get(reverse("feedback:callback_list")).content.decode()
    assert "139****5678" in listed and "13912345678" not in listed
    revealed = client.post(reverse("feedback:callback_phone_reveal", args=[callback.pk]), {"field": "phone"})

    assert revealed.status_code == 200
    assert 'href="tel:13912345678"' in revealed.content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL_PHONE)
    assert (entry.actor, entry.object_type, entry.object_id) == (duty, "feedback.Matter", str(callback.matter.pk))


def test_revealing_the_phone_of_a_callback_recorded_meanwhile_lands_on_the_list_with_why(client, duty):
    callback = due_callback(duty, resident_phone="13912345678")
    client.force_login(duty)
    client.post(reverse("feedback:callback_record", args=[callback.pk]), {"outcome": "satisfied"})

    # A colleague recorded it while this list was open, or the page of an earlier reveal was reloaded.
    response = client.post(
        reverse("feedback:callback_phone_reveal", args=[callback.pk]), {"field": "phone"}, follow=True
    )

    assert response.status_code == 200
    assert "这次回访已经记录过了,不需要再拨打。" in [str(m) for m in response.context["messages"]]
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_PHONE).exists()


def test_the_page_links_of_the_callback_list_shown_after_a_reveal_lead_to_the_list(client, duty, settings):
    settings.PAGE_SIZE = 1
    for n in range(3):
        due_callback(duty, f"第{n}件事", resident_phone="13912345678")
    client.force_login(duty)
    second_page = client.get(reverse("feedback:callback_list"), {"page": 2}).context["page"].object_list
    url = reverse("feedback:callback_phone_reveal", args=[second_page[0].pk])

    revealed = client.post(f"{url}?page=2", {"field": "phone"}).content.decode()

    # Relative to the reveal's address, 下一页 was a GET of the reveal, sent back to the list's first page.
    listing = reverse("feedback:callback_list")
    assert f'href="{listing}?page=3"' in revealed and f'href="{listing}?page=1"' in revealed


def test_a_callback_out_of_scope_reveals_nothing(client, duty, charlie):
    callback = due_callback(duty, resident_phone="13912345678")
    client.force_login(charlie)

    response = client.post(reverse("feedback:callback_phone_reveal", args=[callback.pk]), {"field": "phone"})

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_PHONE).exists()


def test_the_matter_page_shows_its_callbacks_made_and_waiting(client, duty):
    callback = due_callback(duty)
    client.force_login(duty)
    client.post(reverse("feedback:callback_record", args=[callback.pk]), {"outcome": "unreachable", "note": "无人接听"})

    page = client.get(callback.matter.get_absolute_url()).content.decode()

    assert "回访记录(定期回访)" in page
    assert "联系不上" in page and "无人接听" in page and f"{duty} · " in page
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert f"应回访 {tomorrow:%Y-%m-%d}" in page


def test_a_station_heads_callback_list_costs_the_same_queries_for_one_police_room_or_many(client, duty, bob):
    due_callback(duty, resident_phone="13912345678")
    client.force_login(bob)
    client.get(reverse("home"))  # the first page after signing in records it
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("feedback:callback_list"))
    for n in range(4):
        room = PoliceRoomFactory(parent=duty.unit.parent)
        due_callback(UserFactory(role=User.Role.DUTY_OFFICER, unit=room), f"第{n}件事", resident_phone="13912345678")
    with CaptureQueriesContext(connection) as many:
        listed = client.get(reverse("feedback:callback_list")).content.decode()
    # Each row asks whether bob may call the resident: the matter's unit is under his station, read once.
    assert listed.count("139****5678") == 5
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_callback_left_past_its_day_is_marked_late_on_the_list(client, duty):
    late = due_callback(duty, "昨天该回访的事")
    TalkRoomCallback.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    due_callback(duty, "今天回访的事")
    client.force_login(duty)
    listed = client.get(reverse("feedback:callback_list")).content.decode()
    late_card = listed.split(f'id="callback-{late.pk}"')[1].split('class="card mb-2"')[0]
    assert 'data-testid="callback-late"' in late_card and listed.count('data-testid="callback-late"') == 1
