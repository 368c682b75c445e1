"""Each working role's home page is its to-do list (jingshi_jiafang/home.py): queues with counts, late work
first, every item linking to where the work is done, empty states that say what to do next."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Matter, TalkRoomCallback
from jingshi_jiafang.core.models import Household, User
from tests.conftest import log_in_as
from tests.core.factories import (
    AreaLinkFactory,
    HouseholdFactory,
    HouseholdLinkFactory,
    PairingLinkFactory,
    UserFactory,
)
from tests.feedback.helpers import walk_in
from tests.visits.factories import NightVisitPlanFactory, VisitFactory
from tests.visits.test_night import evening
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", name="丁值班", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def dispatched_to(officer, duty, content, *, late=False) -> Matter:
    matter = walk_in(duty, content=content)
    feedback_services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    matter = feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=officer.unit, assignee=officer)
    if late:
        Matter.objects.filter(pk=matter.pk).update(deadline=timezone.now() - timedelta(hours=3))
    return matter


def callback_due(duty, content) -> TalkRoomCallback:
    matter = walk_in(duty, content=content)
    feedback_services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    feedback_services.matter_start(matter=matter, actor=duty)
    feedback_services.matter_close(matter=matter, actor=duty, result="已解决", reply_method="in_person")
    return TalkRoomCallback.objects.filter(matter=matter).update(due_date=timezone.localdate() - timedelta(days=1))


def queues(response) -> dict:
    return {queue.key: queue for queue in response.context["queues"]}


def test_officer_home_is_a_to_do_list_whose_items_lead_to_the_work(client, alice, bob, duty, village_a):
    never = HouseholdFactory(village=village_a, head_name="从未户")
    long_ago = HouseholdFactory(
        village=village_a, head_name="久未户", last_visited_at=timezone.now() - timedelta(days=200)
    )
    recent = HouseholdFactory(village=village_a, head_name="新访户", last_visited_at=timezone.now() - timedelta(days=3))
    for household in (never, long_ago, recent):
        HouseholdLinkFactory(officer=alice, household=household)
    NightVisitPlanFactory(officer=alice, village=village_a, date=timezone.localdate(), planned_by=bob)
    on_time = dispatched_to(alice, duty, "路灯坏了")
    late = dispatched_to(alice, duty, "邻里噪音", late=True)
    client.force_login(alice)

    response = client.get(reverse("home"))
    todo = queues(response)
    body = response.content.decode()

    assert [item.title for item in todo["tonight"].items] == [f"{village_a.parent} · {village_a}"]
    assert todo["tonight"].items[0].url == f"{reverse('households:household_list')}?area={village_a.pk}"
    assert todo["due_households"].count == 2
    assert [item.title for item in todo["due_households"].items] == ["从未户户", "久未户户"]
    # Never visited is said once, by the flag; the other says when it was last visited.
    never_row, long_ago_row = todo["due_households"].items
    assert (never_row.flag, never_row.detail) == ("从未走访", village_a.full_name)
    assert long_ago_row.detail.startswith(f"{village_a.full_name} · 上次走访 ")
    assert [item.url for item in todo["my_matters"].items] == [late.get_absolute_url(), on_time.get_absolute_url()]
    assert todo["my_matters"].items[0].flag == "超期"
    assert "期限" in todo["my_matters"].items[1].detail
    assert "我的待办" in body and "今晚夜访" in body
    # Following an item reaches the page where the work is done.
    for url in (todo["tonight"].items[0].url, todo["due_households"].items[0].url, todo["my_matters"].items[0].url):
        assert client.get(url).status_code == 200


def test_officer_sees_whether_tonights_night_visit_is_recorded(client, alice, bob, village_a, alice_household):
    NightVisitPlanFactory(officer=alice, village=village_a, date=timezone.localdate(), planned_by=bob)
    client.force_login(alice)
    assert queues(client.get(reverse("home")))["tonight"].items[0].detail.startswith("尚未记录夜访(")

    tonight = evening(timezone.localdate())
    VisitFactory(
        visitor=alice, household=alice_household, kind=Visit.Kind.NIGHT, visited_at=tonight, created_at=tonight
    )

    item = queues(client.get(reverse("home")))["tonight"].items[0]
    assert item.detail == "已记录夜访,点此查看该村联系户"
    assert item.url == f"{reverse('households:household_list')}?area={village_a.pk}"


def test_officer_with_nothing_to_do_is_told_what_comes_next(client, alice):
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    assert "今晚没有安排您夜访。下一个夜访日是" in body
    assert "您还没有联系户。请联系所在单位负责人为您分配联系户。" in body
    assert "没有未办结的诉求。" in body
    assert "今天没有到期的说事厅回访。" in body


def test_officer_told_of_the_next_night_already_planned(client, alice, bob, village_a):
    from visits.night import is_night_date

    today = timezone.localdate()
    next_night = next(today + timedelta(days=n) for n in range(1, 8) if is_night_date(today + timedelta(days=n)))
    NightVisitPlanFactory(officer=alice, village=village_a, date=next_night, planned_by=bob)
    client.force_login(alice)
    todo = queues(client.get(reverse("home")))
    assert todo["tonight"].empty == (
        f"今晚没有安排您夜访。下一个夜访日{next_night:%m月%d日}(周{'一二三四五六日'[next_night.weekday()]})"
        f"已安排您到{village_a.parent} · {village_a}。"
    )


def test_officer_sees_nothing_of_another_station(client, charlie, alice, duty, village_a):
    dispatched_to(alice, duty, "东边的事", late=True)
    HouseholdLinkFactory(officer=alice, household=HouseholdFactory(village=village_a))
    client.force_login(charlie)
    todo = queues(client.get(reverse("home")))
    assert todo["my_matters"].count == todo["due_households"].count == todo["callbacks"].count == 0


def test_station_head_sees_queues_with_counts_late_work_first(client, alice, bob, duty, village_a):
    HouseholdLinkFactory(officer=alice, household=HouseholdFactory(village=village_a, head_name="久未户"))
    dispatched_to(alice, duty, "超期的事", late=True)
    walk_in(duty, content="刚登记的事")
    callback_due(duty, "要回访的事")
    client.force_login(bob)

    response = client.get(reverse("home"))
    todo = queues(response)
    keys = [queue.key for queue in response.context["queues"]]

    assert todo["overdue_matters"].count == 1
    assert todo["to_process"].count == 1
    assert todo["callbacks"].count == 1
    assert todo["due_households"].count == 1
    assert "艾丽" in todo["due_households"].items[0].detail  # the officer responsible
    # Late queues that have work come first; the night plan says what to do when there is none.
    assert keys[:3] == ["overdue_matters", "callbacks", "due_households"]
    # Then the queues with work, then those that say there is none.
    # (the answered matter's ledger item waits for his 销号: only he may close it)
    assert keys[3:5] == ["ledger_to_close", "to_process"]
    counts = [todo[key].count for key in keys]
    assert counts == sorted(counts, key=lambda count: not count)
    assert todo["tonight"].empty_url == reverse("visits:night_plan")
    assert todo["to_process"].url == f"{reverse('feedback:matter_list')}?queue=to_process"
    assert client.get(todo["overdue_matters"].items[0].url).status_code == 200
    assert "本所待办" in response.content.decode()


def test_station_head_sees_tonights_plans_and_whether_they_were_kept(client, alice, bob, village_a):
    NightVisitPlanFactory(officer=alice, village=village_a, date=timezone.localdate(), planned_by=bob)
    client.force_login(bob)
    tonight = queues(client.get(reverse("home")))["tonight"]
    assert tonight.count == 1
    assert tonight.items[0].title == f"艾丽 · {village_a}"
    assert "尚未记录夜访" in tonight.items[0].detail


def test_duty_officer_sees_the_talk_room_queues(client, duty, alice):
    walk_in(duty, content="新来的事")
    callback_due(duty, "要回访的事")
    client.force_login(duty)
    response = client.get(reverse("home"))
    todo = queues(response)
    assert todo["to_process"].count == 1
    assert todo["callbacks"].count == 1
    assert todo["callbacks"].items[0].flag == "逾期"
    assert todo["my_matters"].count == 1  # 首问: the walk-in they took is theirs
    assert "登记群众反映" in response.content.decode()


def test_duty_officer_sees_this_weeks_ledger_items_of_the_matters_dispatched_to_him(client, duty):
    # 分流 to the duty officer makes him the 责任人 of the matter's ledger item: his home must say when it is due.
    matter = walk_in(duty, content="门口路灯坏了")
    feedback_services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    client.force_login(duty)
    todo = queues(client.get(reverse("home")))
    assert todo["ledger_due"].count == 1
    assert todo["ledger_due"].items[0].title == "门口路灯坏了"


def test_station_head_sees_this_weeks_ledger_items_he_answers_for(client, bob, duty, station_a):
    matter = walk_in(duty, content="派出所门口乱停车")
    feedback_services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    feedback_services.matter_dispatch(matter=matter, actor=duty, assigned_unit=station_a, assignee=bob)
    client.force_login(bob)
    todo = queues(client.get(reverse("home")))
    assert [item.title for item in todo["ledger_due"].items] == ["派出所门口乱停车"]


@pytest.mark.parametrize("role", ["officer", "station_head", "duty_officer"])
def test_home_queries_do_not_grow_with_the_work(
    client, alice, bob, duty, village_a, role, django_assert_max_num_queries
):
    user = {"officer": alice, "station_head": bob, "duty_officer": duty}[role]
    Household.objects.bulk_create(HouseholdFactory.build(village=village_a) for _ in range(40))
    for household in Household.objects.all():
        HouseholdLinkFactory(officer=alice, household=household)
    for n in range(8):
        dispatched_to(alice, duty, f"第{n}件", late=n % 2 == 0)
        walk_in(duty, content=f"新{n}")
        callback_due(duty, f"回访{n}")
    NightVisitPlanFactory(officer=alice, village=village_a, date=timezone.localdate(), planned_by=bob)
    client.force_login(user)
    # session, user, second-factor check, then a count and a short list per queue (seven at most), the
    # registry's dispatcher rule asked once (whether the 待研判/分流 queue is theirs), and a unit head's households
    # read once as two lists, his links and his villages (core/scopes.py: _read_once); a station head's items to
    # close (the walk-ins closed for their callbacks delivered them) are one queue more
    with django_assert_max_num_queries(24):
        response = client.get(reverse("home"))
    assert all(len(queue.items) <= 5 for queue in response.context["queues"])


# Issue #8, finding 9: the header names the user once: name · unit · one role label.


@pytest.mark.parametrize(
    ("who", "label"),
    [
        (lambda alice, bob, duty: bob, "派出所所长"),
        (lambda alice, bob, duty: duty, "值班民警"),
        (lambda alice, bob, duty: alice, "民警"),
    ],
)
def test_home_header_names_the_user_by_unit_and_one_role_label(client, alice, bob, duty, who, label):
    from django.contrib.auth import get_user_model

    user = who(alice, bob, duty)
    get_user_model().objects.filter(pk=user.pk).update(post=label)  # the post repeats the role in the demo
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    assert f'<p class="text-muted mb-3" data-testid="who">{user.unit} · {label}</p>' in body
    assert body.count(label) == 2  # the header line and the account link in the menu, nothing else
    assert f"{user} · {label}</a>" in body


def test_a_police_room_head_is_called_by_the_room_he_heads(client, village_a):
    head = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, is_unit_head=True)
    client.force_login(head)
    assert f"{village_a.unit} · 警务室负责人</p>" in client.get(reverse("home")).content.decode()


def test_station_heads_empty_diary_names_the_list_as_his_menu_does(client, bob):
    client.force_login(bob)
    body = client.get(reverse("visits:diary")).content.decode()
    assert "打开“辖区住户”" in body and "我的联系户" not in body


def test_the_legal_department_home_opens_on_last_month_s_topics_to_confirm(client):
    from feedback.services.classification import previous_month

    log_in_as(client, UserFactory(role=User.Role.LEGAL))
    page = client.get("/").content.decode()
    month = previous_month(timezone.localdate())
    assert 'data-testid="legal-month"' in page and f"{month.year}年{month.month}月诉求类别研判" in page
    assert f"/topics/?month={month:%Y-%m}" in page and "/reports/" in page
    # No matter that month: nothing to confirm, and such a month cannot be closed (`topic_month_close`).
    assert "该月没有登记诉求,无需研判。" in page and "可以结束该月研判" not in page


def test_a_leader_s_town_overview_counts_the_town_s_households_not_a_paired_one_elsewhere(client, village_a, village_b):
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    HouseholdFactory.create_batch(2, village=village_a)
    PairingLinkFactory(user=leader, household=HouseholdFactory(village=village_b, is_hardship=True))
    log_in_as(client, leader)
    summary = client.get(reverse("home")).context["summary"]
    assert (summary.villages, summary.households, summary.hardship_households) == (1, 2, 0)
