"""Visits to organisations (单位走访) in the figures: counted apart from the households' visits, which are what the
method's figures (走访户次, 走访户数, coverage) are about; and called back on the organisation's phone."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Callback, UnitDaySummary, VillageDaySummary
from evaluation.selectors.callbacks import callback_phone
from evaluation.selectors.reviews import notice_rows
from evaluation.services.callbacks import callbacks_create
from evaluation.services.reviews import daily_review_build
from evaluation.services.summaries import summaries_refresh
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from tests.core.factories import BureauFactory, HouseholdFactory, OrganisationFactory, UserFactory, VillageFactory
from tests.evaluation.factories import evaluator
from tests.evaluation.summaries_data import at
from tests.visits.factories import OrganisationVisitFactory, VisitFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 18)


@pytest.fixture
def visits():
    village = VillageFactory()
    officer = UserFactory(unit=village.unit)
    household_visit = VisitFactory(household=HouseholdFactory(village=village), visitor=officer, visited_at=at(DAY, 9))
    school = OrganisationFactory(village=village, phone="13900002222")
    organisation_visit = OrganisationVisitFactory(organisation=school, visitor=officer, visited_at=at(DAY, 10))
    return household_visit, organisation_visit


def test_the_summaries_count_organisation_visits_apart(visits):
    summaries_refresh(day=DAY)
    row = VillageDaySummary.objects.get(day=DAY)
    assert (row.visits_day, row.visits_organisation, row.households_visited) == (1, 1, 1)
    unit_row = UnitDaySummary.objects.get(day=DAY)
    assert (unit_row.visits_day, unit_row.visits_organisation) == (1, 1)


def test_the_dashboard_shows_organisation_visits_beside_the_households(client, visits):
    summaries_refresh(day=DAY)
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR, unit=BureauFactory()))
    response = client.get(reverse("evaluation:dashboard"), {"period": "month", "month": "2026-03"})
    cards = {card["key"]: card["value"] for card in response.context["cards"]}
    assert (cards["visits"], cards["households"], cards["organisations"]) == (1, 1, 1)
    assert "单位走访" in response.content.decode()


def test_the_daily_notice_counts_organisation_visits_apart_from_the_households_total(visits):
    review = daily_review_build(day=DAY, actor=system_actor())
    assert review.figures["visits"]["total"] == 1
    notice = notice_rows(review.figures)
    # The day's household total is what the bracketed kinds add up; the organisations visited come after it.
    assert dict(notice["kinds"])["昼访"] == 1 and "单位走访" not in dict(notice["kinds"])
    assert notice["organisation_visits"] == 1


def test_an_organisation_visit_is_called_back_on_the_organisations_phone(client, visits):
    _, organisation_visit = visits
    day = timezone.localdate() - timedelta(days=1)
    organisation_visit.visited_at = organisation_visit.created_at = timezone.now() - timedelta(days=1)
    organisation_visit.save()
    assert callbacks_create(day=day) >= 1
    assert callbacks_create(day=day) == 0  # run twice: nothing new
    callback = Callback.objects.get(visit=organisation_visit)
    assert callback.household is None and callback.village == organisation_visit.village
    assert callback_phone(callback) == "13900002222"
    log_in_as(client, evaluator())
    page = client.get(reverse("evaluation:callback_detail", args=[callback.pk]))
    assert page.status_code == 200 and organisation_visit.organisation.name in page.content.decode()
    assert client.get(reverse("evaluation:callback_queue")).status_code == 200
    called = client.post(reverse("evaluation:callback_call", args=[callback.pk]))
    assert called.status_code == 200 and "13900002222" in called.content.decode()


def test_the_notice_page_says_the_organisations_after_the_households_total(client, visits):
    daily_review_build(day=DAY, actor=system_actor())
    log_in_as(client, UserFactory(role=User.Role.EVALUATOR, unit=BureauFactory()))
    page = client.get(reverse("evaluation:review_detail", kwargs={"day": DAY})).content.decode()
    assert "走访 <strong>1</strong> 户次（昼访 1、" in page and "），另走访单位 1 家次；" in page
    # The unit's row too: its household kinds add up to its total, the organisation apart.
    assert "<small>1/0/0/0</small><br><small>另走访单位 1 家次</small>" in page
