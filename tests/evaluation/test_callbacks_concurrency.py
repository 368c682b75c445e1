"""The same callback form sent twice at the same moment (a double tap on a phone) records one call: the second
waits for the first's row lock and finds the callback no longer due today."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluation.errors import CallbackError
from evaluation.models import Callback
from evaluation.services.callbacks import callback_record, callbacks_create
from tests.conftest import run_at_once
from tests.evaluation.factories import VisitCallbackFactory, evaluator
from tests.visits.factories import VisitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "answer",
    [
        {"reached": False},
        {"reached": True, "visit_check": "confirmed", "satisfaction": "satisfied"},
    ],
)
def test_a_double_submit_records_one_attempt(answer):
    callback = VisitCallbackFactory()
    caller = evaluator()
    results = run_at_once(
        lambda _: callback_record(callback=callback, actor=caller, today=callback.due_date, **answer), [1, 2]
    )
    kinds = sorted(type(result).__name__ for result in results)
    assert kinds == ["CallbackError", "tuple"], results
    assert isinstance(next(r for r in results if not isinstance(r, tuple)), CallbackError)
    callback.refresh_from_db()
    assert callback.attempts == 1 and callback.history.count() == 1


def test_two_runs_of_the_job_at_once_make_each_callback_once():
    for _ in range(5):
        VisitFactory()
    yesterday = timezone.localdate() - timedelta(days=1)
    results = run_at_once(lambda _: callbacks_create(day=yesterday), [1, 2])
    assert all(isinstance(result, int) for result in results), results
    assert Callback.objects.count() == 5
