"""实地考核: recording a check of a visit or a ledger item, who may, the list, the household timeline and the
false visits it gives scores."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from evaluation.models import FieldCheck
from evaluation.selectors.field_checks import field_check_false_visits
from evaluation.services.field_checks import FieldCheckError, field_check_record
from jingshi_jiafang.core.models import AuditEntry, User
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import AreaLinkFactory, UserFactory
from tests.evaluation.factories import EvaluatorFactory
from tests.ledger.helpers import open_item
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator():
    return EvaluatorFactory()


@pytest.fixture
def visit(alice, alice_household):
    return VisitFactory(visitor=alice, household=alice_household)


def _check(evaluator, *, result="not_true", **source):
    return field_check_record(
        actor=evaluator,
        place="东湖村三组",
        check_date=timezone.localdate(),
        result=result,
        findings="户主说这个月没有民警上门。",
        **source,
    )


def test_evaluator_records_a_false_visit_from_the_visit_page(client, evaluator, visit, alice):
    log_in_as(client, evaluator)
    visit_page = client.get(visit.get_absolute_url()).content.decode()
    url = reverse("evaluation:field_check_for_visit", args=[visit.pk])
    assert url in visit_page
    response = client.post(
        url,
        {
            "place": "东湖村三组",
            "check_date": timezone.localdate().isoformat(),
            "result": "not_true",
            "findings": "户主说这个月没有民警上门。",
        },
    )
    check = FieldCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == check.get_absolute_url()
    assert (check.visit, check.worker, check.unit, check.household) == (visit, alice, visit.unit, visit.household)
    assert check.is_false_visit and check.checked_by == evaluator
    entry = AuditEntry.objects.get(object_type="evaluation.FieldCheck")
    assert entry.detail["to"] == "not_true"
    listed = client.get(reverse("evaluation:field_check_list")).content.decode()
    assert "户主说这个月没有民警上门" in listed and "不属实" in listed


def test_a_visit_is_checked_once(evaluator, visit):
    _check(evaluator, visit=visit)
    with pytest.raises(FieldCheckError, match="已经做过实地考核"):
        _check(evaluator, visit=visit, result="true")
    assert FieldCheck.objects.count() == 1


def test_a_checked_visit_offers_no_second_form(client, evaluator, visit):
    _check(evaluator, visit=visit)
    log_in_as(client, evaluator)
    page = client.get(reverse("evaluation:field_check_for_visit", args=[visit.pk])).content.decode()
    assert "已有实地考核" in page and "保存实地考核" not in page


def test_a_ledger_item_is_checked_from_its_page(client, evaluator, alice, alice_household):
    item = open_item(alice, alice_household)
    log_in_as(client, evaluator)
    url = reverse("evaluation:field_check_for_ledger_item", args=[item.pk])
    assert url in client.get(item.get_absolute_url()).content.decode()
    form = client.get(url)
    assert form.context["form"].initial["place"] == alice_household.address
    response = client.post(
        url,
        {
            "place": "村委会",
            "check_date": timezone.localdate().isoformat(),
            "result": "partly_true",
            "findings": "已报民政所,补助未到。",
        },
    )
    assert response.status_code == 302
    check = FieldCheck.objects.get()
    assert (check.source, check.ledger_item, check.worker, check.result) == ("ledger_item", item, alice, "partly_true")


def test_the_form_says_what_is_missing_and_refuses_a_future_date(client, evaluator, visit):
    log_in_as(client, evaluator)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("evaluation:field_check_for_visit", args=[visit.pk]), {"place": "", "check_date": tomorrow}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写核查地点" in page and "请选择核查结论" in page and "日期超出范围" in page
    assert not FieldCheck.objects.exists()


def test_only_the_evaluation_centre_records_field_checks(client, alice, visit, charlie):
    log_in_as(client, alice)
    assert client.get(reverse("evaluation:field_check_for_visit", args=[visit.pk])).status_code == 403
    assert client.get(reverse("evaluation:field_check_list")).status_code == 403
    log_in_as(client, charlie)
    assert client.get(reverse("evaluation:field_check_for_visit", args=[visit.pk])).status_code == 404
    with pytest.raises(FieldCheckError, match="民意访评中心"):
        _check(alice, visit=visit)
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=visit.village.parent)
    log_in_as(client, leader)
    assert client.get(reverse("evaluation:field_check_list")).status_code == 403


def test_field_checks_show_on_the_household_timeline(client, evaluator, visit, alice):
    _check(evaluator, visit=visit)
    log_in_as(client, alice)
    page = client.get(visit.household.get_absolute_url()).content.decode()
    assert "实地考核(家访):不属实" in page


def test_false_visits_are_the_visits_found_not_true_by_the_day_of_the_visit(evaluator, alice, alice_household):
    today = timezone.localdate()
    false_visit = VisitFactory(visitor=alice, household=alice_household)
    true_visit = VisitFactory(visitor=alice, household=alice_household)
    item = open_item(alice, alice_household)
    _check(evaluator, visit=false_visit)
    _check(evaluator, visit=true_visit, result="true")
    _check(evaluator, ledger_item=item)  # an item found not true is no false visit
    day = timezone.localtime(false_visit.visited_at).date()
    found = field_check_false_visits(start=day, end=today)
    assert [check.visit for check in found] == [false_visit]
    assert list(found.values("worker").annotate(n=Count("visit"))) == [{"worker": alice.pk, "n": 1}]
    assert not field_check_false_visits(start=day, end=today, worker_ids=[evaluator.pk]).exists()
    assert not field_check_false_visits(start=today + timedelta(days=1), end=today + timedelta(days=2)).exists()


def test_the_list_filters_and_does_not_grow_with_rows(
    client, evaluator, alice, alice_household, django_assert_max_num_queries
):
    for n in range(12):
        _check(
            evaluator,
            visit=VisitFactory(visitor=alice, household=alice_household),
            result="true" if n % 2 else "not_true",
        )
    _check(evaluator, ledger_item=open_item(alice, alice_household))
    log_in_as(client, evaluator)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(reverse("evaluation:field_check_list"))
    assert len(response.context["page"].object_list) == 13
    filtered = client.get(reverse("evaluation:field_check_list"), {"result": "not_true", "source": "visit"})
    assert len(filtered.context["page"].object_list) == 6
    empty = client.get(reverse("evaluation:field_check_list"), {"result": "partly_true"}).content.decode()
    assert "没有符合条件的实地考核" in empty
