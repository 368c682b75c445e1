"""The demo county's evaluation centre: summaries, questionnaires, scores and callbacks."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone

from evaluation.models import (
    Callback,
    FieldCheck,
    Questionnaire,
    QuestionnaireResponse,
    Score,
    ScoreMonth,
    SubjectKind,
    UnitDaySummary,
    VillageDaySummary,
)
from evaluation.selectors.callbacks import callback_phone, callbacks_without_phone, false_visits, queue_counts
from evaluation.selectors.questionnaires import index_trend, questionnaire_progress
from evaluation.services.callbacks import callbacks_create
from jingshi_jiafang.core.models import User
from tests.conftest import log_in_as
from visits.models import Finding, RegistrationCorrection, Visit

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_summaries_of_the_whole_demo_period_last(demo_county):
    assert "Dashboard summaries" in demo_county
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


def test_demo_surveys_show_a_rising_sense_of_security_and_satisfaction():
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
    # What the evaluator wrote agrees with the conclusion: a 属实 check finds nothing amiss.
    amiss = ("不属实", "尚未", "不完全", "偏多", "没有")
    assert not [
        check.findings for check in checks.filter(result="true") if any(word in check.findings for word in amiss)
    ]


def test_demo_has_scores_of_closed_past_months_and_the_open_current_month(demo_county):
    this_month = timezone.localdate().replace(day=1)
    months = list(ScoreMonth.objects.order_by("month"))
    assert len(months) >= 3 and months[-1].month == this_month
    assert not months[-1].is_closed and all(month.is_closed for month in months[:-1])
    officer = User.objects.get(username="officer")
    assert Score.objects.filter(user=officer, period=Score.Period.MONTH).count() == len(months)
    for kind in SubjectKind.values:
        assert Score.objects.filter(subject_kind=kind, period=Score.Period.YEAR).exists()
    # The scores differ: a demo where everyone has the same total would show nothing.
    totals = set(Score.objects.filter(subject_kind=SubjectKind.OFFICER).values_list("total", flat=True))
    assert len(totals) > 3
    assert "Scores:" in demo_county
    # every demo cadre answers for a village, as the method's cadres do: this month's cadre ranking has all of them
    cadres = Score.objects.filter(subject_kind=SubjectKind.CADRE, period=Score.Period.MONTH, period_start=this_month)
    assert cadres.exists() and not cadres.filter(rank__isnull=True, user__role=User.Role.CADRE).exists()


def test_the_demo_has_callbacks_with_results_and_a_queue_for_today(client):
    today = timezone.localdate()
    callbacks = Callback.objects.all()
    assert callbacks.filter(source="visit").count() == Visit.objects.filter(visited_at__date__lt=today).count()
    assert set(callbacks.values_list("state", flat=True)) == {"due", "done", "given_up"}
    assert set(callbacks.exclude(satisfaction="").values_list("satisfaction", flat=True)) == {
        "satisfied",
        "fairly_satisfied",
        "not_satisfied",
    }
    done = callbacks.filter(state="done")
    assert done.filter(satisfaction="satisfied").count() > done.count() / 2
    assert false_visits().count() >= 4
    # Each callback's attempts are its history rows; a done one has exactly one reached call.
    counted = callbacks.annotate(calls=Count("history")).exclude(calls=F("attempts"))
    assert not counted.exists()
    assert not done.annotate(reached=Count("history", filter=F("history__reached"))).exclude(reached=1).exists()
    counts = queue_counts(user=User.objects.get(username="evaluator"), today=today)
    assert counts.due_today and counts.retries and counts.overdue
    # The job for a day the demo made changes nothing.
    assert callbacks_create(day=today - timedelta(days=1)) == 0
    log_in_as(client, User.objects.get(username="evaluator"))
    page = client.get(reverse("evaluation:callback_queue")).content.decode()
    assert page.count('data-testid="queue-row"') >= 3
    assert client.get(reverse("evaluation:callback_figures")).status_code == 200


def test_a_demo_callback_with_no_number_is_given_up_at_its_first_call_as_the_service_records_it():
    callbacks = Callback.objects.select_related("household", "visit__organisation", "matter", "ledger_item__matter")
    without = set(callbacks_without_phone().values_list("pk", flat=True))
    assert without == {callback.pk for callback in callbacks if not callback_phone(callback)}
    called = Callback.objects.filter(pk__in=without, attempts__gt=0)
    assert called.exists()
    assert set(called.values_list("state", "attempts", "satisfaction")) == {("given_up", 1, "")}
    assert set(called.values_list("history__reached", "history__gave_up", "history__note")) == {
        (False, True, "未登记电话")
    }
