"""Reads of field checks (实地考核): the list, the household timeline's events, and the false visits they found
for scores."""

from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from evaluation.models import FieldCheck
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.dates import midnight
from jingshi_jiafang.core.models import Household, User
from jingshi_jiafang.core.timeline import TimelineEvent


def field_checks_visible_to(user: User) -> QuerySet[FieldCheck]:
    """The evaluation centre sees every field check of the county; nobody else reads the list."""
    if not can.may_record_field_checks(user):
        return FieldCheck.objects.none()
    return FieldCheck.objects.all()


def field_check_list(*, user: User) -> QuerySet[FieldCheck]:
    return field_checks_visible_to(user).select_related(
        "visit__household", "visit__organisation", "ledger_item", "village__parent", "unit", "worker", "checked_by"
    )


def field_check_false_visits(*, start: date, end: date, unit_ids=None, worker_ids=None) -> QuerySet[FieldCheck]:
    """The visits made in [start, end] (by the day of the visit) that a field check found 不属实: false visits
    (虚假走访) for scores, beside the callbacks denied by the household. One row per visit (a visit is checked
    once); group them by `worker` (the visitor), `unit` or `village`, and count `visit` — e.g.
    `.values("worker").annotate(n=Count("visit"))`. Optionally limited to some units or workers."""
    checks = FieldCheck.objects.filter(
        source=FieldCheck.Source.VISIT, result=FieldCheck.Result.NOT_TRUE, source_date__range=(start, end)
    )
    if unit_ids is not None:
        checks = checks.filter(unit__in=unit_ids)
    if worker_ids is not None:
        checks = checks.filter(worker__in=worker_ids)
    return checks


def _checked_at(check) -> datetime:
    """When the check was recorded, if on the day of the check; a check recorded days later shows on its day, with
    no invented time of day."""
    if timezone.localtime(check.created_at).date() == check.check_date:
        return check.created_at
    return midnight(check.check_date)


def timeline_events(*, household: Household) -> list[TimelineEvent]:
    """The field checks made of this household's visits and ledger items, for the household timeline (one
    query)."""
    checks = household.field_checks.select_related("checked_by", "visit", "ledger_item")
    return [
        TimelineEvent(
            _checked_at(check),
            "field_check",
            f"实地考核({check.get_source_display()}):{check.get_result_display()}",
            (f"{check.place} · 核查人 {check.checked_by}", check.findings),
            # The record checked: the list of checks is the evaluation centre's, the visit or item is everyone's.
            check.subject.get_absolute_url(),
        )
        for check in checks
    ]
