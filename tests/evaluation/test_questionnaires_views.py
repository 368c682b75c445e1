"""问卷调查 pages through the test client: who may make, answer and read them, and who gets 403 or 404."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Questionnaire, QuestionnaireResponse
from evaluation.services.questionnaires import questionnaire_create, response_record
from jingshi_jiafang.core.models import AuditEntry, User
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, UserFactory
from tests.evaluation.factories import EvaluatorFactory, answers_by_label, short_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator():
    return EvaluatorFactory()


@pytest.fixture
def leader_a(village_a):
    """A bureau leader linked to village A's town."""
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    return leader


@pytest.fixture
def leader_b(village_b):
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_b.parent)
    return leader


@pytest.fixture
def questionnaire(evaluator, village_a, alice_household):
    HouseholdFactory.create_batch(3, village=village_a)
    today = timezone.localdate()
    return questionnaire_create(
        template=short_template(),
        area=village_a,
        start=today.replace(day=1),
        end=today + timedelta(days=10),
        sample_size=3,
        actor=evaluator,
        seed=1,
    )


def test_the_list_tells_an_evaluator_how_to_start(client, evaluator):
    log_in_as(client, evaluator)
    page = client.get(reverse("evaluation:questionnaire_list")).content.decode()
    assert "还没有问卷调查" in page and "新建问卷" in page


def test_menu_offers_questionnaires_to_evaluators_and_leaders_only(client, evaluator, leader_a, alice):
    for user, offered in ((evaluator, True), (leader_a, True), (alice, False)):
        log_in_as(client, user)
        page = client.get(reverse("home")).content.decode()
        assert ("问卷调查" in page) == offered, user.role
        assert ("实地考核" in page) == (user == evaluator), user.role


def test_an_evaluator_previews_then_creates_a_questionnaire(client, evaluator, village_a):
    HouseholdFactory.create_batch(4, village=village_a)
    log_in_as(client, evaluator)
    url = reverse("evaluation:questionnaire_create")
    today = timezone.localdate()
    data = {
        "template": short_template().pk,
        "area": village_a.pk,
        "start": today.replace(day=1).isoformat(),
        "end": today.isoformat(),
        "sample_size": 3,
    }
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200 and preview.context["available"] == 4
    assert not Questionnaire.objects.exists()
    response = client.post(url, data)
    questionnaire = Questionnaire.objects.get()
    assert response.status_code == 302 and response["Location"] == questionnaire.get_absolute_url()
    assert questionnaire.samples.count() == 3 and questionnaire.area == village_a
    detail = client.get(questionnaire.get_absolute_url()).content.decode()
    assert "已录入 0 / 抽样 3 户" in detail


def test_a_sample_larger_than_the_area_says_it_took_every_household(client, evaluator, village_a):
    HouseholdFactory.create_batch(2, village=village_a)
    log_in_as(client, evaluator)
    today = timezone.localdate()
    data = {"template": short_template().pk, "area": village_a.pk, "start": today, "end": today, "sample_size": 50}
    response = client.post(reverse("evaluation:questionnaire_create"), data, follow=True)
    assert "该区域可抽取的住户只有 2 户(要求 50 户),已全部抽取。" in response.content.decode()


def test_create_form_says_what_is_wrong(client, evaluator):
    log_in_as(client, evaluator)
    response = client.post(
        reverse("evaluation:questionnaire_create"),
        {"template": short_template().pk, "area": "", "start": "2026-11-10", "end": "2026-11-01", "sample_size": 0},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "结束日期不能早于开始日期" in page and "样本量至少 1 户" in page


def test_create_form_says_once_that_no_household_is_left_to_draw(client, evaluator, village_a):
    log_in_as(client, evaluator)
    today = timezone.localdate()
    response = client.post(
        reverse("evaluation:questionnaire_create"),
        {
            "template": short_template().pk,
            "area": village_a.pk,  # no household in it
            "start": today.replace(day=1).isoformat(),
            "end": today.isoformat(),
            "sample_size": 3,
        },
    )
    assert response.status_code == 400 and response.content.decode().count("没有可抽取的住户") == 1
    assert not Questionnaire.objects.exists()


def test_others_may_not_create_or_list(client, alice, leader_a):
    log_in_as(client, alice)
    assert client.get(reverse("evaluation:questionnaire_list")).status_code == 403
    log_in_as(client, leader_a)
    assert client.get(reverse("evaluation:questionnaire_create")).status_code == 403


def test_evaluator_records_an_answer_and_moves_to_the_next_household(client, evaluator, questionnaire):
    first, second = questionnaire.samples.order_by("position")[:2]
    log_in_as(client, evaluator)
    url = reverse("evaluation:questionnaire_answer", args=[first.pk])
    page = client.get(url).content.decode()
    assert first.household.phone not in page  # masked until revealed
    answers = answers_by_label(short_template(), ["很安全", "满意", "基本满意"])
    data = {"outcome": "answered", "method": "phone", **{f"q{q}": o for q, o in answers.items()}}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == second.get_absolute_url()
    assert QuestionnaireResponse.objects.get(sample=first).answers.count() == 3
    # A second submit (the back button) records nothing more and says so.
    again = client.post(url, data)
    assert again.status_code == 400 and "该户已录入" in again.content.decode()
    assert QuestionnaireResponse.objects.filter(sample=first).count() == 1
    results = client.get(reverse("evaluation:questionnaire_results", args=[questionnaire.pk])).content.decode()
    assert "100.0" in results and "有效答卷 1 份" in results


def test_answer_form_refuses_an_answered_outcome_without_answers(client, evaluator, questionnaire):
    sample = questionnaire.samples.first()
    log_in_as(client, evaluator)
    response = client.post(
        reverse("evaluation:questionnaire_answer", args=[sample.pk]), {"outcome": "answered", "method": "phone"}
    )
    # Said once: the form's own error summary, not repeated by the page above it.
    assert response.status_code == 400 and response.content.decode().count("请至少选择一题的答案") == 1
    assert not QuestionnaireResponse.objects.exists()


def test_revealing_the_phone_to_call_is_audited(client, evaluator, questionnaire):
    sample = questionnaire.samples.first()
    log_in_as(client, evaluator)
    response = client.post(reverse("evaluation:questionnaire_reveal", args=[sample.pk]), {"field": "phone"})
    assert response.status_code == 200
    assert f'href="tel:{sample.household.phone}"' in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL_PHONE)
    assert entry.actor == evaluator and entry.detail == {"household": sample.household_id}


def test_a_leader_reads_the_results_of_their_town_but_does_not_answer(client, leader_a, leader_b, questionnaire):
    sample = questionnaire.samples.first()
    log_in_as(client, leader_a)
    assert client.get(reverse("evaluation:questionnaire_results", args=[questionnaire.pk])).status_code == 200
    assert client.get(questionnaire.get_absolute_url()).status_code == 200
    assert client.get(reverse("evaluation:questionnaire_calls", args=[questionnaire.pk])).status_code == 403
    assert client.get(reverse("evaluation:questionnaire_answer", args=[sample.pk])).status_code == 404
    log_in_as(client, leader_b)
    assert client.get(reverse("evaluation:questionnaire_results", args=[questionnaire.pk])).status_code == 404
    assert not list(client.get(reverse("evaluation:questionnaire_list")).context["page"].object_list)


def test_the_call_list_shows_pending_households_with_masked_phones(client, evaluator, questionnaire):
    first = questionnaire.samples.order_by("position").first()
    response_record(sample=first, actor=evaluator, outcome="unreachable", method="phone")
    log_in_as(client, evaluator)
    url = reverse("evaluation:questionnaire_calls", args=[questionnaire.pk])
    pending = client.get(url)
    assert [s.pk for s in pending.context["page"].object_list] == list(
        questionnaire.samples.exclude(pk=first.pk).order_by("position").values_list("pk", flat=True)
    )
    everything = client.get(url, {"show": "all"}).content.decode()
    assert "联系不上" in everything and first.household.phone not in everything


def test_list_and_call_pages_do_not_grow_with_rows(client, evaluator, village_a, django_assert_max_num_queries):
    HouseholdFactory.create_batch(30, village=village_a)
    for month in range(1, 13):
        questionnaire = questionnaire_create(
            template=short_template(),
            area=village_a,
            start=date(2025, month, 1),
            end=date(2025, month, 28),
            sample_size=25,
            actor=evaluator,
        )
    for sample in questionnaire.samples.all()[:5]:
        response_record(
            sample=sample,
            actor=evaluator,
            outcome="answered",
            method="paper",
            answers=answers_by_label(short_template(), ["安全", "满意", ""]),
        )
    log_in_as(client, evaluator)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        listed = client.get(reverse("evaluation:questionnaire_list"))
    assert len(listed.context["page"].object_list) == 12
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        calls = client.get(reverse("evaluation:questionnaire_calls", args=[questionnaire.pk]), {"show": "all"})
    assert len(calls.context["page"].object_list) == 25
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 2):
        client.get(reverse("evaluation:questionnaire_results", args=[questionnaire.pk]))
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 2):
        client.get(questionnaire.get_absolute_url())


def test_a_leader_reads_a_county_wide_questionnaire_broken_down_by_town(client, evaluator, leader_b, alice_household):
    today = timezone.localdate()
    county = questionnaire_create(
        template=short_template(), area=None, start=today, end=today, sample_size=1, actor=evaluator
    )
    log_in_as(client, leader_b)
    assert [q.pk for q in client.get(reverse("evaluation:questionnaire_list")).context["page"].object_list] == [
        county.pk
    ]
    assert client.get(reverse("evaluation:questionnaire_results", args=[county.pk])).status_code == 200
    assert client.get(reverse("evaluation:questionnaire_calls", args=[county.pk])).status_code == 403


def test_a_household_not_reached_this_time_stays_to_be_called_again(client, evaluator, questionnaire):
    first, second = questionnaire.samples.order_by("position")[:2]
    log_in_as(client, evaluator)
    url = reverse("evaluation:questionnaire_answer", args=[first.pk])
    data = {"outcome": "not_now", "method": "phone", "note": "无人接听", "attempt": 1}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == second.get_absolute_url()
    assert not QuestionnaireResponse.objects.exists() and first.attempts.get().note == "无人接听"
    # The same form sent twice (a double tap, the back button) is one try, and says so.
    again = client.post(url, data, follow=True)
    assert first.attempts.count() == 1 and "这次未接通已经记录" in again.content.decode()
    calls = client.get(reverse("evaluation:questionnaire_calls", args=[questionnaire.pk]))
    assert first in calls.context["page"].object_list and "未接通 1 次" in calls.content.decode()
    # It waits until the others were called: the questionnaire's 下一户 is the second, not it again.
    assert client.get(questionnaire.get_absolute_url()).context["next_sample"] == second
    page = client.get(url).content.decode()
    assert "此前未接通 1 次" in page and "无人接听" in page and 'name="attempt" value="2"' in page
    # A later call reaches them: the answers are recorded as for anyone else.
    answers = answers_by_label(short_template(), ["很安全", "满意", "基本满意"])
    answered = client.post(
        url, {"outcome": "answered", "method": "phone", **{f"q{q}": o for q, o in answers.items()}}, follow=True
    )
    assert QuestionnaireResponse.objects.get(sample=first).outcome == "answered"
    assert f"已记录 {first.household.head_name}户 的答卷。" in answered.content.decode()
    refused = client.post(url, {**data, "attempt": 2}, follow=True)
    assert "不能再记录未接通" in refused.content.decode() and first.attempts.count() == 1


def test_not_reached_this_time_takes_no_answers(client, evaluator, questionnaire):
    sample = questionnaire.samples.first()
    log_in_as(client, evaluator)
    answers = answers_by_label(short_template(), ["很安全", "", ""])
    data = {"outcome": "not_now", "method": "phone", "attempt": 1, **{f"q{q}": o for q, o in answers.items()}}
    response = client.post(reverse("evaluation:questionnaire_answer", args=[sample.pk]), data)
    assert response.status_code == 400 and "请不要选择答案" in response.content.decode()
    assert not sample.attempts.exists()


def test_giving_up_on_a_household_is_not_called_an_answer_sheet(client, evaluator, questionnaire):
    sample = questionnaire.samples.first()
    log_in_as(client, evaluator)
    url = reverse("evaluation:questionnaire_answer", args=[sample.pk])
    page = client.post(url, {"outcome": "unreachable", "method": "phone", "note": "空号"}, follow=True)
    body = page.content.decode()
    assert f"已记录 {sample.household.head_name}户 联系不上,不再拨打。" in body and "答卷。" not in body
    # Its page says so afterwards, the note with it.
    assert "备注:空号" in client.get(url).content.decode()
