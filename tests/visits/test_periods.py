"""Issue #9: every query value goes through a form; a bad or out-of-range value gives a message or the default,
never a server error."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.models import Unit, User
from tests.conftest import log_in_as
from tests.core.factories import AreaLinkFactory, UserFactory
from visits.night import week_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator(client):
    return log_in_as(client, UserFactory(role=User.Role.EVALUATOR))


@pytest.mark.parametrize(
    "query",
    [
        {"overdue_days": "999999999999"},
        {"overdue_days": "-5"},
        {"overdue_days": "abc"},
        {"from": "0001-01-01"},
        {"to": "9999-12-31"},
        {"from": "2026-02-30"},
        {"area": "99999999999999999999"},
        {"area": "abc"},
    ],
)
def test_coverage_survives_bad_query_values(client, evaluator, village_a, query):
    response = client.get(reverse("visits:coverage"), query)
    assert response.status_code == 200
    assert response.context["filter_errors"]
    assert response.context["end"] == timezone.localdate()


def test_coverage_says_why_a_date_was_ignored(client, evaluator, village_a):
    body = client.get(reverse("visits:coverage"), {"from": "1900-01-01"}).content.decode()
    assert "日期超出范围" in body


def test_coverage_with_from_after_to_is_refused_with_a_message(client, evaluator, village_a):
    today = timezone.localdate()
    response = client.get(reverse("visits:coverage"), {"from": today.isoformat(), "to": "2025-01-01"})
    assert response.status_code == 200
    assert "起始日期不能晚于截止日期" in response.content.decode()


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "abc", "99999999999-1-1"])
def test_night_plan_week_out_of_range_falls_back_to_the_default_week(client, bob, week):
    from visits.night import next_night_date

    client.force_login(bob)
    response = client.get(reverse("visits:night_plan"), {"week": week})
    assert response.status_code == 200
    assert response.context["week"] == week_start(next_night_date(timezone.localdate()))


@pytest.mark.parametrize("query", [{"unit": "abc"}, {"unit": "99999999999999999999"}, {"week": "9999-12-31"}])
def test_night_compliance_survives_bad_query_values(client, bob, query):
    client.force_login(bob)
    response = client.get(reverse("visits:night_compliance"), query)
    assert response.status_code == 200
    assert response.context["unit"] == bob.unit


@pytest.mark.parametrize("month", ["99999999999999999999-1", "2026-13", "0001-01", "abc"])
def test_diary_month_out_of_range_shows_every_month_with_a_message(client, alice, month):
    client.force_login(alice)
    response = client.get(reverse("visits:diary"), {"month": month})
    assert response.status_code == 200
    assert response.context["month"] is None
    assert response.context["filter_errors"]


def test_leaders_night_compliance_opens_on_the_station_of_their_town(client, village_a, village_b, station_b):
    # 城东 (CD) sorts before 城西 (CX): the page used to open on the first station, not the leader's own.
    leader = UserFactory(role=User.Role.LEADER, unit=station_b.parent)
    AreaLinkFactory(user=leader, area=village_b.parent)
    log_in_as(client, leader)
    response = client.get(reverse("visits:night_compliance"))
    assert response.context["unit"] == station_b


def test_county_wide_roles_open_night_compliance_on_the_whole_county(client, evaluator, station_a, station_b):
    response = client.get(reverse("visits:night_compliance"))
    assert response.context["unit"].kind == Unit.Kind.BUREAU


def test_the_shared_period_filter_reads_a_range_a_week_and_a_month():
    from visits.filters import PeriodFilterForm

    today = timezone.localdate()
    form = PeriodFilterForm({"from": "2026-01-05", "to": "2026-02-01", "week": "2026-01-07", "month": "2026-01"})
    assert form.period(default_days=30) == (form.cleaned_data["from"], form.cleaned_data["to"])
    assert form.week() == week_start(form.cleaned_data["week"])
    assert form.month().day == 1
    empty = PeriodFilterForm({})
    assert empty.period(default_days=30) == (today - timedelta(days=29), today)
    assert empty.week() == week_start(today) and empty.month() is None and not empty.errors_text()
