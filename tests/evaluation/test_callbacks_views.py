"""The callback pages through the test client: only the evaluation centre works the queue, the phone is masked
until the audited 拨打电话, the form's answers land back on the queue, and the figures are for evaluators and
leaders (their towns). List and figure pages stay within a fixed number of queries."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Callback, CallbackAttempt
from evaluation.services.callbacks import callback_record, callbacks_create
from feedback.models import Matter
from jingshi_jiafang.core.models import AuditEntry, Household, User
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, UserFactory
from tests.evaluation.factories import VisitCallbackFactory, closed_matter, evaluator
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def caller(client):
    return log_in_as(client, evaluator(username="eva"))


@pytest.fixture
def callback(alice, village_a):
    household = HouseholdFactory(village=village_a, head_name="王大伯", phone=PHONE, address="东湖村3组12号")
    return VisitCallbackFactory(visit=VisitFactory(household=household, visitor=alice, result="调解邻里纠纷"))


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_queue_shows_the_household_with_the_phone_masked(client, caller, callback):
    response = client.get(reverse("evaluation:callback_queue"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "王大伯户" in page and "东湖村3组12号" in page and "东湖村" in page
    assert "139****5678" in page and PHONE not in page
    assert "艾丽" in page  # who visited
    # When, with its year: a callback of last December read 12月06日.
    visited = timezone.localtime(callback.visit.visited_at)
    assert f"于 {visited:%Y-%m-%d %H:%M} 上门走访" in page


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.LEADER, User.Role.DUTY_OFFICER, User.Role.AUDITOR])
def test_only_the_evaluation_centre_works_the_queue(client, callback, role, village_a):
    log_in_as(client, UserFactory(role=role, unit=village_a.unit))
    assert client.get(reverse("evaluation:callback_queue")).status_code == 403
    assert client.get(reverse("evaluation:callback_detail", args=[callback.pk])).status_code == 403
    response = client.post(reverse("evaluation:callback_record", args=[callback.pk]), {"reached": "no"})
    assert response.status_code == 403
    assert not CallbackAttempt.objects.exists()


def test_signed_out_is_sent_to_log_in(client, callback):
    response = client.get(reverse("evaluation:callback_queue"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_calling_reveals_the_number_with_a_tel_link_and_is_audited(client, caller, callback):
    detail = client.get(reverse("evaluation:callback_detail", args=[callback.pk])).content.decode()
    assert PHONE not in detail and "拨打电话" in detail
    response = client.post(reverse("evaluation:callback_call", args=[callback.pk]))
    assert response.status_code == 200
    assert f'href="tel:{PHONE}"' in response.content.decode()
    entry = AuditEntry.objects.get(action="reveal_phone")
    assert entry.actor == caller and entry.object_type == "evaluation.Callback" and entry.object_id == str(callback.pk)


def test_calling_a_walk_in_without_household_is_audited_too(client, caller, village_a):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = closed_matter(duty, duty, content="来访")
    Matter.objects.filter(pk=matter.pk).update(resident_phone="13800001111")
    callbacks_create(day=timezone.localdate())
    walk_in = Callback.objects.get()
    page = client.get(reverse("evaluation:callback_detail", args=[walk_in.pk])).content.decode()
    assert "138****1111" in page and "张大姐" in page
    response = client.post(reverse("evaluation:callback_call", args=[walk_in.pk]))
    assert 'href="tel:13800001111"' in response.content.decode()
    assert AuditEntry.objects.filter(action="reveal_phone", object_id=str(walk_in.pk)).exists()


def test_a_confirmed_satisfied_callback_lands_back_on_the_queue_with_a_message(client, caller, callback):
    other = VisitCallbackFactory()
    response = client.post(
        reverse("evaluation:callback_record", args=[callback.pk]),
        {"reached": "yes", "visit_check": "confirmed", "satisfaction": "satisfied", "comment": ""},
    )
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:callback_queue")
    assert _messages(response) == ["已记录:王大伯户属实、满意。下一条回访已在队首。"]
    callback.refresh_from_db()
    assert callback.state == "done" and callback.done_by == caller
    queue = client.get(reverse("evaluation:callback_queue")).content.decode()
    assert reverse("evaluation:callback_detail", args=[other.pk]) in queue
    assert reverse("evaluation:callback_detail", args=[callback.pk]) not in queue


def test_a_comment_heard_is_offered_as_a_matter_in_the_message_that_says_it_was_recorded(client, caller, callback):
    # Walkthrough: the only way to 转为诉求 was a list below the whole queue, 4,300 px down on a phone.
    answer = {"reached": "yes", "visit_check": "confirmed", "satisfaction": "satisfied", "comment": "门口路灯坏了"}
    response = client.post(reverse("evaluation:callback_record", args=[callback.pk]), answer, follow=True)
    page = response.content.decode()
    detail = reverse("evaluation:callback_detail", args=[callback.pk])
    assert f'可<a href="{detail}" class="alert-link">转为诉求</a>' in page
    assert 'data-testid="raise-matter"' in client.get(detail).content.decode()


def test_a_false_visit_is_said_and_the_form_needs_its_answers(client, caller, callback):
    url = reverse("evaluation:callback_record", args=[callback.pk])
    response = client.post(url, {"reached": "yes"})
    assert response.status_code == 400 and "请选择群众是否确认民警上门走访" in response.content.decode()
    response = client.post(url, {"reached": "yes", "visit_check": "confirmed"})
    assert response.status_code == 400 and "请选择满意度" in response.content.decode()
    # a false visit costs the officer points: asked once more before it is recorded
    response = client.post(url, {"reached": "yes", "visit_check": "denied", "comment": "没人来过"})
    html = response.content.decode()
    assert response.status_code == 400 and "请向群众再核实一次,勾选确认后保存" in html and "没人来过" in html
    assert 'data-testid="confirm-denied" hidden' not in html
    assert not Callback.objects.filter(pk=callback.pk, visit_check="denied").exists()
    denied = {"reached": "yes", "visit_check": "denied", "confirm_denied": "on", "comment": "没人来过"}
    response = client.post(url, denied)
    assert _messages(response)[0].startswith("已记录:王大伯户说民警没有上门,已标记为艾丽的虚假走访。")


def test_a_household_without_a_phone_is_said_so_and_given_up_at_once(client, caller, callback):
    Household.objects.filter(pk=callback.household_id).update(phone="")
    page = client.get(reverse("evaluation:callback_detail", args=[callback.pk])).content.decode()
    assert 'data-testid="no-phone"' in page and 'data-testid="call"' not in page and "明天会再拨打" not in page
    response = client.post(reverse("evaluation:callback_record", args=[callback.pk]), {"reached": "no"})
    assert "没有登记电话,无法回访,已记为联系不上" in _messages(response)[0]
    callback.refresh_from_db()
    assert callback.state == "given_up" and callback.history.get().note == "未登记电话"
    page = client.get(reverse("evaluation:callback_detail", args=[callback.pk])).content.decode()
    assert "未联系上,已放弃回访" in page


def test_not_reached_is_retried_tomorrow_and_sent_twice_is_one_attempt(client, caller, callback):
    url = reverse("evaluation:callback_record", args=[callback.pk])
    response = client.post(url, {"reached": "no"})
    assert "明天再打" in _messages(response)[0]
    # The same form sent again today: one attempt.
    response = client.post(url, {"reached": "no"})
    assert "今天已经拨打过" in _messages(response)[-1]
    assert callback.history.count() == 1
    callback.refresh_from_db()
    assert callback.due_date == timezone.localdate() + timedelta(days=1)


def test_a_comment_becomes_a_matter_from_the_done_callback(client, caller, callback):
    callback_record(
        callback=callback,
        actor=caller,
        reached=True,
        visit_check="confirmed",
        satisfaction="fairly_satisfied",
        comment="路灯坏了",
        today=callback.due_date,
    )
    queue = client.get(reverse("evaluation:callback_queue")).content.decode()
    assert "路灯坏了" in queue and reverse("evaluation:callback_detail", args=[callback.pk]) in queue
    page = client.get(reverse("evaluation:callback_detail", args=[callback.pk])).content.decode()
    assert "将群众意见转为诉求" in page
    url = reverse("evaluation:callback_raise_matter", args=[callback.pk])
    first = client.post(url)
    second = client.post(url)
    matter = Matter.objects.get()
    assert f"已登记为诉求 {matter.reference}" in _messages(first)[0]
    assert f"已经登记为诉求 {matter.reference}" in _messages(second)[-1]
    page = client.get(reverse("evaluation:callback_detail", args=[callback.pk])).content.decode()
    assert matter.reference in page and "将群众意见转为诉求" not in page
    assert "路灯坏了" not in client.get(reverse("evaluation:callback_queue")).content.decode()


def test_the_queue_filters_by_source_and_part(client, caller, callback, alice, village_a):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    closed_matter(duty, alice, household=callback.household)
    callbacks_create(day=timezone.localdate())
    Callback.objects.filter(source="matter").update(due_date=timezone.localdate())
    page = client.get(reverse("evaluation:callback_queue"), {"source": "matter"}).content.decode()
    assert page.count('data-testid="queue-row"') == 1 and "诉求办结" in page
    Callback.objects.filter(pk=callback.pk).update(due_date=timezone.localdate() - timedelta(days=2))
    page = client.get(reverse("evaluation:callback_queue"), {"part": "overdue"}).content.decode()
    assert page.count('data-testid="queue-row"') == 1 and "逾期" in page


def test_the_queue_is_empty_with_what_comes_next(client, caller):
    page = client.get(reverse("evaluation:callback_queue")).content.decode()
    assert "今天的回访都已完成" in page


def test_the_queue_takes_a_fixed_number_of_queries(client, caller, django_assert_max_num_queries):
    for _ in range(3):
        VisitCallbackFactory()
    duty = UserFactory(role=User.Role.DUTY_OFFICER)
    closed_matter(duty, duty, household=HouseholdFactory())
    callbacks_create(day=timezone.localdate())
    Callback.objects.update(due_date=timezone.localdate())
    # One more than other pages: the rows shown beside each callback are read for the page's callbacks only.
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 1) as captured:
        response = client.get(reverse("evaluation:callback_queue"))
    assert response.status_code == 200
    shown = response.context["page"].object_list
    assert [c.pk for c in shown] == list(
        Callback.objects.filter(state="due").order_by("due_date", "source_date", "id").values_list("pk", flat=True)
    )
    few = len(captured)
    for _ in range(10):
        VisitCallbackFactory()
    with django_assert_max_num_queries(few):
        client.get(reverse("evaluation:callback_queue"))


def _answered(caller, n, **answer):
    for _ in range(n):
        callback = VisitCallbackFactory()
        callback_record(callback=callback, actor=caller, today=callback.due_date, **answer)


def test_the_figures_count_per_day_and_per_evaluator(client, caller, django_assert_max_num_queries):
    _answered(caller, 3, reached=True, visit_check="confirmed", satisfaction="satisfied")
    _answered(caller, 1, reached=True, visit_check="denied")
    _answered(caller, 2, reached=False)
    other = evaluator(name="另一访评员")
    _answered(other, 1, reached=True, visit_check="confirmed", satisfaction="not_satisfied")
    VisitCallbackFactory()  # due today, not called yet
    # Due yesterday, not reached then, tried again and reached today: yesterday's figures, two calls.
    retried = VisitCallbackFactory(visit=VisitFactory(visited_at=timezone.now() - timedelta(days=2)))
    callback_record(callback=retried, actor=other, reached=False, today=retried.due_date)
    answer = {"reached": True, "visit_check": "confirmed", "satisfaction": "fairly_satisfied"}
    callback_record(callback=retried, actor=other, today=retried.due_date + timedelta(days=1), **answer)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(reverse("evaluation:callback_figures"))
    figures = response.context["figures"]
    today, yesterday = figures["days"][0], figures["days"][1]
    assert (today.due, today.made, today.calls, today.reached, today.given_up) == (8, 7, 8, 5, 0)
    assert (today.confirmed, today.denied, today.satisfied, today.not_satisfied, today.rate) == (4, 1, 3, 1, "88%")
    assert (yesterday.due, yesterday.made, yesterday.calls, yesterday.reached) == (1, 1, 1, 1)
    assert yesterday.fairly_satisfied == 1 and figures["total"].due == 9
    assert [(row.label, row.calls, row.reached) for row in figures["evaluators"]] == [
        ("访评员", 6, 4),
        ("另一访评员", 3, 2),
    ]
    assert len(figures["days"]) == 14
    page = response.content.decode()
    assert "回访率" in page and "虚假走访" in page


def test_a_leader_reads_the_figures_of_their_towns_only(client, alice, village_a, village_b, caller):
    _answered(caller, 2, reached=False)  # in villages of their own
    mine = VisitCallbackFactory(visit=VisitFactory(household=HouseholdFactory(village=village_a), visitor=alice))
    callback_record(callback=mine, actor=caller, reached=False, today=mine.due_date)
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    log_in_as(client, leader)
    response = client.get(reverse("evaluation:callback_figures"))
    assert response.status_code == 200
    assert response.context["figures"]["total"].made == 1
    assert response.context["figures"]["total"].due == 1
    # The dashboard's town also counts the talk room's callbacks by unit: the page says why the two differ.
    assert "说事厅等未落到村的诉求的回访不在其中" in response.content.decode()


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.CADRE, User.Role.SECURITY_ADMIN])
def test_the_figures_are_not_for_other_roles(client, role):
    log_in_as(client, UserFactory(role=role))
    assert client.get(reverse("evaluation:callback_figures")).status_code == 403


def test_a_bad_period_is_refused_with_a_message(client, caller):
    response = client.get(reverse("evaluation:callback_figures"), {"start": "2026-11-20", "end": "2026-11-10"})
    assert "起始日期不能晚于截止日期" in response.content.decode()


def test_the_evaluator_home_counts_the_queue(client, caller):
    today = timezone.localdate()
    VisitCallbackFactory(due_date=today)
    VisitCallbackFactory(due_date=today, attempts=1)
    VisitCallbackFactory(due_date=today - timedelta(days=1))
    page = client.get(reverse("home")).content.decode()
    for key in ("today", "retry", "overdue"):
        assert f'data-testid="home-count-{key}">1<' in page
    assert "回访队列" in page and "回访统计" in page  # the menu
    assert reverse("evaluation:callback_queue") in page


def test_the_household_timeline_shows_the_callback_and_a_false_visit(client, callback, alice, bob):
    callback_record(callback=callback, actor=evaluator(), reached=True, visit_check="denied", today=callback.due_date)
    log_in_as(client, bob)
    page = client.get(reverse("households:household_detail", args=[callback.household.pk])).content.decode()
    assert "次日回访:虚假走访(艾丽)" in page


def test_an_unsatisfied_matter_s_comment_goes_with_the_reopened_matter_not_to_the_list(
    client, caller, alice, village_a
):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    closed_matter(duty, alice, household=HouseholdFactory(village=village_a))
    callbacks_create(day=timezone.localdate())
    callback = Callback.objects.get()
    answer = {"reached": True, "satisfaction": "not_satisfied", "comment": "灯还是不亮"}
    callback_record(callback=callback, actor=caller, today=callback.due_date, **answer)
    assert "灯还是不亮" not in client.get(reverse("evaluation:callback_queue")).content.decode()
    page = client.get(reverse("evaluation:callback_detail", args=[callback.pk])).content.decode()
    assert "诉求已重新办理" in page and 'data-testid="raise-matter"' not in page
    response = client.post(reverse("evaluation:callback_raise_matter", args=[callback.pk]))
    assert Matter.objects.count() == 1  # the reopened matter carries the comment; no second matter
    assert "不再另立诉求" in client.get(response["Location"]).content.decode()


def test_the_evaluator_home_queries_do_not_grow_with_the_queue(client, caller, django_assert_max_num_queries):
    for _ in range(3):
        VisitCallbackFactory()
    with django_assert_max_num_queries(20) as captured:
        client.get(reverse("home"))
    few = len(captured)
    for _ in range(15):
        VisitCallbackFactory(due_date=timezone.localdate() - timedelta(days=1))
    with django_assert_max_num_queries(few):
        response = client.get(reverse("home"))
    assert [queue.count for queue in response.context["queues"]] == [18]
    assert len(response.context["queues"][0].items) == 5


def test_the_officer_reads_on_the_visit_page_that_the_callback_denied_it(client, callback, alice):
    callback_record(
        callback=callback,
        actor=evaluator(),
        reached=True,
        visit_check="denied",
        comment="没见过民警",
        today=callback.due_date,
    )
    client.force_login(alice)
    page = client.get(callback.visit.get_absolute_url()).content.decode()
    assert 'data-testid="visit-checks"' in page and "没见过民警" in page and "核实为虚假走访" in page


# The matter's page says what became of its next-day callback, or why there is none.


def test_a_closed_walk_in_without_any_phone_says_on_its_page_that_nobody_calls_it_back(client, village_a):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = closed_matter(duty, duty, content="来访")
    assert callbacks_create(day=timezone.localdate()) == 0
    client.force_login(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    assert "不作电话回访" in page and "群众没有留联系电话" in page


def test_a_closed_matter_page_shows_its_callback_to_come_then_its_answer(client, caller, alice, village_a):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = closed_matter(duty, alice, household=HouseholdFactory(village=village_a, phone=PHONE))
    client.force_login(duty)
    assert "办结次日由民意访评中心电话回访" in client.get(matter.get_absolute_url()).content.decode()
    callbacks_create(day=timezone.localdate())
    callback = Callback.objects.get()
    callback_record(callback=callback, actor=caller, reached=True, satisfaction="satisfied", today=callback.due_date)
    page = client.get(matter.get_absolute_url()).content.decode()
    assert "民意访评中心次日回访" in page and "<strong>满意</strong>" in page and "不作电话回访" not in page
