"""Scores pages through the test client: who may see which score, the drill-down's records, the evaluation
centre's actions."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Callback, Metric, Score, ScoreMonth, ScoreWeight, SubjectKind
from evaluation.services.scores import score_month_close, scores_compute
from jingshi_jiafang.core.models import AuditEntry, Household, User
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, HouseholdLinkFactory, UserFactory
from tests.evaluation.factories import VisitCallbackFactory
from tests.evaluation.scores_month import MONTH, TODAY, at, build_month
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

RANKING = reverse("evaluation:score_ranking")


@pytest.fixture
def month(alice, bob, village_a, charlie, charlie_household):
    built = build_month(alice=alice, bob=bob, village_a=village_a)
    VisitFactory(visitor=charlie, household=charlie_household, visited_at=at(date(2026, 10, 3)))
    from jingshi_jiafang.core.models import HouseholdLink

    HouseholdLink.objects.filter(officer=charlie).update(start_date=date(2026, 1, 1))
    scores_compute(month=MONTH, today=TODAY)
    return built


def _score_of(user) -> Score:
    return Score.objects.get(period=Score.Period.MONTH, period_start=MONTH, user=user)


def _ranking(client, **params):
    return client.get(RANKING, {"period": "month", "month": "2026-10", **params})


def test_evaluator_sees_every_officer_ranked_with_the_formula(client, month, alice, bob, charlie):
    log_in_as(client, month.evaluator)
    response = _ranking(client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "查理" in page and "艾丽" in page and "49.58" in page
    assert "计分办法" in page and "本月本人走访过的联系户" in page and "每次 −5.00" in page
    # bob, the station head, has no households of his own: listed after the ranked, without a rank.
    assert [score.user for score in response.context["page"].object_list] == [charlie, alice, bob]


def test_leader_sees_the_county(client, month, charlie):
    leader = UserFactory(role=User.Role.LEADER, unit=charlie.unit.parent.parent)
    log_in_as(client, leader)
    assert "查理" in _ranking(client).content.decode()


def test_unit_head_sees_his_unit_s_officers_only(client, month, bob, alice, charlie):
    log_in_as(client, bob)
    response = _ranking(client)
    assert [score.user for score in response.context["page"].object_list] == [alice, bob]
    assert client.get(reverse("evaluation:score_detail", args=[_score_of(alice).pk])).status_code == 200
    assert client.get(reverse("evaluation:score_detail", args=[_score_of(charlie).pk])).status_code == 404
    units = _ranking(client, kind="unit").context["page"].object_list
    assert {score.unit for score in units} == {bob.unit, alice.unit}


def test_a_unit_head_is_offered_only_the_kinds_of_scores_he_may_see(client, month, bob):
    # Cadres belong to the bureau: a station head chose 干部 and read that no cadre had been scored yet.
    log_in_as(client, bob)
    kinds = [value for value, _ in _ranking(client).context["filters"].fields["kind"].choices]
    assert kinds == [SubjectKind.OFFICER, SubjectKind.UNIT]
    log_in_as(client, month.evaluator)
    assert SubjectKind.CADRE in [value for value, _ in _ranking(client).context["filters"].fields["kind"].choices]


def test_filter_by_unit_and_town(client, month, alice, charlie, village_b):
    log_in_as(client, month.evaluator)
    assert [s.user for s in _ranking(client, unit=village_b.unit.pk).context["page"].object_list] == [charlie]
    assert [s.user for s in _ranking(client, town=village_b.parent.pk).context["page"].object_list] == [charlie]


def test_officer_sees_only_his_own_score(client, month, alice, charlie):
    log_in_as(client, alice)
    assert _ranking(client).status_code == 403
    mine = client.get(reverse("evaluation:my_scores"))
    assert mine.status_code == 200
    assert {score.user for score in mine.context["page"].object_list} == {alice}
    assert "49.58" in mine.content.decode()
    assert "当天录入的走访和回访结果(包括核实为虚假走访的)第二天才计入" in mine.content.decode()
    assert client.get(reverse("evaluation:score_detail", args=[_score_of(alice).pk])).status_code == 200
    assert client.get(reverse("evaluation:score_detail", args=[_score_of(charlie).pk])).status_code == 404


def test_a_rate_is_shown_rounded_once_from_its_counts(client, month, alice):
    # 52 / 55 = 94.545…%: the stored rate is 0.9455, which rounded again read 94.6%.
    score = _score_of(alice)
    score.components.filter(metric=Metric.SATISFACTION).update(numerator=52, denominator=55, value=Decimal("0.9455"))
    log_in_as(client, alice)
    detail = client.get(reverse("evaluation:score_detail", args=[score.pk])).content.decode()
    assert "52 / 55 = 94.5%" in detail and "94.6%" not in detail


def test_a_component_without_data_is_said_to_count_for_nothing_not_to_score_nought(client, month, alice):
    # Its weight goes to the other components (the formula): "0.00 分" read as points lost.
    score = _score_of(alice)
    score.components.filter(metric=Metric.MATTERS_ON_TIME).update(numerator=0, denominator=0, value=None, points=0)
    log_in_as(client, alice)
    detail = client.get(reverse("evaluation:score_detail", args=[score.pk])).content.decode()
    row = detail.split('data-testid="component-matters_on_time"')[1].split('data-testid="component-')[0]
    assert "无数据,不计入" in row and "0.00 分" not in row
    assert "0 / 0 = 无数据" in row


def test_cadre_sees_their_own_score_and_not_an_officer_s(client, month, alice, village_a):
    cadre = UserFactory(role=User.Role.CADRE, unit=village_a.unit.parent.parent)
    AreaLinkFactory(user=cadre, area=village_a, start_date=date(2026, 1, 1))
    scores_compute(month=MONTH, today=TODAY)
    log_in_as(client, cadre)
    own = Score.objects.get(user=cadre, period=Score.Period.MONTH)
    assert client.get(reverse("evaluation:score_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("evaluation:score_detail", args=[_score_of(alice).pk])).status_code == 404
    assert _ranking(client).status_code == 403


def test_legal_department_has_no_scores(client, month, alice):
    legal = UserFactory(role=User.Role.LEGAL, unit=alice.unit.parent.parent)
    log_in_as(client, legal)
    assert _ranking(client).status_code == 403
    assert client.get(reverse("evaluation:my_scores")).status_code == 403
    assert client.get(reverse("evaluation:score_detail", args=[_score_of(alice).pk])).status_code == 404


def _records(client, score, metric):
    return client.get(reverse("evaluation:score_records", args=[score.pk, metric]))


def test_drill_down_lists_the_records_behind_each_component(client, month, alice, bob):
    log_in_as(client, bob)
    score = _score_of(alice)
    detail = client.get(reverse("evaluation:score_detail", args=[score.pk])).content.decode()
    assert reverse("evaluation:score_records", args=[score.pk, Metric.VISIT_COVERAGE]) in detail
    not_visited = _records(client, score, Metric.VISIT_COVERAGE).context["page"].object_list
    assert list(not_visited) == [month.households[2]]  # h3: visited in September only
    false_visits = _records(client, score, Metric.FALSE_VISITS).context["page"].object_list
    assert [callback.visit for callback in false_visits] == [month.false_visit]
    response = _records(client, score, Metric.MATTERS_ON_TIME)
    matters = list(response.context["page"].object_list)
    assert matters[0] == month.open_matter and len(matters) == 2
    closed = next(matter for matter in matters if matter.state == "closed")
    # The state and the day in one phrase, not "办结 · 办结 <day>".
    assert f"办结 {timezone.localtime(closed.closed_at):%Y-%m-%d %H:%M}" in response.content.decode()
    assert "办结 · 办结" not in response.content.decode()
    items = list(_records(client, score, Metric.LEDGER_ON_TIME).context["page"].object_list)
    assert len(items) == 3 and not items[0].on_time and month.late_item in items[:2]
    plans = list(_records(client, score, Metric.NIGHT_COMPLIANCE).context["page"].object_list)
    assert [plan.kept for plan in plans] == [False, True]


def test_checked_visits_list_the_false_visit_first_as_the_title_says(client, month, alice):
    log_in_as(client, month.evaluator)
    response = _records(client, _score_of(alice), Metric.CALLBACK_CONFIRMED)
    assert "虚假走访在前" in response.content.decode()
    # h1's visit (5 October, confirmed) is the older one; h2's (6 October) was a false visit.
    assert [callback.visit for callback in response.context["page"].object_list] == [
        month.false_visit,
        month.households[0].visits.order_by("visited_at").first(),
    ]


def test_records_of_an_open_month_say_that_what_was_entered_since_counts_tomorrow(client, month, alice):
    # A false visit found after the night's run: listed at once, counted in the score only at the next run.
    VisitCallbackFactory(
        visit=month.households[3].visits.get(),
        state=Callback.State.DONE,
        visit_check=Callback.VisitCheck.DENIED,
        done_by=month.evaluator,
        done_at=timezone.now(),
    )
    log_in_as(client, month.evaluator)
    response = _records(client, _score_of(alice), Metric.FALSE_VISITS)
    page = response.content.decode()
    assert "1 次虚假走访" in page and len(response.context["page"].object_list) == 2
    assert "明天才计入上面的分数" in page
    score_month_close(month=MONTH, actor=month.evaluator)
    assert "明天才计入" not in _records(client, _score_of(alice), Metric.FALSE_VISITS).content.decode()


def test_a_callback_of_an_organisation_visit_is_named_by_the_organisation(client, month, alice, bob, village_a):
    from evaluation.models import Callback, Satisfaction
    from tests.core.factories import OrganisationFactory
    from tests.evaluation.factories import VisitCallbackFactory
    from tests.visits.factories import OrganisationVisitFactory

    school = OrganisationFactory(village=village_a, name="陈墩小学")
    visit = OrganisationVisitFactory(visitor=alice, organisation=school, visited_at=at(date(2026, 10, 8)))
    VisitCallbackFactory(
        visit=visit,
        state=Callback.State.DONE,
        done_by=month.evaluator,
        done_at=at(date(2026, 10, 9)),
        visit_check=Callback.VisitCheck.CONFIRMED,
        satisfaction=Satisfaction.SATISFIED,
    )
    log_in_as(client, bob)
    body = _records(client, _score_of(alice), Metric.SATISFACTION).content.decode()
    assert "走访 2026-10-08 · 陈墩小学 · 经办人" in body and " ·  · " not in body


def test_an_officers_missing_households_are_titled_as_hers_when_someone_else_visited(
    client, month, alice, bob, village_a
):
    cadre = UserFactory(role=User.Role.CADRE, unit=village_a.unit.parent.parent)
    visited = at(date(2026, 10, 8))
    VisitFactory(visitor=cadre, household=month.households[2], visited_at=visited)
    Household.objects.filter(pk=month.households[2].pk).update(last_visited_at=visited)
    log_in_as(client, bob)
    response = _records(client, _score_of(alice), Metric.VISIT_COVERAGE)
    assert list(response.context["page"].object_list) == [month.households[2]]
    body = response.content.decode()
    assert "本月本人未走访的联系户" in body and "最近走访 2026-10-08" in body


def test_unit_drill_down_lists_the_unit_s_households_not_visited(client, month, alice, village_a):
    log_in_as(client, month.evaluator)
    room = Score.objects.get(period=Score.Period.MONTH, subject_kind=SubjectKind.UNIT, unit=village_a.unit)
    rows = set(_records(client, room, Metric.VISIT_COVERAGE).context["page"].object_list)
    assert rows == {month.households[2], month.unlinked}


def test_a_metric_the_subject_is_not_scored_on_is_404(client, month, alice):
    log_in_as(client, alice)
    assert _records(client, _score_of(alice), Metric.PAIRING).status_code == 404
    assert _records(client, _score_of(alice), "nonsense").status_code == 404


def test_ranking_page_queries_do_not_grow_with_rows(client, month, village_a, django_assert_max_num_queries):
    for _ in range(30):
        officer = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
        HouseholdLinkFactory(officer=officer, household=HouseholdFactory(village=village_a), start_date=MONTH)
    scores_compute(month=MONTH, today=TODAY)
    log_in_as(client, month.evaluator)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 6):
        response = _ranking(client)
    assert len(response.context["page"].object_list) > 20


def test_records_page_queries_are_bounded(client, month, alice, bob, django_assert_max_num_queries):
    log_in_as(client, bob)
    for metric in (Metric.VISIT_COVERAGE, Metric.FALSE_VISITS, Metric.MATTERS_ON_TIME, Metric.LEDGER_ON_TIME):
        with django_assert_max_num_queries(MAX_PAGE_QUERIES + 4):
            assert _records(client, _score_of(alice), metric).status_code == 200


def test_evaluator_changes_a_weight_from_a_month_on_audited(client, month):
    log_in_as(client, month.evaluator)
    url = reverse("evaluation:score_weights")
    assert client.get(url).status_code == 200
    data = {"subject_kind": "officer", "metric": "visit_coverage", "weight": "30", "valid_from": "2026-12"}
    assert client.post(url, data).status_code == 302
    assert ScoreWeight.objects.get(valid_from=date(2026, 12, 1)).weight == Decimal(30)
    assert AuditEntry.objects.filter(detail__event="score_weight_set").exists()
    bad = client.post(url, {**data, "metric": "pairing"})
    assert bad.status_code == 400 and "不用于考核民警" in bad.content.decode()


def test_only_the_evaluation_centre_sees_the_weight_form(client, month, bob):
    log_in_as(client, bob)
    assert client.get(reverse("evaluation:score_weights")).status_code == 403


def test_closing_needs_confirmation_and_recomputing_needs_a_reason(client, month, alice):
    log_in_as(client, month.evaluator)
    close = reverse("evaluation:score_month_close")
    client.post(close, {"month": "2026-10"})
    assert not ScoreMonth.objects.get(month=MONTH).is_closed
    response = client.post(close, {"month": "2026-10", "confirm": "on"}, follow=True)
    assert ScoreMonth.objects.get(month=MONTH).is_closed
    assert "已关闭" in response.content.decode()
    recompute = reverse("evaluation:score_month_recompute")
    client.post(recompute, {"month": "2026-10", "confirm": "on"})
    assert not AuditEntry.objects.filter(detail__event="score_month_recomputed").exists()
    client.post(recompute, {"month": "2026-10", "confirm": "on", "reason": "补录走访"})
    assert AuditEntry.objects.get(detail__event="score_month_recomputed").detail["reason"] == "补录走访"


def test_a_unit_head_cannot_close_a_month(client, month, bob):
    log_in_as(client, bob)
    assert (
        client.post(reverse("evaluation:score_month_close"), {"month": "2026-10", "confirm": "on"}).status_code == 403
    )
    assert not ScoreMonth.objects.get(month=MONTH).is_closed


def test_annual_ranking_and_an_annual_score_lead_to_its_months(client, month, alice):
    log_in_as(client, month.evaluator)
    response = client.get(RANKING, {"period": "year", "year": "2026"})
    annual = [score for score in response.context["page"].object_list if score.user == alice]
    assert annual and annual[0].total == Decimal("49.58") and annual[0].months == 1
    detail = client.get(reverse("evaluation:score_detail", args=[annual[0].pk]))
    assert list(detail.context["months"]) == [_score_of(alice)]
    assert _records(client, annual[0], Metric.VISIT_COVERAGE).status_code == 404  # month by month only


def test_an_empty_month_says_what_to_do_next(client, month):
    log_in_as(client, month.evaluator)
    response = _ranking(client, month="2026-08")
    assert "还没有民警的考核分数" in response.content.decode()


def test_a_subject_without_households_is_listed_apart_as_no_data(client, month, alice, bob):
    log_in_as(client, month.evaluator)
    response = _ranking(client)
    page = response.content.decode()
    ranked, apart = page.split('data-testid="unranked-heading"')
    assert "艾丽" in ranked and "第2名" in ranked
    assert bob.name in apart and "不参与排名" in apart and "无数据" in apart and "本月没有联系户" in apart
    assert "第3名" not in page
    detail = client.get(reverse("evaluation:score_detail", args=[_score_of(bob).pk])).content.decode()
    assert "不参与" in detail and "本月没有联系户(访户率无数据)" in detail and "不计分" in detail
    log_in_as(client, bob)
    mine = client.get(reverse("evaluation:my_scores")).content.decode()
    assert "不参与排名(本月没有联系户)" in mine
