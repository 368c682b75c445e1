import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from evaluation.models import UnitDaySummary, VillageDaySummary
from visits.models import Finding, RegistrationCorrection, Visit

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_summaries_of_the_whole_demo_period_last():
    out = io.StringIO()
    call_command("seed_demo", "--force", "--households", "300", "--days", "30", stdout=out)
    assert "Dashboard summaries" in out.getvalue()
    visits = VillageDaySummary.objects.aggregate(
        day=Sum("visits_day"),
        night=Sum("visits_night"),
        topic=Sum("visits_topic"),
        pairing=Sum("visits_pairing"),
        organisations=Sum("visits_organisation"),
        corrections=Sum("corrections"),
        clues=Sum("case_clues"),
    )
    households = Visit.objects.filter(household__isnull=False).count()
    assert sum(visits[kind] for kind in ("day", "night", "topic", "pairing")) == households > 0
    # The demo's visits to organisations (单位走访), counted apart.
    assert visits["organisations"] == Visit.objects.filter(organisation__isnull=False).count() > 0
    assert visits["corrections"] == RegistrationCorrection.objects.count()
    assert visits["clues"] == Finding.objects.filter(kind=Finding.Kind.CASE_CLUE).count()
    assert UnitDaySummary.objects.aggregate(n=Sum("visits_day"))["n"] == visits["day"]
    # Built once, in the loader's transaction: nothing left to rebuild after it.
    out = io.StringIO()
    call_command("refresh_summaries", "--from", str(VillageDaySummary.objects.earliest("day").day), stdout=out)
    assert "0 village rows and 0 unit rows written" in out.getvalue()
