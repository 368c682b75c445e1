"""Once per period: a job run inside `run_once` takes effect once for its period, however often it is queued."""

import pytest

from jingshi_jiafang.core.job_runs import run_once
from jingshi_jiafang.core.models import AuditVerification, JobRun
from jingshi_jiafang.core.tasks import audit_verify_task
from tests.conftest import run_at_once


@pytest.mark.django_db
def test_a_second_run_of_the_period_does_nothing_and_a_new_period_runs():
    calls = []
    assert run_once(job="j", period="2026-11-01", work=lambda: calls.append(1) or "done") == "done"
    assert run_once(job="j", period="2026-11-01", work=lambda: calls.append(2)) is None
    assert run_once(job="j", period="2026-11-02", work=lambda: calls.append(3) or "next") == "next"
    assert calls == [1, 3]


@pytest.mark.django_db
def test_a_run_that_failed_leaves_no_record_so_the_next_one_does_the_work():
    def crash():
        raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        run_once(job="j", period="2026-11-01", work=crash)
    assert not JobRun.objects.exists()
    assert run_once(job="j", period="2026-11-01", work=lambda: "done") == "done"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_queuing_the_nightly_verification_at_once_store_one_finding():
    results = run_at_once(lambda _: audit_verify_task(), [1, 2])
    assert sorted(results, key=str) == [None, True], results
    assert AuditVerification.objects.count() == 1
