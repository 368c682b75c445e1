"""The reconciler queues again the work PostgreSQL says is still pending; tasks run eagerly here, so what it
queues is done by the time it returns. Run twice, it changes nothing more."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluation.models import Callback, DailyReview
from evaluation.services.reconcile import jobs_reconcile
from evaluation.tasks import reconcile_task
from feedback import services as feedback_services
from feedback.models import Category, Matter, TopicModel
from feedback.services.classification import previous_month
from jingshi_jiafang.core.imports.services import import_upload
from jingshi_jiafang.core.models import ExportJob, Household, ImportProblem, ImportRun, User
from tests.core.factories import HouseholdFactory, UserFactory
from tests.core.imports_data import household_rows, upload
from tests.feedback.helpers import walk_in
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


def _at(day, hour):
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def _visits_of(day, count):
    return [
        VisitFactory(household=HouseholdFactory(), visited_at=_at(day, 10), created_at=_at(day, 10))
        for _ in range(count)
    ]


def test_a_day_whose_callbacks_and_review_were_not_made_is_caught_up_once_past_the_hour(settings):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    visits = _visits_of(yesterday, 3)
    early = jobs_reconcile(now=_at(today, 5))  # before the morning jobs' hour: yesterday is not late yet
    assert yesterday not in early.callback_days and not Callback.objects.exists()
    done = jobs_reconcile(now=_at(today, 9))
    assert yesterday in done.callback_days and yesterday in done.review_days
    assert sorted(Callback.objects.values_list("visit_id", flat=True)) == sorted(v.pk for v in visits)
    assert DailyReview.objects.filter(day=yesterday).count() == 1
    again = jobs_reconcile(
        now=_at(
            today,
            9,
        )
    )
    assert yesterday not in again.callback_days and yesterday not in again.review_days
    assert Callback.objects.count() == 3 and DailyReview.objects.count() >= 1


def test_a_callbacks_job_that_stopped_half_way_is_finished_without_doubles():
    yesterday = timezone.localdate() - timedelta(days=1)
    _visits_of(yesterday, 4)
    call_command("create_callbacks", "--date", yesterday.isoformat(), stdout=StringIO())
    Callback.objects.filter(pk__in=Callback.objects.order_by("pk").values("pk")[:2]).delete()  # the crash
    out = StringIO()
    call_command("reconcile_jobs", "--date", yesterday.isoformat(), stdout=out)
    assert yesterday.strftime("%Y-%m-%d") in out.getvalue()
    call_command("reconcile_jobs", "--date", yesterday.isoformat(), stdout=StringIO())
    assert Callback.objects.count() == 4
    assert DailyReview.objects.filter(day=yesterday).count() == 1


def test_an_export_job_whose_queueing_was_lost_or_whose_worker_died_is_written_once(settings):
    auditor = UserFactory(role=User.Role.AUDITOR)
    now = timezone.now()
    lost_queue = ExportJob.objects.create(kind=ExportJob.Kind.AUDIT_LOG, requested_by=auditor, filename="a.xlsx")
    lost_worker = ExportJob.objects.create(kind=ExportJob.Kind.AUDIT_LOG, requested_by=auditor, filename="b.xlsx")
    just_asked = ExportJob.objects.create(kind=ExportJob.Kind.AUDIT_LOG, requested_by=auditor, filename="c.xlsx")
    ExportJob.objects.filter(pk=lost_queue.pk).update(created_at=now - timedelta(hours=1))
    ExportJob.objects.filter(pk=lost_worker.pk).update(
        created_at=now - timedelta(hours=3),
        status=ExportJob.Status.RUNNING,
        started_at=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60),
    )
    result = reconcile_task.delay().get()
    assert "导出任务 2 个" in result
    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {
        lost_queue.pk: ExportJob.Status.READY,
        lost_worker.pk: ExportJob.Status.READY,
        just_asked.pk: ExportJob.Status.PENDING,  # its own task is still on its way
    }
    assert "导出任务 0 个" in reconcile_task.delay().get()


def test_an_export_job_running_within_the_time_limit_is_left_to_its_worker(settings):
    auditor = UserFactory(role=User.Role.AUDITOR)
    job = ExportJob.objects.create(kind=ExportJob.Kind.AUDIT_LOG, requested_by=auditor, filename="a.xlsx")
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(hours=1), status=ExportJob.Status.RUNNING, started_at=timezone.now()
    )
    assert jobs_reconcile().exports == []
    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING


def test_the_reconciler_is_a_periodic_job(settings):
    assert settings.CELERY_BEAT_SCHEDULE["reconcile-jobs"]["task"] == "evaluation.tasks.reconcile_task"


def _import_run(admin, village, first, status, **times):
    """An uploaded household workbook whose task never ran (on-commit hooks are not run here), moved to `status`."""
    workbook = upload("households", household_rows(2, village.code, first))
    run = import_upload(kind="households", upload=workbook, actor=admin)
    ImportRun.objects.filter(pk=run.pk).update(status=status, **times)
    return run


def test_import_runs_whose_queueing_was_lost_or_whose_worker_died_are_finished_once(settings, village_a):
    admin = UserFactory(role=User.Role.ADMIN, unit=village_a.unit.parent)
    now = timezone.now()
    late = now - timedelta(hours=1)
    lost = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    Status = ImportRun.Status
    check_lost = _import_run(admin, village_a, 1, Status.QUEUED, created_at=late)
    check_worker_lost = _import_run(admin, village_a, 11, Status.CHECKING, created_at=lost, started_at=lost)
    write_lost = _import_run(admin, village_a, 21, Status.CONFIRMED, created_at=late, confirmed_at=late)
    write_worker_lost = _import_run(admin, village_a, 31, Status.WRITING, confirmed_at=lost, started_at=lost)
    just_uploaded = _import_run(admin, village_a, 41, Status.QUEUED)
    just_confirmed = _import_run(admin, village_a, 51, Status.CONFIRMED, confirmed_at=now)
    writing = _import_run(admin, village_a, 61, Status.WRITING, confirmed_at=late, started_at=now)
    # The lost check had written a problem before its worker died: checked again, it is not reported twice.
    ImportProblem.objects.create(run=check_worker_lost, row_number=2, column="户号", message="旧的检查结果")

    result = reconcile_task.delay().get()
    assert "导入任务 4 个" in result
    statuses = dict(ImportRun.objects.values_list("pk", "status"))
    assert statuses == {
        check_lost.pk: Status.CHECKED,
        check_worker_lost.pk: Status.CHECKED,
        write_lost.pk: Status.DONE,
        write_worker_lost.pk: Status.DONE,
        just_uploaded.pk: Status.QUEUED,  # their own tasks are still on their way
        just_confirmed.pk: Status.CONFIRMED,
        writing.pk: Status.WRITING,  # its worker is still within the time limit
    }
    assert not ImportProblem.objects.exists()
    assert sorted(Household.objects.values_list("registration_number", flat=True)) == [
        f"3213220{n:06d}" for n in (21, 22, 31, 32)
    ]
    assert "导入任务 0 个" in reconcile_task.delay().get()
    assert Household.objects.count() == 4
    assert dict(ImportRun.objects.values_list("pk", "status")) == statuses


def test_a_closed_month_whose_retraining_was_lost_is_retrained_once_past_the_grace(
    settings, village_a, django_capture_on_commit_callbacks
):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    legal = UserFactory(role=User.Role.LEGAL, unit=village_a.unit.parent)
    last_month = previous_month(timezone.localdate())
    matter = walk_in(duty, "户口本上名字写错了一个字,怎么改")
    Matter.objects.filter(pk=matter.pk).update(created_at=_at(last_month.replace(day=10), 9))
    feedback_services.matter_topic_confirm(matter=matter, actor=legal, category=Category.LAW_ENFORCEMENT)
    with django_capture_on_commit_callbacks():  # the broker was down: the training queued at the close is lost
        closed = feedback_services.topic_month_close(month=last_month, actor=legal)
    before = TopicModel.objects.order_by("-version").first()
    assert before.trained_at < closed.closed_at
    within_grace = closed.closed_at + timedelta(seconds=settings.RECONCILE_GRACE_SECONDS - 60)
    assert not jobs_reconcile(now=within_grace).retrained
    past_grace = closed.closed_at + timedelta(seconds=settings.RECONCILE_GRACE_SECONDS + 60)
    assert jobs_reconcile(now=past_grace).retrained
    retrained = TopicModel.objects.order_by("-version").first()
    assert retrained.version == before.version + 1 and retrained.confirmed_examples >= 1
    assert not jobs_reconcile(now=past_grace).retrained
