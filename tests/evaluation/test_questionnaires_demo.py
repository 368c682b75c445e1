"""The demo county's questionnaires and field checks: three monthly county surveys whose indices rise, this month's
under way, and field checks with a false visit or two."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluation.models import FieldCheck, Questionnaire, QuestionnaireResponse
from evaluation.selectors.questionnaires import index_trend, questionnaire_progress

pytestmark = pytest.mark.django_db


def test_demo_surveys_show_a_rising_sense_of_security_and_satisfaction():
    call_command("seed_demo", "--force", "--households", "1500", "--days", "60", "--seed", "3", stdout=io.StringIO())
    questionnaires = list(Questionnaire.objects.order_by("start"))
    assert len(questionnaires) == 3 and all(q.area is None and q.sample_size == 120 for q in questionnaires)
    assert questionnaires[-1].start == timezone.localdate().replace(day=1)
    assert questionnaire_progress(questionnaire=questionnaires[-1])["pending"] > 0  # this month's is under way
    assert questionnaire_progress(questionnaire=questionnaires[0])["pending"] == 0
    assert set(QuestionnaireResponse.objects.values_list("outcome", flat=True)) == set(
        QuestionnaireResponse.Outcome.values
    )
    trend = index_trend(area=None, months=3)
    assert all(row["responses"] > 50 for row in trend)
    security = [row["security"] for row in trend]
    satisfaction = [row["satisfaction"] for row in trend]
    assert security == sorted(security) and satisfaction == sorted(satisfaction)
    assert security[-1] - security[0] > 5
    checks = FieldCheck.objects.all()
    assert checks.filter(source="visit").count() == 16 and checks.filter(source="ledger_item").exists()
    assert checks.filter(source="visit", result="not_true").count() == 2
    assert checks.filter(source="visit", result="true").exists()
