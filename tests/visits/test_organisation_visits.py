"""单位走访: an officer visits the organisations linked to them as they visit households. alice is linked to a
school of her village; bob heads her station; charlie is an officer of another station."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Matter
from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import OrganisationFactory, OrganisationLinkFactory, UserFactory
from tests.visits.factories import OrganisationVisitFactory
from visits.models import Finding, Visit
from visits.services import FindingInput, VisitError, organisation_visit_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(alice, village_a):
    organisation = OrganisationFactory(
        village=village_a, name="东湖小学", contact_name="王校长", phone="13800001111", address="东湖村3组"
    )
    OrganisationLinkFactory(officer=alice, organisation=organisation)
    return organisation


def _details(**overrides):
    return {
        "visited_at": timezone.now() - timedelta(minutes=5),
        "people_met": "王校长",
        "opinions": "",
        "result": "",
        **overrides,
    }


def test_an_officer_logs_a_visit_to_her_organisation_with_findings_and_requests(alice, school):
    visit, created = organisation_visit_log(
        visitor=alice,
        organisation=school,
        submission_key=uuid.uuid4(),
        details=_details(),
        findings=[FindingInput(Finding.Kind.CASE_CLUE, "校门口有人兜售来路不明的电动车")],
        requests=["放学时段校门口需要护学岗"],
    )
    assert created
    assert (visit.organisation, visit.household, visit.village, visit.kind) == (school, None, school.village, "day")
    assert visit.findings.get().kind == Finding.Kind.CASE_CLUE
    matter = Matter.objects.get(visit=visit)
    assert matter.household is None and matter.unit == school.village.unit
    assert (matter.resident_name, matter.resident_phone) == ("王校长", "13800001111")


def test_the_same_form_sent_twice_records_one_visit(alice, school):
    key = uuid.uuid4()
    first, _ = organisation_visit_log(visitor=alice, organisation=school, submission_key=key, details=_details())
    second, created = organisation_visit_log(visitor=alice, organisation=school, submission_key=key, details=_details())
    assert second == first and not created
    assert Visit.objects.count() == 1


def test_an_officer_cannot_log_a_visit_to_another_officers_organisation(charlie, school):
    with pytest.raises(VisitError, match="不在您的联系范围内"):
        organisation_visit_log(visitor=charlie, organisation=school, submission_key=uuid.uuid4(), details=_details())


def test_a_visit_before_the_link_began_is_refused(alice, village_a):
    newer = OrganisationFactory(village=village_a)
    OrganisationLinkFactory(officer=alice, organisation=newer, start_date=timezone.localdate())
    yesterday = timezone.now() - timedelta(days=1)
    with pytest.raises(VisitError, match="联系开始日期"):
        organisation_visit_log(
            visitor=alice, organisation=newer, submission_key=uuid.uuid4(), details=_details(visited_at=yesterday)
        )


def test_the_officer_finds_her_organisations_beside_her_households(client, alice, school, village_a):
    OrganisationFactory(village=village_a, name="别人的厂")  # linked to nobody: not hers
    log_in_as(client, alice)
    home = client.get(reverse("home")).content.decode()
    assert reverse("visits:organisation_list") in home
    response = client.get(reverse("visits:organisation_list"))
    assert list(response.context["page"].object_list) == [school]
    assert "从未走访" in response.content.decode()


def test_the_head_sees_his_areas_organisations(client, bob, school):
    log_in_as(client, bob)
    assert list(client.get(reverse("visits:organisation_list")).context["page"].object_list) == [school]


def test_another_stations_officer_sees_none_and_gets_404(client, charlie, school):
    log_in_as(client, charlie)
    response = client.get(reverse("visits:organisation_list"))
    assert not response.context["page"].object_list
    assert "您还没有联系单位" in response.content.decode()
    assert client.get(reverse("visits:organisation_detail", args=[school.pk])).status_code == 404
    assert client.get(reverse("visits:organisation_visit_create", args=[school.pk])).status_code == 404


def test_the_visit_form_saves_a_visit_and_the_pages_show_it(client, alice, school):
    log_in_as(client, alice)
    url = reverse("visits:organisation_visit_create", args=[school.pk])
    form = client.get(url).context["form"]
    data = {
        "submission_key": form.initial["submission_key"],
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "people_met": "王校长、保卫科长",
        "opinions": "希望加强放学时段巡逻",
        "requests": "校门口路灯不亮",
        "stability": "",
        "dispute": "",
        "case_clue": "",
        "problem_solved": "",
        "result": "已联系供电所",
    }
    response = client.post(url, data, follow=True)
    visit = Visit.objects.get()
    assert response.redirect_chain[-1][0] == visit.get_absolute_url()
    page = response.content.decode()
    assert "东湖小学" in page and "走访已记录" in page and "校门口路灯不亮" in page
    again = client.post(url, data, follow=True)
    assert "没有重复记录" in again.content.decode() and Visit.objects.count() == 1
    diary = client.get(reverse("visits:diary")).content.decode()
    assert "东湖小学" in diary
    detail = client.get(reverse("visits:organisation_detail", args=[school.pk])).content.decode()
    assert "王校长、保卫科长" in detail and "138****1111" in detail and "13800001111" not in detail


def test_a_bad_time_is_a_form_error_not_a_visit(client, alice, school):
    log_in_as(client, alice)
    url = reverse("visits:organisation_visit_create", args=[school.pk])
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"submission_key": uuid.uuid4(), "visited_at": tomorrow, "people_met": "门卫"})
    assert response.status_code == 400 and "不能晚于现在" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_list_keeps_its_query_count(client, alice, village_a, django_assert_max_num_queries):
    for _ in range(15):
        organisation = OrganisationFactory(village=village_a)
        OrganisationLinkFactory(officer=alice, organisation=organisation)
        OrganisationVisitFactory(organisation=organisation, visitor=alice)
    log_in_as(client, alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:organisation_list")).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("visits:organisation_detail", args=[organisation.pk])).status_code == 200


def test_the_visit_page_of_an_organisation_visit_does_not_assume_a_household(client, alice, bob, school):
    visit = OrganisationVisitFactory(organisation=school, visitor=alice)
    for user in (alice, bob):
        log_in_as(client, user)
        page = client.get(visit.get_absolute_url())
        assert page.status_code == 200
        assert "东湖小学" in page.content.decode() and "该户时间线" not in page.content.decode()


def test_a_cadre_of_the_village_sees_its_organisations_but_an_auditor_does_not(client, school, village_a):
    from tests.core.factories import AreaLinkFactory

    cadre = AreaLinkFactory(area=village_a).user
    log_in_as(client, cadre)
    assert client.get(reverse("visits:organisation_detail", args=[school.pk])).status_code == 200
    auditor = UserFactory(role=User.Role.AUDITOR)
    log_in_as(client, auditor)
    assert client.get(reverse("visits:organisation_detail", args=[school.pk])).status_code == 404


def test_the_pages_reached_from_a_visit_do_not_assume_a_household(client, alice, school):
    from tests.evaluation.factories import evaluator

    visit = OrganisationVisitFactory(organisation=school, visitor=alice)
    log_in_as(client, alice)
    page = client.get(visit.get_absolute_url()).content.decode()
    # No echo card, contact card or ledger item: those are a household's.
    assert reverse("feedback:card_hand_out", args=[visit.pk]) not in page
    assert reverse("ledger:item_open_for_visit", args=[visit.pk]) not in page
    assert client.get(reverse("ledger:item_open_for_visit", args=[visit.pk])).status_code == 403
    assert client.get(reverse("feedback:card_hand_out", args=[visit.pk])).status_code == 403
    log_in_as(client, evaluator())
    assert client.get(reverse("evaluation:field_check_for_visit", args=[visit.pk])).status_code == 200


def test_the_officers_home_page_lists_her_organisations_due_a_visit(client, alice, charlie, school):
    log_in_as(client, alice)
    queues = {queue.key: queue for queue in client.get(reverse("home")).context["queues"]}
    assert [item.title for item in queues["due_organisations"].items] == ["东湖小学"]
    OrganisationVisitFactory(organisation=school, visitor=alice)
    queues = {queue.key: queue for queue in client.get(reverse("home")).context["queues"]}
    assert queues["due_organisations"].count == 0
    # An officer without organisations is not told that they are all visited.
    log_in_as(client, charlie)
    assert "due_organisations" not in {queue.key for queue in client.get(reverse("home")).context["queues"]}


def test_coverage_shows_organisations_beside_the_households_and_keeps_them_out(client, bob, alice, school):
    OrganisationVisitFactory(organisation=school, visitor=alice)
    OrganisationVisitFactory(organisation=school, visitor=alice)
    OrganisationFactory(village=school.village)  # never visited
    log_in_as(client, bob)
    response = client.get(reverse("visits:coverage"))
    assert (response.context["organisations"].organisations, response.context["organisations"].visited) == (2, 1)
    assert response.context["totals"].visited == 0  # no household was visited
    assert "单位 2 个,期间走访 1 个" in response.content.decode()
