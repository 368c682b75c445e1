import pytest
from django.urls import reverse

from feedback.models import Matter, TopicVisit
from feedback.services import matter_register
from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, UserFactory
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


def create_topic(client, staff):
    return client.post(
        reverse("feedback:topic_visit_create"),
        {
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

    page = client.get(topic.get_absolute_url())
    offered = list(page.context["add_form"].fields["matters"].queryset)
    assert stolen in offered and unrelated not in offered

    client.post(reverse("feedback:topic_visit_add_matters", args=[topic.pk]), {"matters": [stolen.pk]})
    item = topic.items.get()
    client.post(
        reverse("feedback:topic_visit_solution", args=[item.pk]),
        {"people_met": "户主及邻居", "solution": "夜间增加巡逻,村口加装监控"},
    )
    item.refresh_from_db()
    assert item.agreed_solution == "夜间增加巡逻,村口加装监控"
    visit = item.visit
    assert visit.kind == Visit.Kind.TOPIC and visit.household == alice_household and not visit.is_outside_links
    assert "夜间增加巡逻" in client.get(topic.get_absolute_url()).content.decode()


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


def test_invalid_topic_visit_form_keeps_what_was_typed(client, leader):
    response = client.post(reverse("feedback:topic_visit_create"), {"title": "只填了主题"})
    assert response.status_code == 400
    assert "只填了主题" in response.content.decode()


def test_legal_department_reads_every_topic_visit(client, leader, alice_household):
    create_topic(client, staff=[])
    log_in_as(client, UserFactory(role=User.Role.LEGAL))
    topic = TopicVisit.objects.get()
    assert client.get(reverse("feedback:topic_visit_list")).status_code == 200
    assert client.get(topic.get_absolute_url()).status_code == 200
