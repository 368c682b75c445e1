"""The matter queues can be filtered and searched (issue #8): by stage, category, channel, village, overdue and
deadline, and by reference, card number, resident or text, in queries that do not grow with the queue."""

from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Matter, MatterEvent
from jingshi_jiafang.core.models import User
from ledger.models import LedgerItem
from tests.core.factories import HouseholdFactory, UserFactory, VillageFactory
from tests.feedback.helpers import MATTER_LIST_QUERIES, issue_and_hand_out, walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def listed(client, **params):
    response = client.get(reverse("feedback:matter_list"), {"queue": "all", **params})
    assert response.status_code == 200
    return {matter.content for matter in response.context["page"].object_list}


@pytest.fixture
def queue(duty, village_a, station_a, bob):
    """A small queue with one matter for each thing to filter on."""
    other_village = VillageFactory(parent=village_a.parent, unit=village_a.unit, name="西岗村")
    far = HouseholdFactory(village=other_village, head_name="孙户主")
    near = HouseholdFactory(village=village_a, head_name="周户主")
    lamp = walk_in(duty, "路灯坏了", resident_phone="13912345678")
    fight = services.matter_register(
        channel=Matter.Channel.VISIT, content="邻里纠纷", unit=duty.unit, actor=duty, household=far
    )
    _, card = issue_and_hand_out(station_a, bob, near)
    echoed = services.matter_register(
        channel=Matter.Channel.ONLINE,
        content="网上反映噪音",
        unit=duty.unit,
        actor=None,
        household=near,
        echo_card=card,
    )
    services.matter_analyse(matter=fight, actor=duty, category="public_security", urgency="normal")
    services.matter_dispatch(matter=fight, actor=duty, assigned_unit=duty.unit)
    Matter.objects.filter(pk=fight.pk).update(deadline=timezone.now() - timedelta(hours=1))
    return {"lamp": lamp, "fight": fight, "echoed": echoed, "card": card, "other_village": other_village}


def test_queue_filters_by_stage_category_channel_village_and_overdue(client, duty, queue):
    client.force_login(duty)
    assert listed(client) == {"路灯坏了", "邻里纠纷", "网上反映噪音"}
    assert listed(client, state="dispatched") == {"邻里纠纷"}
    assert listed(client, category="public_security") == {"邻里纠纷"}
    assert listed(client, channel="online") == {"网上反映噪音"}
    assert listed(client, village=queue["other_village"].pk) == {"邻里纠纷"}
    assert listed(client, overdue="true") == {"邻里纠纷"}
    assert listed(client, overdue="false") == {"路灯坏了", "网上反映噪音"}
    assert listed(client, due_by=timezone.localdate().isoformat()) == {"邻里纠纷"}
    assert listed(client, due_by=(timezone.localdate() - timedelta(days=3)).isoformat()) == set()
    # The walk-in has no village: the town its room is in holds it (the dashboard's 未落到村 row).
    assert listed(client, unplaced_in=queue["other_village"].parent_id) == {"路灯坏了"}


def _received_and_closed(matter: Matter, *, received: int, closed: tuple[int, ...] = ()) -> None:
    """Backdate the matter's registration and give it closing steps, `received` and `closed` days ago."""
    now = timezone.now()
    QuerySet(model=Matter).filter(pk=matter.pk).update(created_at=now - timedelta(days=received))
    for days in closed:
        event = MatterEvent.objects.create(
            matter=matter, from_state=Matter.State.HANDLING, to_state=Matter.State.CLOSED
        )
        QuerySet(model=MatterEvent).filter(pk=event.pk).update(at=now - timedelta(days=days))


def test_queue_filters_by_the_days_received_and_the_days_closed(client, duty, queue):
    old = walk_in(duty, "旧事")
    # Closed 35 days ago, reopened, and closed again 5 days ago.
    _received_and_closed(old, received=40, closed=(35, 5))
    client.force_login(duty)
    today = timezone.localdate()

    def day(days_ago: int) -> str:
        return (today - timedelta(days=days_ago)).isoformat()

    assert listed(client, received_from=day(3)) == {"路灯坏了", "邻里纠纷", "网上反映噪音"}
    assert listed(client, received_to=day(30)) == {"旧事"}
    assert listed(client, closed_from=day(7), closed_to=day(0)) == {"旧事"}
    assert listed(client, closed_from=day(40), closed_to=day(30)) == {"旧事"}
    # Both bounds hold for one closing: neither of its two closings lies between 20 and 10 days ago.
    assert listed(client, closed_from=day(20), closed_to=day(10)) == set()
    # the list says how many, and that a matter reopened since is one of them
    page = client.get(reverse("feedback:matter_list"), {"queue": "all", "closed_from": day(7), "closed_to": day(0)})
    assert "共 1 件,包括期间办结后又重新办理、现在未办结的。" in page.content.decode()


def test_queue_filters_by_the_stage_reached_and_the_unclassified(client, duty, queue):
    merged = walk_in(duty, "重复反映路灯")
    Matter.objects.filter(pk=merged.pk).update(state=Matter.State.MERGED, duplicate_of=queue["lamp"])
    client.force_login(duty)
    # 已走到阶段: every matter but the merged one has been reported; only the dispatched one has been analysed.
    assert listed(client, reached="reported") == {"路灯坏了", "邻里纠纷", "网上反映噪音"}
    assert listed(client, reached="analysed") == listed(client, reached="dispatched") == {"邻里纠纷"}
    assert listed(client, reached="handling") == set()
    assert listed(client, category="unclassified") == {"路灯坏了", "网上反映噪音", "重复反映路灯"}


def test_queue_search_finds_by_reference_card_resident_and_text(client, duty, queue):
    client.force_login(duty)
    assert listed(client, q=queue["lamp"].reference) == {"路灯坏了"}
    assert listed(client, q=queue["card"].number.lower()) == {"网上反映噪音"}
    assert listed(client, q="张大姐") == {"路灯坏了"}  # the walk-in's resident
    assert listed(client, q="孙户主") == {"邻里纠纷"}  # the household head
    assert listed(client, q="噪音") == {"网上反映噪音"}
    assert listed(client, q="5678") == {"路灯坏了"}  # the resident's phone


def test_a_searched_phone_is_echoed_back_masked(client, duty, queue):
    client.force_login(duty)
    body = client.get(reverse("feedback:matter_list"), {"queue": "all", "q": "13912345678"}).content.decode()
    assert "139****5678" in body and 'value="13912345678"' not in body


def test_filters_stay_within_the_queue_and_the_users_sight(client, duty, charlie, queue):
    client.force_login(duty)
    assert listed(client, queue="to_process", state="dispatched") == set()
    client.force_login(charlie)
    assert listed(client, q=queue["lamp"].reference) == set()
    fields = client.get(reverse("feedback:matter_list")).context["filter"].form.fields
    assert queue["other_village"] not in fields["village"].queryset
    assert queue["other_village"].parent not in fields["unplaced_in"].queryset


def test_no_match_says_what_to_do_next(client, duty, queue):
    client.force_login(duty)
    body = client.get(reverse("feedback:matter_list"), {"queue": "all", "q": "不存在的事"}).content.decode()
    assert "没有符合条件的诉求" in body and "清除筛选" in body


def test_filtered_queue_stays_bounded_in_queries(client, duty, queue, django_assert_max_num_queries):
    for n in range(30):
        walk_in(duty, f"事项{n}")
    client.force_login(duty)
    params = {"queue": "all", "state": "reported", "channel": "talk_room", "village": queue["other_village"].pk}
    with django_assert_max_num_queries(MATTER_LIST_QUERIES):
        client.get(reverse("feedback:matter_list"), params)
    with django_assert_max_num_queries(MATTER_LIST_QUERIES):
        response = client.get(reverse("feedback:matter_list"), {"queue": "all", "q": "事项"})
    assert response.context["page"].paginator.count == 30


# Issue #8 (phase 3): each queue for whom it is, in an order that puts the work first.


def test_the_county_wide_departments_open_on_every_matter_not_on_an_empty_queue_of_their_own(client, alice, queue):
    client.force_login(alice)
    assert client.get(reverse("feedback:matter_list")).context["queue"] == "mine"
    for role in (User.Role.LEGAL, User.Role.EVALUATOR):
        client.force_login(UserFactory(role=role))
        page = client.get(reverse("feedback:matter_list"))
        assert page.context["queue"] == "all" and page.context["page"].object_list
        assert client.get(reverse("feedback:matter_list"), {"queue": "mine"}).context["queue"] == "mine"


def test_the_dispatch_queue_is_offered_only_to_those_who_dispatch(client, duty, alice, bob, queue):
    client.force_login(alice)
    page = client.get(reverse("feedback:matter_list"))
    assert "to_process" not in page.context["queues"] and "待研判/分流" not in page.content.decode()
    # Asked for anyway, the officer gets her own queue, not a queue that is never hers.
    assert client.get(reverse("feedback:matter_list"), {"queue": "to_process"}).context["queue"] == "mine"
    for dispatcher in (duty, bob):
        client.force_login(dispatcher)
        page = client.get(reverse("feedback:matter_list"), {"queue": "to_process"})
        assert page.context["queue"] == "to_process" and "待研判/分流" in page.content.decode()


def test_an_empty_dispatch_queue_names_the_unit_it_covers(client, duty):
    client.force_login(duty)
    body = client.get(reverse("feedback:matter_list"), {"queue": "to_process"}).content.decode()
    assert f"{duty.unit}没有待研判、分流的诉求" in body


def test_all_lists_open_matters_first_then_by_deadline_then_newest(client, duty):
    now = timezone.now()
    closed = walk_in(duty, "九月已办结")
    Matter.objects.filter(pk=closed.pk).update(
        state="closed", result="已答复", deadline=None, created_at=now - timedelta(days=60)
    )
    no_deadline_old = walk_in(duty, "未定期限旧")
    Matter.objects.filter(pk=no_deadline_old.pk).update(created_at=now - timedelta(days=2))
    walk_in(duty, "未定期限新")
    later = walk_in(duty, "期限晚")
    sooner = walk_in(duty, "期限早")
    Matter.objects.filter(pk=later.pk).update(state="dispatched", deadline=now + timedelta(days=5))
    Matter.objects.filter(pk=sooner.pk).update(state="dispatched", deadline=now - timedelta(days=1))
    client.force_login(duty)
    page = client.get(reverse("feedback:matter_list"), {"queue": "all"})
    order = [matter.content for matter in page.context["page"].object_list]
    assert order == ["期限早", "期限晚", "未定期限新", "未定期限旧", "九月已办结"]


def test_my_matters_include_what_i_reported_while_open_and_overdue_comes_first(client, alice, alice_household):
    reported = services.matter_register(
        channel=Matter.Channel.VISIT, content="走访听到的诉求", unit=alice.unit, actor=alice, household=alice_household
    )
    closed = services.matter_register(
        channel=Matter.Channel.VISIT,
        content="已办结的走访诉求",
        unit=alice.unit,
        actor=alice,
        household=alice_household,
    )
    Matter.objects.filter(pk=closed.pk).update(state="closed", result="已答复")
    overdue = services.matter_register(
        channel=Matter.Channel.VISIT, content="超期的诉求", unit=alice.unit, actor=None, household=alice_household
    )
    Matter.objects.filter(pk=overdue.pk).update(
        state="dispatched", assignee=alice, deadline=timezone.now() - timedelta(days=1)
    )
    client.force_login(alice)
    page = client.get(reverse("feedback:matter_list"))
    assert [m.content for m in page.context["page"].object_list] == ["超期的诉求", reported.content]


def test_search_finds_a_card_by_its_sequence_as_the_hand_out_form_takes_it(client, duty, queue):
    client.force_login(duty)
    sequence = queue["card"].sequence
    assert listed(client, q=f"{sequence:06d}") == {"网上反映噪音"}
    assert listed(client, q=str(sequence)) == {"网上反映噪音"}


def test_search_takes_a_reference_typed_with_spaces(client, duty, queue):
    client.force_login(duty)
    reference = queue["lamp"].reference
    assert listed(client, q=f"{reference[:4]} {reference[4:8]} {reference[8:]}") == {"路灯坏了"}


def test_a_search_that_finds_nothing_in_my_tab_points_to_the_matches_under_all(client, duty, queue):
    colleague = UserFactory(role=User.Role.DUTY_OFFICER, unit=duty.unit)
    walk_in(colleague, "井盖丢了")
    client.force_login(duty)
    response = client.get(reverse("feedback:matter_list"), {"queue": "mine", "q": "井盖"})
    body = response.content.decode()
    assert "“我的诉求”中没有符合条件的诉求" in body and "在“全部”中有 1 件符合条件" in body
    followed = client.get(reverse("feedback:matter_list") + "?" + response.context["elsewhere"]["query"])
    assert followed.context["queue"] == "all"
    assert [matter.content for matter in followed.context["page"].object_list] == ["井盖丢了"]
    # Nothing anywhere: no link, the usual advice.
    body = client.get(reverse("feedback:matter_list"), {"queue": "mine", "q": "不存在的事"}).content.decode()
    assert 'data-testid="found-in-all"' not in body and "清除筛选" in body


def test_a_leader_sees_the_talk_room_matters_of_their_town_and_a_cadre_does_not(client, duty, village_a, village_b):
    from feedback.scopes import matters_visible_to
    from tests.conftest import log_in_as
    from tests.core.factories import AreaLinkFactory

    here = walk_in(duty, "儿子打工被拖欠工资")
    elsewhere_duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_b.unit)
    elsewhere = walk_in(elsewhere_duty, "西关镇的事")
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    cadre = UserFactory(role=User.Role.CADRE)
    AreaLinkFactory(user=cadre, area=village_a)
    assert set(matters_visible_to(leader)) == {here}
    assert elsewhere not in matters_visible_to(leader) and here not in matters_visible_to(cadre)
    log_in_as(client, leader)
    assert client.get(here.get_absolute_url()).status_code == 200
    assert client.get(elsewhere.get_absolute_url()).status_code == 404


def test_a_matter_dispatched_to_a_unit_with_no_officer_named_waits_in_its_officers_lists(
    client, duty, alice, charlie, village_a
):
    colleague = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, name="钱同事")
    matter = walk_in(duty, "路口红绿灯不亮")
    services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=village_a.unit)

    def mine(user):
        client.force_login(user)
        return [m.content for m in client.get(reverse("feedback:matter_list")).context["page"].object_list]

    assert "路口红绿灯不亮" in mine(alice) and "路口红绿灯不亮" in mine(colleague)
    assert 'data-testid="unclaimed"' in client.get(reverse("feedback:matter_list")).content.decode()
    # Listed, so opened: a walk-in has no household through which the officer would see it otherwise.
    assert client.get(matter.get_absolute_url()).status_code == 200
    assert "路口红绿灯不亮" not in mine(charlie)  # another unit's officer
    assert client.get(matter.get_absolute_url()).status_code == 404
    # Whoever starts it handles it: it leaves the others' lists.
    started = services.matter_start(matter=matter, actor=colleague)
    assert started.assignee == colleague and started.events.last().note == "开始处理,由钱同事承办"
    # Its ledger item is the handler's now, with a history row saying so, and entered in the ledger by him; its
    # deadline stays.
    item = LedgerItem.objects.get(matter=matter)
    notes = [event.note for event in item.events.order_by("pk")][-2:]
    assert item.responsible == colleague and notes == ["钱同事开始处理,改由其负责", "登记入账(诉求开始处理)"]
    assert item.state == "registered"
    assert "路口红绿灯不亮" in mine(colleague) and "路口红绿灯不亮" not in mine(alice)


def test_a_matter_handled_again_after_closing_says_so_in_the_list(client, duty):
    matter = walk_in(duty, "噪音还是没解决")
    services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=matter, actor=duty)
    services.matter_close(matter=matter, actor=duty, result="已协调", reply_method="in_person")
    client.force_login(duty)
    assert (
        'data-testid="reopened"' not in client.get(reverse("feedback:matter_list"), {"queue": "all"}).content.decode()
    )
    services.matter_reopen(matter=matter, actor=None, reason="群众评价不满意")
    body = client.get(reverse("feedback:matter_list")).content.decode()
    assert "噪音还是没解决" in body and 'data-testid="reopened"' in body


def test_what_i_reported_leaves_my_matters_when_its_household_is_handed_over(client, alice, bob, alice_household):
    # Handover 14c: 我的诉求 listed a matter reported on a visit to a household since handed to another officer,
    # and opening it was a 404.
    reported = services.matter_register(
        channel=Matter.Channel.VISIT, content="走访听到的诉求", unit=alice.unit, actor=alice, household=alice_household
    )
    client.force_login(alice)
    assert [m.content for m in client.get(reverse("feedback:matter_list")).context["page"].object_list] == [
        reported.content
    ]
    link = alice_household.links.get()
    link.end_date = timezone.localdate() - timedelta(days=1)
    link.save()

    assert list(client.get(reverse("feedback:matter_list")).context["page"].object_list) == []
    assert client.get(reported.get_absolute_url()).status_code == 404
