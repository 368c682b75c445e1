"""The reconciler: a periodic job that queues again the work PostgreSQL says is still to do. A task is queued
after its transaction commits; a crash, a Redis restart or a lost worker between the commit and the queue (or
during the task) leaves the work's state in the database with no task to finish it. Everything it queues is
idempotent (ExportJob's compare-and-set, the callbacks' and reviews' unique constraints), so queuing work that
was merely slow changes nothing. County-import runs (ImportRun) likewise: their check and write are taken by a
compare-and-set on the run's status. The topic model's retraining after a closed month is the one exception: run
twice, it trains one more version, which suggests as the first one does."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from evaluation.models import DailyReview
from evaluation.services.callbacks import callbacks_missing
from feedback.models import TopicModel, TopicMonth
from jingshi_jiafang.core.export_jobs import export_jobs_to_take
from jingshi_jiafang.core.imports.services import CHECK, import_runs_to_take
from jingshi_jiafang.core.models import ExportJob, ImportRun

log = logging.getLogger(__name__)

# When the morning jobs of yesterday should be done: their beat times (settings.CELERY_BEAT_SCHEDULE) plus a
# margin for a busy worker. Before these hours a missing result is not yet late.
CALLBACKS_EXPECTED_BY = time(6, 0)
REVIEW_EXPECTED_BY = time(8, 0)
# How many past days are checked: a night the beat was down is caught up the next morning.
DAYS_CHECKED = 3


@dataclass
class Reconciled:
    exports: list[int] = field(default_factory=list)
    imports: list[int] = field(default_factory=list)
    callback_days: list[date] = field(default_factory=list)
    review_days: list[date] = field(default_factory=list)
    retrained: bool = False

    def __str__(self) -> str:
        days = lambda values: ", ".join(f"{day:%Y-%m-%d}" for day in values) or "无"  # noqa: E731
        return (
            f"重新排队:导出任务 {len(self.exports)} 个;导入任务 {len(self.imports)} 个;"
            f"次日回访 {days(self.callback_days)};每日研判 {days(self.review_days)};"
            f"类别模型重新训练 {'是' if self.retrained else '无'}"
        )


def _days_due(now: datetime, expected_by: time) -> list[date]:
    local = timezone.localtime(now)
    yesterday = local.date() - timedelta(days=1)
    days = [yesterday - timedelta(days=back) for back in range(DAYS_CHECKED - 1, 0, -1)]
    return [*days, yesterday] if local.time() >= expected_by else days


def _retraining_lost(waited: datetime) -> bool:
    """Whether a topic-review month closed before `waited` has had no model version trained since: the training
    queued at its close was lost, and the review page would say it is retraining for ever."""
    trained_at = TopicModel.objects.order_by("-version").values_list("trained_at", flat=True).first()
    closed = TopicMonth.objects.filter(closed_at__lt=waited)
    return closed.filter(closed_at__gt=trained_at).exists() if trained_at else closed.exists()


def jobs_reconcile(*, now: datetime | None = None, day: date | None = None) -> Reconciled:
    """Queue again: export jobs and import runs waiting longer than RECONCILE_GRACE_SECONDS (their queueing was
    lost) or running longer than any task may (their worker was lost); the callbacks and the daily review of `day`,
    or of the last DAYS_CHECKED days past the hour they were expected by, when the database has them still missing;
    the topic model's retraining when a month closed longer ago than the grace has not been learned from.
    Run twice, it queues the same work twice, which takes effect once."""
    from evaluation.tasks import create_callbacks_task, daily_review_task
    from feedback.tasks import train_topic_model_task
    from jingshi_jiafang.core.tasks import export_job_task, import_check_task, import_write_task

    now = now or timezone.now()
    result = Reconciled()
    waited = now - timedelta(seconds=settings.RECONCILE_GRACE_SECONDS)
    stuck = ExportJob.objects.filter(export_jobs_to_take(now)).exclude(
        Q(status=ExportJob.Status.PENDING) & Q(created_at__gte=waited)
    )
    for pk in stuck.order_by("pk").values_list("pk", flat=True):
        export_job_task.delay(pk)
        result.exports.append(pk)
    # A run waits for its check from its upload, for its write from its confirmation.
    stuck_imports = ImportRun.objects.filter(import_runs_to_take(now)).exclude(
        Q(status=ImportRun.Status.QUEUED, created_at__gte=waited)
        | Q(status=ImportRun.Status.CONFIRMED, confirmed_at__gte=waited)
    )
    for pk, status in stuck_imports.order_by("pk").values_list("pk", "status"):
        (import_check_task if status in CHECK else import_write_task).delay(pk)
        result.imports.append(pk)
    for when in [day] if day else _days_due(now, CALLBACKS_EXPECTED_BY):
        if callbacks_missing(day=when):
            create_callbacks_task.delay(when.isoformat())
            result.callback_days.append(when)
    for when in [day] if day else _days_due(now, REVIEW_EXPECTED_BY):
        if not DailyReview.objects.filter(day=when).exists():
            daily_review_task.delay(when.isoformat())
            result.review_days.append(when)
    if _retraining_lost(waited):
        train_topic_model_task.delay()
        result.retrained = True
    if result.exports or result.imports or result.callback_days or result.review_days or result.retrained:
        log.warning("Reconciler queued again work left pending: %s", result)
    return result
