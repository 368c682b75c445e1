import uuid
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Matter, TopicMonth, TopicVisit
from feedback.services import matter_analyse, matter_dispatch, matter_register, topic_visit_create_once
from jingshi_jiafang.core.models import User
from ledger.models import LedgerItem
from ledger.services import ledger_item_close, ledger_item_deliver, ledger_item_register
from tests.conftest import log_in_as, run_at_once
from tests.core.factories import (
    AreaLinkFactory,
    BureauFactory,
    HouseholdFactory,
    StationFactory,
    UserFactory,
    VillageFactory,
)
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client, village_a):
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    return log_in_as(client, leader)


def register(household, content, category=""):
    matter = matter_register(
        channel=Matter.Channel.VISIT, content=content, unit=household.village.unit, actor=None, household=household
    )
    if category:
        Matter.objects.filter(pk=matter.pk).update(category=category)
    return matter


def dispatch_to(matter, officer):
    """The matter analysed and dispatched to `officer` by a duty officer of the matter's police room."""
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=matter.unit)
    matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    return matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=officer)


def form_key(client, url=None) -> str:
    """The key of the form as the page shows it."""
    page = client.get(url or reverse("feedback:topic_visit_create"))
    return str(page.context["form"].initial["submission_key"])


def create_topic(client, staff, key=None):
    return client.post(
        reverse("feedback:topic_visit_create"),
        {
            "submission_key": key or form_key(client),
            "title": "电动车防盗专题",
            "category": "public_security",
            "month": "2026-11",
            "departments": "治安大队、城东派出所",
            "staff": [person.pk for person in staff],
        },
    )


def test_leader_runs_a_topic_visit_from_matters_to_agreed_solutions(client, leader, alice, alice_household):
    stolen = register(alice_household, "村东头连续丢了三辆电动车")
    unrelated = register(alice_household, "户口本出生日期错了", category="law_enforcement")
    response = create_topic(client, staff=[alice])
    topic = TopicVisit.objects.get()
    assert response["Location"] == topic.get_absolute_url()
    assert topic.month.day == 1 and list(topic.staff.all()) == [alice]
    assert f"参加人员:{alice}({alice.unit}" in client.get(topic.get_absolute_url()).content.decode()

    page = client.get(topic.get_absolute_url())
    offered = list(page.context["add_form"].fields["matters"].queryset)
    assert stolen in offered and unrelated not in offered

    client.post(reverse("feedback:topic_visit_add_matters", args=[topic.pk]), {"matters": [stolen.pk]})
    item = topic.items.get()
    client.post(
        reverse("feedback:topic_visit_solution", args=[item.pk]),
        {f"item{item.pk}-people_met": "户主及邻居", f"item{item.pk}-solution": "夜间增加巡逻,村口加装监控"},
    )
    item.refresh_from_db()
    assert item.agreed_solution == "夜间增加巡逻,村口加装监控"
    visit = item.visit
    assert visit.kind == Visit.Kind.TOPIC and visit.household == alice_household and not visit.is_outside_links
    assert "夜间增加巡逻" in client.get(topic.get_absolute_url()).content.decode()


def test_a_refused_solution_keeps_what_was_typed_on_its_own_items_form(client, leader, alice_household):
    matters = [register(alice_household, "村东头连续丢了三辆电动车"), register(alice_household, "路灯坏了")]
    create_topic(client, staff=[])
    topic = TopicVisit.objects.get()
    client.post(reverse("feedback:topic_visit_add_matters", args=[topic.pk]), {"matters": [m.pk for m in matters]})
    first, second = topic.items.order_by("pk")
    response = client.post(
        reverse("feedback:topic_visit_solution", args=[second.pk]),
        {f"item{second.pk}-people_met": "", f"item{second.pk}-solution": "夜里加两趟巡逻"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "夜里加两趟巡逻" in html and html.count("请填写,如:户主本人、其妻子。") == 1
    assert "这个字段是必填项" not in html
    # each item's fields have their own ids: a label leads to its own item's field
    assert f'id="id_item{first.pk}-solution"' in html and f'id="id_item{second.pk}-solution"' in html
    second.refresh_from_db()
    assert second.agreed_solution == ""


def test_a_talk_room_matter_has_no_home_to_visit_and_is_not_offered(client, leader, village_a):
    from tests.feedback.helpers import walk_in

    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    walked_in = walk_in(duty, "派出所窗口中午不办公")
    Matter.objects.filter(pk=walked_in.pk).update(category="law_enforcement")
    # the leader sees it (a talk room of his town), but a topic visit goes into homes
    assert client.get(walked_in.get_absolute_url()).status_code == 200
    create_topic(client, staff=[])
    topic = TopicVisit.objects.get()
    assert walked_in not in client.get(topic.get_absolute_url()).context["add_form"].fields["matters"].queryset


def test_matters_outside_the_leaders_scope_are_not_offered(client, leader, village_b):
    household = HouseholdFactory(village=village_b)
    matter = register(household, "案子没有进展", category="litigation")
    create_topic(client, staff=[])
    topic = TopicVisit.objects.get()
    # the matter is outside the leader's scope, so it is not offered; the legal department's list would add it
    assert matter not in client.get(topic.get_absolute_url()).context["add_form"].fields["matters"].queryset


def test_only_leaders_create_topic_visits(client, alice):
    client.force_login(alice)
    assert client.get(reverse("feedback:topic_visit_create")).status_code == 403


def test_the_same_form_sent_twice_creates_one_topic_visit(client, leader, alice):
    key = form_key(client)
    first = create_topic(client, staff=[alice], key=key)
    topic = TopicVisit.objects.get()
    again = create_topic(client, staff=[alice], key=key)  # a double tap, or 后退 and 创建 again

    assert first["Location"] == again["Location"] == topic.get_absolute_url()
    assert TopicVisit.objects.count() == 1
    assert "这张表单已经提交过,没有再创建" in client.get(again["Location"]).content.decode()
    assert form_key(client) != key  # the next form shown is a new one
    create_topic(client, staff=[alice])
    assert TopicVisit.objects.count() == 2


def test_a_form_without_its_key_says_to_refresh_the_page(client, leader):
    response = client.post(
        reverse("feedback:topic_visit_create"),
        {"title": "电动车防盗专题", "category": "public_security", "month": "2026-11", "departments": "治安大队"},
    )
    assert response.status_code == 400
    assert response.content.decode().count("页面已过期,请刷新本页后重新填写。") == 1
    assert not TopicVisit.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_form_at_the_same_moment_create_one_topic_visit(village_a):
    leader = UserFactory(role=User.Role.LEADER)
    key = uuid.uuid4()

    def send(_):
        fields = {"title": "专题", "category": "public_security", "month": date(2026, 11, 1), "departments": "治安大队"}
        return topic_visit_create_once(submission_key=key, leader=leader, staff=[], **fields)

    results = run_at_once(send, [1, 2, 3])

    assert not [result for result in results if isinstance(result, Exception)], results
    topic = TopicVisit.objects.get()
    assert sorted(created for _, created in results) == [False, False, True]
    assert {returned.pk for returned, _ in results} == {topic.pk}


def test_invalid_topic_visit_form_keeps_what_was_typed(client, leader):
    response = client.post(reverse("feedback:topic_visit_create"), {"title": "只填了主题"})
    assert response.status_code == 400
    assert "只填了主题" in response.content.decode()
    # An empty 参加部门 says what to write.
    assert "请填写参加入户的部门,如:法制大队" in response.content.decode()


def test_an_empty_solution_says_what_to_write(client, leader, alice_household):
    create_topic(client, staff=[])
    topic = TopicVisit.objects.get()
    matter = register(alice_household, "村东头连续丢了三辆电动车")
    client.post(reverse("feedback:topic_visit_add_matters", args=[topic.pk]), {"matters": [matter.pk]})
    item = topic.items.get()
    response = client.post(
        reverse("feedback:topic_visit_solution", args=[item.pk]),
        {f"item{item.pk}-people_met": "户主本人", f"item{item.pk}-solution": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请写下与群众当面商定的解决办法。" in html and "这个字段是必填项" not in html


def test_participants_are_ticks_grouped_by_unit_and_a_refused_form_keeps_them(client, leader, alice, bob, charlie):
    UserFactory(role=User.Role.AUDITOR, unit=alice.unit)
    namesake = UserFactory(role=User.Role.OFFICER, name=alice.name, unit=charlie.unit)
    response = client.post(reverse("feedback:topic_visit_create"), {"title": "只填了主题", "staff": [namesake.pk]})
    assert response.status_code == 400
    groups = dict(response.context["form"].staff_groups())
    # two people of one name are told apart by the unit they are listed under
    assert (alice, False) in groups[alice.unit.name] and (bob, False) in groups[bob.unit.name]
    assert (namesake, True) in groups[charlie.unit.name]
    html = response.content.decode()
    assert f'value="{namesake.pk}" id="staff-{namesake.pk}" checked' in html
    assert "Ctrl" not in html
    # the administrators keep the system and do not go into homes
    assert not any(person.role == User.Role.AUDITOR for _, people in groups.items() for person, _ in people)


def test_legal_department_reads_every_topic_visit(client, leader, alice_household):
    create_topic(client, staff=[])
    log_in_as(client, UserFactory(role=User.Role.LEGAL))
    topic = TopicVisit.objects.get()
    assert client.get(reverse("feedback:topic_visit_list")).status_code == 200
    assert client.get(topic.get_absolute_url()).status_code == 200


# Starting a topic visit from a month the legal department closed (issue 13).

OCTOBER = date(2026, 10, 1)


def of_october(matter, category, state=Matter.State.ANALYSED, day=10, **fields):
    moment = timezone.make_aware(datetime(2026, 10, day, 9, 0))
    Matter.objects.filter(pk=matter.pk).update(created_at=moment, category=category, state=state, **fields)
    return matter


def close_october():
    TopicMonth.objects.create(month=OCTOBER, closed_by=UserFactory(role=User.Role.LEGAL), matters=0)


@pytest.fixture
def october(village_a, village_b, alice_household):
    """October, closed: in the leader's town two villages with open 涉法涉诉 matters, a closed and a merged one,
    one 治安防范; in the other town an open 涉法涉诉 matter; in November an open 涉法涉诉 matter."""
    second_village = VillageFactory(parent=village_a.parent, unit=village_a.unit, name="南湖村")
    south = HouseholdFactory(village=second_village, head_name="丙户主")
    matters = {
        "lawsuit": of_october(register(alice_household, "官司打赢了钱一直执行不下来"), "litigation"),
        "appeal": of_october(register(alice_household, "判决书看不懂想问问咋上诉"), "litigation", day=12),
        "south": of_october(register(south, "土地纠纷法院立了案没动静"), "litigation"),
        "closed": of_october(register(south, "离婚官司的事已经解决"), "litigation", state="closed", result="已答复"),
        "theft": of_october(register(alice_household, "电动车被偷了"), "public_security"),
        "elsewhere": of_october(register(HouseholdFactory(village=village_b), "案子没有进展"), "litigation"),
        "november": register(alice_household, "十一月的官司"),
    }
    matters["merged"] = of_october(
        register(south, "执行款的事又来问"), "litigation", state="merged", duplicate_of=matters["south"]
    )
    Matter.objects.filter(pk=matters["november"].pk).update(category="litigation")
    close_october()
    return matters


def start_url(**query):
    return f"{reverse('feedback:topic_visit_create')}?{urlencode(query)}"


def test_the_start_page_offers_the_closed_months_topics_with_their_open_matters(client, leader, october):
    page = client.get(reverse("feedback:topic_visit_create"))
    (row,) = page.context["months"]
    counts = {item["label"]: item["open"] for item in row["topics"]}
    # closed and merged matters, the other town's and November's are not counted; 其他 is not a topic to visit on
    assert row["month"] == OCTOBER
    assert counts == {"治安防范": 1, "执法服务": 0, "队伍建设": 0, "涉法涉诉": 3}
    assert start_url(month="2026-10", category="litigation").replace("&", "&amp;") in page.content.decode()


def test_a_picked_topic_groups_its_open_matters_by_village_and_the_ticked_ones_go_along(
    client, leader, october, django_assert_max_num_queries
):
    url = start_url(month="2026-10", category="litigation")
    with django_assert_max_num_queries(12):
        page = client.get(url)
    groups = [(group["village"].name, [m.reference for m in group["matters"]]) for group in page.context["groups"]]
    assert groups == [
        ("东湖村", [october["lawsuit"].reference, october["appeal"].reference]),
        ("南湖村", [october["south"].reference]),
    ]
    html = page.content.decode()
    assert "2026年10月 · 涉法涉诉" in html and "2 件" in html and october["lawsuit"].reference in html
    assert page.context["form"].initial["title"] == "2026年10月涉法涉诉专题家访"

    # the month and topic are fixed by the pick, whatever is posted for them
    response = client.post(
        url,
        {
            "submission_key": form_key(client, url),
            "title": "十月涉法涉诉专题",
            "category": "public_security",
            "month": "2026-11",
            "departments": "法制大队、东关派出所",
            "matters": [october["lawsuit"].pk, october["south"].pk],
        },
    )
    topic = TopicVisit.objects.get()
    assert response["Location"] == topic.get_absolute_url()
    assert (topic.category, topic.month, topic.leader) == ("litigation", OCTOBER, leader)
    assert {item.matter for item in topic.items.all()} == {october["lawsuit"], october["south"]}

    # A second topic visit on the same topic: the matters already taken along say so, and the month's count too.
    again = client.get(url)
    taken = {m.reference for group in again.context["groups"] for m in group["matters"] if m.taken}
    assert taken == {october["lawsuit"].reference, october["south"].reference}
    assert again.content.decode().count('data-testid="taken-along"') == 2
    (row,) = client.get(reverse("feedback:topic_visit_create")).context["months"]
    litigation = next(item for item in row["topics"] if item["category"] == "litigation")
    assert (litigation["open"], litigation["taken"]) == (3, 2)
    # The second visit's own picker says it too.
    client.post(
        url, {"submission_key": form_key(client, url), "title": "十月涉法涉诉专题(二)", "departments": "法制大队"}
    )
    second = TopicVisit.objects.exclude(pk=topic.pk).get()
    picker = client.get(second.get_absolute_url()).content.decode()
    assert f"{october['lawsuit'].reference} {october['lawsuit']}(已列入其他专题家访)" in picker
    assert f"{october['appeal'].reference} {october['appeal']}<" in picker and 'class="form-check-input"' in picker


def test_matters_outside_the_pick_or_the_leaders_town_are_refused(client, leader, october):
    url = start_url(month="2026-10", category="litigation")
    for outside in ("elsewhere", "closed", "theft"):
        response = client.post(
            url,
            {
                "submission_key": form_key(client, url),
                "title": "专题",
                "departments": "法制大队",
                "matters": [october["lawsuit"].pk, october[outside].pk],
            },
        )
        assert response.status_code == 400
        assert "所选诉求不在您的辖区或已办结" in response.content.decode()
    assert not TopicVisit.objects.exists()


def test_a_leader_of_another_town_sees_only_their_towns_matters(client, october, village_b):
    other = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=other, area=village_b.parent)
    log_in_as(client, other)
    page = client.get(start_url(month="2026-10", category="litigation"))
    assert [[m for m in group["matters"]] for group in page.context["groups"]] == [[october["elsewhere"]]]
    assert october["lawsuit"].reference not in page.content.decode()


def test_officers_cannot_start_topic_visits_from_a_closed_month(client, alice, october):
    client.force_login(alice)
    assert client.get(start_url(month="2026-10", category="litigation")).status_code == 403


def test_without_a_closed_month_the_page_says_who_closes_one(client, leader):
    page = client.get(reverse("feedback:topic_visit_create"))
    assert page.context["months"] == []
    assert "法制部门在“类别研判”页" in page.content.decode()


def test_a_month_not_closed_cannot_be_picked(client, leader, alice_household):
    of_october(register(alice_household, "官司的事"), "litigation")
    page = client.get(start_url(month="2026-10", category="litigation"), follow=True)
    assert page.context["groups"] is None and page.context["months"] == []
    assert "尚未关闭" in page.content.decode()


# What was agreed at the home is a promise to keep: it enters the ledger (掌握 → 登记 → 兑现 → 销号).


def _solve(client, topic, matter, solution):
    client.post(reverse("feedback:topic_visit_add_matters", args=[topic.pk]), {"matters": [matter.pk]})
    item = topic.items.get(matter=matter)
    client.post(
        reverse("feedback:topic_visit_solution", args=[item.pk]),
        {f"item{item.pk}-people_met": "户主本人", f"item{item.pk}-solution": solution},
    )
    return item


def test_a_solution_agreed_for_a_matter_not_yet_dispatched_opens_a_ledger_item(client, leader, alice, alice_household):
    stolen = register(alice_household, "村东头连续丢了三辆电动车")
    create_topic(client, staff=[alice])
    topic = TopicVisit.objects.get()
    item = _solve(client, topic, stolen, "村口加装监控,两周内装好")
    ledger_item = LedgerItem.objects.get(matter=stolen)
    assert (ledger_item.source, ledger_item.topic_item, ledger_item.what) == (
        LedgerItem.Source.TOPIC_VISIT,
        item,
        "村口加装监控,两周内装好",
    )
    assert ledger_item.household == alice_household and ledger_item.unit == stolen.unit
    assert ledger_item.deadline == timezone.localdate() + timedelta(days=14)
    # Dispatched afterwards, the matter finds the same item and hands it to its handler.
    dispatch_to(stolen, alice)
    assert LedgerItem.objects.get(matter=stolen).responsible == alice


def test_a_solution_for_a_dispatched_matter_is_written_into_its_ledger_item(client, leader, alice, alice_household):
    stolen = register(alice_household, "村东头连续丢了三辆电动车")
    dispatch_to(stolen, alice)
    create_topic(client, staff=[alice])
    item = _solve(client, TopicVisit.objects.get(), stolen, "夜间增加巡逻")
    ledger_item = LedgerItem.objects.get(matter=stolen)
    assert ledger_item.topic_item == item and ledger_item.responsible == alice
    assert ledger_item.events.order_by("pk").last().note == "专题家访“电动车防盗专题”入户商定:夜间增加巡逻"


def test_a_solution_for_a_matter_whose_item_was_kept_takes_the_item_up_anew(
    client, leader, alice, bob, alice_household
):
    """Most matters a topic visit takes up are of a closed month, their items kept and closed: the new promise
    sends the item back to 登记, due anew, so that it is kept and closed again — not a broken promise."""
    stolen = register(alice_household, "村东头连续丢了三辆电动车")
    dispatch_to(stolen, alice)
    kept = LedgerItem.objects.get(matter=stolen)
    ledger_item_register(item=kept, actor=alice)
    ledger_item_deliver(item=kept, actor=alice, note="已走访宣传防盗")
    ledger_item_close(item=kept, actor=bob)

    create_topic(client, staff=[alice])
    _solve(client, TopicVisit.objects.get(), stolen, "村口加装监控,两周内装好")

    kept.refresh_from_db()
    assert kept.state == LedgerItem.State.REGISTERED and kept.reopened_count == 0
    assert (kept.delivered_by, kept.closed_by) == (None, None)
    assert kept.deadline == timezone.localdate() + timedelta(days=14)
    last = kept.events.order_by("pk").last()
    assert (last.from_state, last.to_state) == ("closed", "registered")
    assert last.note == "专题家访“电动车防盗专题”入户商定:村口加装监控,两周内装好"


def test_an_agreed_solution_leads_to_its_ledger_item(client, leader, alice, alice_household):
    # The page said the agreement was entered in the ledger, but led only to the home visit: the leader could not
    # follow the promise he had just made to where it is kept and closed.
    stolen = register(alice_household, "村东头连续丢了三辆电动车")
    create_topic(client, staff=[alice])
    topic = TopicVisit.objects.get()
    _solve(client, topic, stolen, "村口加装监控,两周内装好")
    ledger_item = LedgerItem.objects.get(matter=stolen)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert f'href="{ledger_item.get_absolute_url()}"' in html
    assert client.get(ledger_item.get_absolute_url()).status_code == 200


def test_the_leader_takes_people_of_their_own_county_only(client, leader, alice):
    stranger = UserFactory(unit=StationFactory(parent=BureauFactory(code="SQ", name="泗阳县公安局")), name="外县民警")

    page = client.get(reverse("feedback:topic_visit_create")).content.decode()
    response = create_topic(client, staff=[alice, stranger])

    assert "外县民警" not in page and alice.name in page
    assert response.status_code == 400 and not TopicVisit.objects.exists()


def test_a_solution_sent_twice_is_recorded_once(client, leader, alice, alice_household):
    # A double tap on 记录解决办法 (or 后退 and 记录 again) wrote the agreement into the ledger item's history a
    # second time, and a second, different text would have replaced the one agreed at the home.
    stolen = register(alice_household, "村东头连续丢了三辆电动车")
    dispatch_to(stolen, alice)
    create_topic(client, staff=[alice])
    topic = TopicVisit.objects.get()
    item = _solve(client, topic, stolen, "夜间增加巡逻")
    ledger_item = LedgerItem.objects.get(matter=stolen)
    events = ledger_item.events.count()

    again = client.post(
        reverse("feedback:topic_visit_solution", args=[item.pk]),
        {f"item{item.pk}-people_met": "户主本人", f"item{item.pk}-solution": "夜间增加巡逻,再装监控"},
        follow=True,
    )

    item.refresh_from_db()
    assert item.agreed_solution == "夜间增加巡逻"
    assert ledger_item.events.count() == events
    assert Visit.objects.filter(household=alice_household, kind=Visit.Kind.TOPIC).count() == 1
    assert again.redirect_chain[-1][0] == topic.get_absolute_url()
    assert "该诉求的解决办法已经记录过" in again.content.decode()
