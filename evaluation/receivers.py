"""Keeping the summary tables right when an old day changes.

The daily job rebuilds yesterday and the hourly one today; what else can change a day already summarised is a
visit entered late (补录) or corrected, with its findings and registration corrections, a night-visit plan, and a
matter classified, merged or sent to another unit after the day it was received (its day counts it by category and
unit). Those are written by visits and feedback, which sit below evaluation and may not call it (import-linter), so
evaluation listens to their saves and deletes here — the one place the summaries are kept by signals; it is
connected in `EvaluationConfig.ready()` and named in the README's architecture section.

The rebuild runs after the writing transaction commits (a rolled-back visit changes nothing), once per
transaction for each (day, village, unit) touched: a visit with three findings and two corrections rebuilds its
village's day once.
"""

from datetime import date

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from feedback.models import Matter
from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit

Key = tuple[date, int | None, int | None]


class _PendingRefresh:
    """The (day, village, unit) keys a transaction touched, rebuilt together when it commits."""

    def __init__(self) -> None:
        self.keys: set[Key] = set()

    def __call__(self) -> None:
        # Imported when run: the services read every app's models, the receivers only visits'.
        from evaluation.services.summaries import summaries_refresh_many

        summaries_refresh_many(self.keys)


def _pending() -> _PendingRefresh | None:
    # The callbacks waiting for this transaction's commit; Django forgets them when it rolls back, and so a
    # rolled-back transaction's keys are forgotten with them. Each entry is (savepoint ids, callable, robust).
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _PendingRefresh):
            return entry[1]
    return None


def schedule_refresh(keys: list[Key]) -> None:
    if not connection.in_atomic_block:
        refresh = _PendingRefresh()
        refresh.keys.update(keys)
        refresh()
        return
    refresh = _pending()
    if refresh is None:
        refresh = _PendingRefresh()
        transaction.on_commit(refresh)
    refresh.keys.update(keys)


def _visit_key(visit: Visit) -> Key:
    return (timezone.localtime(visit.visited_at).date(), visit.village_id, visit.unit_id)


def _visit_saved(sender, instance: Visit, **kwargs) -> None:
    schedule_refresh([_visit_key(instance), *getattr(instance, "_summary_keys_before", [])])


def _visit_about_to_change(sender, instance: Visit, raw=False, **kwargs) -> None:
    # A correction can move a visit to another day or village: the day it leaves is rebuilt too.
    if raw or instance.pk is None:
        return
    before = Visit.objects.filter(pk=instance.pk).values_list("visited_at", "village_id", "unit_id").first()
    if before is not None:
        instance._summary_keys_before = [(timezone.localtime(before[0]).date(), before[1], before[2])]


def _visit_deleted(sender, instance: Visit, **kwargs) -> None:
    schedule_refresh([_visit_key(instance)])


def _of_visit_changed(sender, instance, **kwargs) -> None:
    schedule_refresh([_visit_key(instance.visit)])


def _night_plan_changed(sender, instance: NightVisitPlan, **kwargs) -> None:
    schedule_refresh([(instance.date, instance.village_id, instance.unit_id)])


def _matter_counted_as(matter) -> tuple:
    # What a matter's receipt day counts it by (evaluation/services/summaries.py: `_matter_sources`).
    return (matter.created_at, matter.village_id, matter.unit_id, matter.category, matter.state == Matter.State.MERGED)


def _matter_key(created_at, village_id, unit_id) -> Key:
    return (timezone.localtime(created_at).date(), village_id, unit_id)


def _matter_about_to_change(sender, instance: Matter, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    before = (
        Matter.objects.filter(pk=instance.pk).only("created_at", "village_id", "unit_id", "category", "state").first()
    )
    if before is not None:
        instance._counted_before = _matter_counted_as(before)


def _matter_saved(sender, instance: Matter, created=False, raw=False, **kwargs) -> None:
    # A new matter counts on today, which the hourly refresh keeps; one changed later counts where it did before
    # (rebuilt without it) and where it does now — only when what its day counts changed, not on every step.
    before = getattr(instance, "_counted_before", None)
    if raw or created or before is None or before == _matter_counted_as(instance):
        return
    schedule_refresh(
        [_matter_key(*before[:3]), _matter_key(instance.created_at, instance.village_id, instance.unit_id)]
    )


def connect() -> None:
    pre_save.connect(_visit_about_to_change, sender=Visit, dispatch_uid="summaries_visit_pre_save")
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="summaries_visit_saved")
    post_delete.connect(_visit_deleted, sender=Visit, dispatch_uid="summaries_visit_deleted")
    for model in (Finding, RegistrationCorrection):
        post_save.connect(_of_visit_changed, sender=model, dispatch_uid=f"summaries_{model.__name__}_saved")
        post_delete.connect(_of_visit_changed, sender=model, dispatch_uid=f"summaries_{model.__name__}_deleted")
    post_save.connect(_night_plan_changed, sender=NightVisitPlan, dispatch_uid="summaries_night_plan_saved")
    post_delete.connect(_night_plan_changed, sender=NightVisitPlan, dispatch_uid="summaries_night_plan_deleted")
    pre_save.connect(_matter_about_to_change, sender=Matter, dispatch_uid="summaries_matter_pre_save")
    post_save.connect(_matter_saved, sender=Matter, dispatch_uid="summaries_matter_saved")


def discard_pending() -> None:
    """Forget the rebuilds this transaction has scheduled: for a caller about to rebuild every day anyway (the
    demo loader's last step), which would otherwise rebuild them a second time at commit."""
    connection.run_on_commit[:] = [
        entry for entry in connection.run_on_commit if not isinstance(entry[1], _PendingRefresh)
    ]
