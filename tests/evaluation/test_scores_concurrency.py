"""Two runs of the month job at once (a beat run and a hand run of compute_scores): the month row's lock makes
the second wait and find nothing to change, instead of both inserting the same scores."""

import pytest

from evaluation.models import Score
from evaluation.services.scores import scores_compute
from tests.conftest import run_at_once
from tests.evaluation.scores_month import MONTH, TODAY, build_month

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_runs_at_once_write_the_scores_once(alice, bob, village_a):
    build_month(alice=alice, bob=bob, village_a=village_a)
    results = run_at_once(lambda _: scores_compute(month=MONTH, today=TODAY), [1, 2])
    assert not [result for result in results if isinstance(result, Exception)], results
    assert sorted(results)[0] == 0 and sorted(results)[1] > 0
    assert Score.objects.filter(period=Score.Period.MONTH, user=alice).count() == 1
