"""The bench's bulk loader at a tiny scale (seconds), and the figures `make bench` must report."""

from datetime import timedelta

import pytest
from django.db.models import Count, Max, Q
from django.utils import timezone

from bench import measure
from bench.loader import DILIGENT_DAYS, DILIGENT_OFFICER, add_matters, load
from evaluation.models import Callback
from feedback.models import Matter, MatterEvent
from jingshi_jiafang.core.crypto import keyed_hash
from jingshi_jiafang.core.models import Household, HouseholdLink
from visits.models import RegistrationCorrection, Visit

pytestmark = pytest.mark.django_db

TINY = 1 / 3000  # 200 households in two villages, about 330 visits and a visit this month to the second's


def test_loader_writes_a_consistent_county():
    result = load(TINY)

    assert result.rows["households"] == Household.objects.count() == 200
    assert result.rows["visits"] == Visit.objects.count() == 426
    assert result.rows["corrections"] == RegistrationCorrection.objects.count() > 300
    assert result.rows["matters"] == Matter.objects.count() == MatterEvent.objects.count() == 50
    # Every household has one active link, to the officer of its village; every visit was made by that officer.
    assert HouseholdLink.objects.active().values("household").distinct().count() == 200
    officer_of = dict(HouseholdLink.objects.values_list("household", "officer"))
    visits = Visit.objects.values_list("household", "visitor")
    assert all(officer_of[household] == visitor for household, visitor in visits)
    # ID numbers are stored encrypted, found by their keyed hash as the model fields do it.
    household = Household.objects.order_by("pk").first()
    assert len(household.head_id_number) == 18
    assert Household.objects.get(head_id_number_hash=keyed_hash(household.head_id_number)) == household
    assert Household.objects.values("head_id_number_hash").distinct().count() == 200
    # A household's last visit is its latest visit.
    latest = dict(Visit.objects.values("household").annotate(at=Max("visited_at")).values_list("household", "at"))
    for pk, last in Household.objects.filter(last_visited_at__isnull=False).values_list("pk", "last_visited_at"):
        assert latest[pk] == last
    assert Household.objects.filter(last_visited_at__isnull=False).count() == len(latest)
    # A callback per visit, except yesterday's and today's: creating those is the job the bench times.
    yesterday = timezone.localdate() - timedelta(days=1)
    recent = sum(1 for v in Visit.objects.all() if timezone.localdate(v.visited_at) >= yesterday)
    assert Callback.objects.filter(source=Callback.Source.VISIT).count() == 426 - recent
    assert not Callback.objects.values("visit").annotate(n=Count("pk")).filter(n__gt=1).exists()
    # The diligent officer's households were each visited in the last month; the demo officer's were not.
    month_ago = timezone.now() - timedelta(days=DILIGENT_DAYS, hours=2)
    diligent = Household.objects.filter(links__officer__username=DILIGENT_OFFICER)
    assert diligent.count() == 100
    assert not diligent.filter(Q(last_visited_at__lt=month_ago) | Q(last_visited_at__isnull=True)).exists()
    assert Household.objects.filter(links__officer__username="officer", last_visited_at__isnull=True).exists()
    # Closed matters carry a result (the table's own check would refuse them otherwise on PostgreSQL).
    assert not Matter.objects.filter(state=Matter.State.CLOSED, result="").exists()


def test_add_matters_fills_a_month():
    load(TINY)
    start = timezone.localdate().replace(day=1) - timedelta(days=40)
    end = start + timedelta(days=9)

    assert add_matters(120, start, end, seed=1) == 120
    added = Matter.objects.filter(reference__startswith="E")
    assert added.count() == 120
    days = {timezone.localdate(at) for at in added.values_list("created_at", flat=True)}
    assert min(days) >= start and max(days) <= end


def test_page_figures_name_every_page_figure_the_issue_lists():
    small = {page: {"ms": 10.0, "queries": 9} for page in measure.PAGE_FIGURES}
    large = {page: {"ms": 12.0, "queries": 9} for page in measure.PAGE_FIGURES}
    large["dashboard"]["ms"] = 16.0  # growth 1.6: over the dashboard's 1.5

    figures = measure.page_figures(small, large)

    assert figures["dashboard.growth"] == {"value": 1.6, "unit": "×", "target": "≤ 1.5", "ok": False}
    assert figures["diary.growth"]["ok"] is True
    assert figures["pages.max_queries"]["value"] == 9
    page_names = {name for name in measure.REQUIRED if name in figures}
    others = set(measure.REQUIRED) - page_names
    assert others == set(measure.REQUIRED_ELSEWHERE) - {"pages.max_queries"}
    for item in figures.values():
        assert set(item) == {"value", "unit", "target", "ok"}
