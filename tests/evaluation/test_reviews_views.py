"""每日通报 pages: who may read the notices, who may build and rebuild them, the list's empty state and paging,
and query counts that do not grow with the notices or the units in them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import DailyReview
from evaluation.services.reviews import daily_review_build
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.models import AuditEntry, User
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import BureauFactory, PoliceRoomFactory, UserFactory
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

LIST = reverse("evaluation:review_list")


def yesterday():
    # Worked out when a test runs, not when the module is collected: a run across midnight would shift it.
    return timezone.localdate() - timedelta(days=1)


def notice_url(day):
    return reverse("evaluation:review_detail", kwargs={"day": day})


@pytest.fixture
def people(bob):
    bureau = BureauFactory()
    return {
        "leader": UserFactory(role=User.Role.LEADER, unit=bureau),
        "cadre": UserFactory(role=User.Role.CADRE, unit=bureau),
        "legal": UserFactory(role=User.Role.LEGAL, unit=bureau),
        "evaluator": UserFactory(role=User.Role.EVALUATOR, unit=bureau),
        "unit_head": bob,
    }


@pytest.fixture
def not_readers(alice):
    return {
        "officer": alice,
        "duty_officer": UserFactory(role=User.Role.DUTY_OFFICER, unit=alice.unit),
        "admin": UserFactory(role=User.Role.ADMIN, is_staff=True),
        "auditor": UserFactory(role=User.Role.AUDITOR),
    }


@pytest.fixture
def review():
    return daily_review_build(day=yesterday(), actor=system_actor())


def test_leaders_cadres_legal_evaluators_and_unit_heads_read_the_notice(client, people, review):
    for name, user in people.items():
        log_in_as(client, user)
        assert client.get(LIST).status_code == 200, name
        response = client.get(notice_url(yesterday()))
        assert response.status_code == 200, name
        assert "每日研判通报" in response.content.decode()


def test_officers_duty_officers_and_administrators_may_not(client, not_readers, review):
    for name, user in not_readers.items():
        log_in_as(client, user)
        assert client.get(LIST).status_code == 403, name
        assert client.get(notice_url(yesterday())).status_code == 403, name


def test_the_menu_offers_the_notices_to_readers_only(client, people, not_readers):
    log_in_as(client, people["leader"])
    assert "每日通报" in client.get(reverse("home")).content.decode()
    log_in_as(client, not_readers["officer"])
    assert "每日通报" not in client.get(reverse("home")).content.decode()


def test_a_day_without_a_notice_and_an_impossible_date_are_not_found(client, people):
    log_in_as(client, people["leader"])
    assert client.get(notice_url(yesterday())).status_code == 404
    assert client.get("/evaluation/reviews/2026-02-30/").status_code == 404


def test_the_empty_list_says_when_the_first_notice_comes_and_how_to_build_one(client, people):
    log_in_as(client, people["leader"])
    page = client.get(LIST).content.decode()
    assert "第一份将在明天早上出现" in page and "run_daily_review --date" in page
    assert "生成该日通报" not in page
    log_in_as(client, people["evaluator"])
    page = client.get(LIST).content.decode()
    assert "第一份将在明天早上出现" in page and "生成该日通报" in page


def test_the_notice_names_the_bureau_and_offers_rebuild_to_evaluators_only(client, people, review, settings):
    log_in_as(client, people["leader"])
    page = client.get(notice_url(yesterday())).content.decode()
    assert settings.BUREAU_NAME in page and "print-page" in page and 'data-testid="rebuild"' not in page
    assert "表扬：" in page and "通报批评：" in page  # the rules are printed with the notice
    log_in_as(client, people["evaluator"])
    assert 'data-testid="rebuild"' in client.get(notice_url(yesterday())).content.decode()


def test_previous_and_next_skip_days_without_a_notice(client, people):
    job = system_actor()
    for days in (1, 2, 5):
        daily_review_build(day=timezone.localdate() - timedelta(days=days), actor=job)
    log_in_as(client, people["leader"])
    middle = client.get(notice_url(timezone.localdate() - timedelta(days=2))).context
    assert middle["older"].day == timezone.localdate() - timedelta(days=5)
    assert middle["newer"].day == yesterday()


def test_an_evaluator_rebuilds_after_confirming_and_it_is_audited(client, people, review, alice):
    VisitFactory(visitor=alice, visited_at=timezone.now() - timedelta(days=1))
    log_in_as(client, people["evaluator"])
    page = client.get(notice_url(yesterday())).content.decode()
    assert 'class="m-0 confirm-submit"' in page and "操作记入审计日志" in page
    response = client.post(reverse("evaluation:review_rebuild", kwargs={"day": yesterday()}))
    assert response.status_code == 302 and response["Location"] == notice_url(yesterday())
    review.refresh_from_db()
    assert review.rebuilt_count == 1 and review.built_by == people["evaluator"]
    assert review.figures["visits"]["total"] == 1
    assert AuditEntry.objects.filter(object_type="evaluation.DailyReview", actor=people["evaluator"]).exists()


def test_a_leader_cannot_rebuild_and_nobody_rebuilds_by_get(client, people, review):
    log_in_as(client, people["leader"])
    assert client.post(reverse("evaluation:review_rebuild", kwargs={"day": yesterday()})).status_code == 403
    log_in_as(client, people["evaluator"])
    assert client.get(reverse("evaluation:review_rebuild", kwargs={"day": yesterday()})).status_code == 405
    review.refresh_from_db()
    assert review.rebuilt_count == 0


def test_rebuilding_a_day_without_a_notice_is_not_found(client, people):
    log_in_as(client, people["evaluator"])
    assert client.post(reverse("evaluation:review_rebuild", kwargs={"day": yesterday()})).status_code == 404


def test_an_evaluator_builds_a_missing_day_by_hand_and_a_built_day_is_left_as_it_is(client, people):
    day = timezone.localdate() - timedelta(days=4)
    log_in_as(client, people["evaluator"])
    response = client.post(reverse("evaluation:review_build"), {"day": day.isoformat()})
    assert response.status_code == 302 and response["Location"] == notice_url(day)
    built = DailyReview.objects.get(day=day)
    assert built.built_by == people["evaluator"]
    response = client.post(reverse("evaluation:review_build"), {"day": day.isoformat()}, follow=True)
    assert "内容未变" in response.content.decode()
    assert DailyReview.objects.get(day=day).built_at == built.built_at


def test_building_today_or_a_bad_date_is_refused_with_a_message(client, people):
    log_in_as(client, people["evaluator"])
    for value, message in ((timezone.localdate().isoformat(), "日期超出范围"), ("2026-13-01", "请输入有效的日期")):
        response = client.post(reverse("evaluation:review_build"), {"day": value}, follow=True)
        assert message in response.content.decode()
    assert not DailyReview.objects.exists()


def test_a_leader_cannot_build_by_hand(client, people):
    log_in_as(client, people["leader"])
    response = client.post(reverse("evaluation:review_build"), {"day": yesterday().isoformat()})
    assert response.status_code == 403
    assert not DailyReview.objects.exists()


def test_the_list_is_paginated_newest_first_in_bounded_queries(client, people, settings, django_assert_max_num_queries):
    job = system_actor()
    for days in range(1, settings.PAGE_SIZE + 6):
        daily_review_build(day=timezone.localdate() - timedelta(days=days), actor=job)
    log_in_as(client, people["leader"])
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(LIST)
    rows = response.context["page"].object_list
    assert len(rows) == settings.PAGE_SIZE and rows[0].day == yesterday()
    assert "第 1 / 2 页" in response.content.decode()
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        assert len(client.get(LIST, {"page": 2}).context["page"].object_list) == 5


def test_the_notice_stays_bounded_in_queries_with_many_units(client, people, django_assert_max_num_queries):
    for _ in range(30):
        room = PoliceRoomFactory()
        VisitFactory(visitor=UserFactory(unit=room), visited_at=timezone.now() - timedelta(days=1))
    review = daily_review_build(day=yesterday(), actor=system_actor())
    assert len(review.figures["units"]) == 30
    log_in_as(client, people["leader"])
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(notice_url(yesterday()))
    assert response.content.decode().count("中心警务室") >= 30


def test_the_list_shows_each_days_headline_figures_and_marks_false_visits(client, people, alice):
    from tests.evaluation.factories import VisitCallbackFactory, called_back

    # The day before yesterday: one visit; yesterday: the call that found it false.
    denied = VisitCallbackFactory(visit=VisitFactory(visitor=alice, visited_at=timezone.now() - timedelta(days=2)))
    called_back(denied, day=yesterday(), caller=people["evaluator"], visit_check="denied")
    for day in (yesterday() - timedelta(days=1), yesterday()):
        daily_review_build(day=day, actor=system_actor())
    log_in_as(client, people["leader"])
    response = client.get(LIST)
    newest, older = response.context["page"].object_list
    assert (newest.false_visits, newest.visits_total, older.false_visits, older.visits_total) == (1, 0, 0, 1)
    assert response.content.decode().count("text-danger fw-bold") == 1
