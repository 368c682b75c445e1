"""The demo county comes with scores: past months closed, the current month open."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluation.models import Score, ScoreMonth, SubjectKind
from jingshi_jiafang.core.models import User

pytestmark = pytest.mark.django_db


def test_demo_has_scores_of_closed_past_months_and_the_open_current_month():
    out = StringIO()
    call_command("seed_demo", "--force", "--households", "1500", "--days", "70", stdout=out)
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
    assert "Scores:" in out.getvalue()
