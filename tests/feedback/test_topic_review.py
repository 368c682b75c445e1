"""The legal department's topic review (issue 13): the month's queue, least sure first; confirm or correct in one
tap; the month closed (audited) once all are confirmed, after which the model is retrained on them."""

import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Category, Matter, TopicModel, TopicMonth
from feedback.services.classification import previous_month
from jingshi_jiafang.core.models import AuditEntry, User
from tests.conftest import log_in_as
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in

pytestmark = pytest.mark.django_db

TEXTS = [
    ("孩子出生三个月了还没上户口,材料不知道咋准备", 0.93),
    ("那个辅警说话冲得很,把俺们当犯人审", 0.55),
    ("村里那条路坏了好几年,一下雨没法走", 0.71),
]


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


@pytest.fixture
def legal(station_a):
    return UserFactory(username="legal", name="法制科", role=User.Role.LEGAL, unit=station_a.parent)


@pytest.fixture
def last_month():
    return previous_month(timezone.localdate())


def _of_month(matter, month, day=10):
    moment = timezone.make_aware(datetime(month.year, month.month, day, 9, 0)) + timedelta(minutes=matter.pk)
    Matter.objects.filter(pk=matter.pk).update(created_at=moment)
    matter.refresh_from_db()
    return matter


@pytest.fixture
def month_matters(duty, last_month):
    """Last month's three matters, their confidences set so that the order is known."""
    matters = []
    for text, confidence in TEXTS:
        matter = _of_month(walk_in(duty, text), last_month)
        Matter.objects.filter(pk=matter.pk).update(category_confidence=confidence)
        matters.append(matter)
    return matters


def review(client, month, **params):
    return client.get(reverse("feedback:topic_review"), {"month": f"{month:%Y-%m}", **params})


def confirm(client, matter, category, month, show="pending", page=1):
    data = {"category": category, "month": f"{month:%Y-%m}", "show": show, "page": page}
    return client.post(reverse("feedback:topic_confirm", args=[matter.pk]), data)


def test_only_the_legal_department_reviews_topics(client, legal, alice, bob, duty, last_month):
    for person in (alice, bob, duty, UserFactory(role=User.Role.LEADER)):
        log_in_as(client, person)
        assert review(client, last_month).status_code == 403
    client.logout()
    assert review(client, last_month).status_code == 302
    log_in_as(client, legal)
    assert review(client, last_month).status_code == 200


def test_the_queue_lists_the_months_unconfirmed_matters_least_sure_first(client, legal, month_matters, last_month):
    log_in_as(client, legal)
    page = review(client, last_month).content.decode()
    order = [page.index(matter.reference) for matter in month_matters]
    assert order[1] < order[2] < order[0]  # 0.55, 0.71, 0.93
    assert "把握 55%" in page and "把握不大" in page
    # The suggested topic is the one highlighted, one tap away.
    assert re.search(r'value="force_conduct" class="btn btn-sm btn-primary" data-testid="confirm-suggested"', page)
    assert 'data-testid="pending-count">3<' in page
    assert 'data-testid="close-month"' not in page


def test_one_tap_confirms_the_category_chosen_at_triage_over_a_differing_suggestion(
    client, legal, month_matters, last_month
):
    doubtful = month_matters[1]  # suggested 队伍建设 at 55%
    Matter.objects.filter(pk=doubtful.pk).update(category="law_enforcement")
    log_in_as(client, legal)

    page = review(client, last_month).content.decode()
    row = page[page.index(doubtful.reference) :]
    row = row[: row.index("</form>")]

    assert re.search(r'value="law_enforcement" class="btn btn-sm btn-primary" data-testid="confirm-suggested"', row)
    assert 'data-testid="triage-differs"' in row


def test_the_page_names_the_model_in_use_and_its_measured_accuracy(client, legal, month_matters, last_month):
    log_in_as(client, legal)
    model = TopicModel.objects.get()
    shown = re.search(r'data-testid="topic-model">(.*?)</p>', review(client, last_month).content.decode(), re.S)
    assert f"v{model.version}" in shown.group(1) and f"准确率 <strong>{model.accuracy * 100:.1f}%" in shown.group(1)


def test_the_month_picker_looks_like_the_other_inputs(client, legal, last_month):
    log_in_as(client, legal)
    page = review(client, last_month).content.decode()
    assert re.search(r'<input type="month" name="month"[^>]*class="form-control form-control-sm w-auto"', page)


def test_an_empty_month_says_so(client, legal):
    log_in_as(client, legal)
    page = client.get(reverse("feedback:topic_review"), {"month": "2020-01"}).content.decode()
    assert "2020年1月没有登记诉求" in page and "尚未训练" in page
    bad = client.get(reverse("feedback:topic_review"), {"month": "2020-13"}, follow=True).content.decode()
    assert "月份格式应为" in bad


def test_one_tap_confirms_the_suggestion_or_corrects_it_and_returns_to_the_list(
    client, legal, month_matters, last_month
):
    log_in_as(client, legal)
    household_form, rude_auxiliary, road = month_matters
    response = confirm(client, household_form, Category.LAW_ENFORCEMENT, last_month, page=1)
    assert response.url == f"{reverse('feedback:topic_review')}?month={last_month:%Y-%m}&show=pending&page=1"
    corrected = confirm(client, road, Category.PUBLIC_SECURITY, last_month)
    assert corrected.status_code == 302
    for matter in (household_form, road):
        matter.refresh_from_db()
        assert matter.category_confirmed_by == legal
    assert household_form.category == Category.LAW_ENFORCEMENT and road.category == Category.PUBLIC_SECURITY
    page = review(client, last_month).content.decode()
    assert 'data-testid="pending-count">1<' in page
    queue = page.split('data-testid="topic-queue"')[1]
    assert rude_auxiliary.reference in queue and road.reference not in queue
    confirmed = review(client, last_month, show="confirmed").content.decode()
    assert road.reference in confirmed and "改为其他" in confirmed


def test_a_month_is_closed_only_when_all_are_confirmed_then_audited_and_learned_from(
    client, legal, month_matters, last_month, django_capture_on_commit_callbacks
):
    log_in_as(client, legal)
    close = reverse("feedback:topic_month_close")
    refused = client.post(close, {"month": f"{last_month:%Y-%m}"}, follow=True).content.decode()
    assert "还有 3 件诉求的类别没有确认" in refused and not TopicMonth.objects.exists()
    for matter in month_matters:
        confirm(client, matter, Category.OTHER, last_month)
    before = TopicModel.objects.get()
    assert 'data-testid="close-month"' in review(client, last_month).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as retraining:
        closed = client.post(close, {"month": f"{last_month:%Y-%m}"}, follow=True).content.decode()
    assert len(retraining) == 1
    assert f"{last_month:%Y年%m月}的类别研判已关闭" in closed and 'data-testid="month-closed"' in closed
    month = TopicMonth.objects.get()
    assert month.month == last_month and month.closed_by == legal and month.matters == 3
    entry = AuditEntry.objects.get(object_type="feedback.TopicMonth", object_id=str(month.pk))
    assert entry.actor == legal and entry.detail == {"month": f"{last_month:%Y-%m}", "matters": 3, "closed": True}
    retrained = TopicModel.objects.order_by("-version").first()
    assert retrained.version == before.version + 1 and retrained.confirmed_examples == 3
    # Closed: no more changes, no second close, and the buttons are gone.
    again = confirm(client, month_matters[0], Category.LITIGATION, last_month)
    assert again.status_code == 302
    month_matters[0].refresh_from_db()
    assert month_matters[0].category == Category.OTHER
    with pytest.raises(services.MatterError, match="已经关闭"):
        services.topic_month_close(month=last_month, actor=legal)
    assert 'name="category"' not in review(client, last_month, show="confirmed").content.decode()


def test_a_merged_duplicate_is_not_reviewed_nor_counted_as_the_report_does(
    client, legal, duty, month_matters, last_month
):
    duplicate = _of_month(walk_in(duty, "孩子上户口的材料还是不清楚"), last_month)
    services.matter_merge(matter=duplicate, actor=duty, into=month_matters[0])
    log_in_as(client, legal)
    page = review(client, last_month)
    assert page.context["summary"]["total"] == 3 and duplicate not in page.context["page"].object_list
    for matter in month_matters:
        confirm(client, matter, Category.OTHER, last_month)
    assert services.topic_month_close(month=last_month, actor=legal, retrain=False).matters == 3


def test_a_closed_month_says_the_model_learned_from_it_only_once_retrained(
    client, legal, month_matters, last_month, django_capture_on_commit_callbacks
):
    log_in_as(client, legal)
    for matter in month_matters:
        confirm(client, matter, Category.OTHER, last_month)
    with django_capture_on_commit_callbacks() as retraining:
        client.post(reverse("feedback:topic_month_close"), {"month": f"{last_month:%Y-%m}"})
    waiting = review(client, last_month).content.decode()
    assert "正在后台用本月确认的类别重新训练" in waiting and "并已用于重新训练" not in waiting
    for callback in retraining:
        callback()
    assert "并已用于重新训练类别模型" in review(client, last_month).content.decode()


def test_the_running_month_cannot_be_closed(legal, duty):
    matter = walk_in(duty, "身份证丢了")
    services.matter_topic_confirm(matter=matter, actor=legal, category=Category.LAW_ENFORCEMENT)
    with pytest.raises(services.MatterError, match="尚未结束"):
        services.topic_month_close(month=timezone.localdate(), actor=legal)
    with pytest.raises(services.MatterError, match="法制部门"):
        services.topic_month_close(month=previous_month(timezone.localdate()), actor=duty)


def test_the_queue_is_paginated_in_a_bounded_number_of_queries(
    client, legal, duty, last_month, django_assert_max_num_queries
):
    for number in range(settings.PAGE_SIZE + 3):
        _of_month(walk_in(duty, f"第{number}件:晚上村里老丢电动车"), last_month)
    log_in_as(client, legal)
    with django_assert_max_num_queries(12):
        page = review(client, last_month).content.decode()
    assert page.count('data-testid="topic-item"') == settings.PAGE_SIZE and "下一页" in page
    second = review(client, last_month, page=2).content.decode()
    assert second.count('data-testid="topic-item"') == 3
