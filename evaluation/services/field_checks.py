"""Writes of field checks (实地考核): an evaluator records what they found on the spot about a visit or a ledger
item. A visit found 不属实 is a false visit (虚假走访) for scores."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluation.models import FieldCheck
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.dates import recent_date_error
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import User
from ledger.models import LedgerItem
from visits.models import Visit

# A check is written up within a month of the day it was made.
CHECK_PAST_DAYS = 31


class FieldCheckError(DomainError):
    """A field check the rules do not allow; the message is shown to the user."""


def _source_fields(*, visit: Visit | None, ledger_item: LedgerItem | None) -> dict:
    if (visit is None) == (ledger_item is None):
        raise FieldCheckError("请指明核查的家访或台账事项。")
    if visit is not None:
        return {
            "source": FieldCheck.Source.VISIT,
            "visit": visit,
            "household": visit.household,
            "village": visit.village,
            "unit": visit.unit,
            "worker": visit.visitor,
            "source_date": timezone.localtime(visit.visited_at).date(),
        }
    household = ledger_item.household
    return {
        "source": FieldCheck.Source.LEDGER_ITEM,
        "ledger_item": ledger_item,
        "household": household,
        "village": household.village if household is not None else None,
        "unit": ledger_item.unit,
        "worker": ledger_item.responsible,
        "source_date": timezone.localtime(ledger_item.created_at).date(),
    }


def field_check_record(
    *,
    actor: User,
    place: str,
    check_date: date,
    result: str,
    findings: str,
    visit: Visit | None = None,
    ledger_item: LedgerItem | None = None,
    request=None,
) -> FieldCheck:
    """Record one on-site check of a visit or a ledger item, with its audit entry in the same transaction. A visit
    is checked once, a ledger item once a day: a double submit is refused, not recorded twice."""
    require(actor, can.may_record_field_checks, error=FieldCheckError, message="只有民意访评中心可以记录实地考核。")
    if error := recent_date_error(check_date, past_days=CHECK_PAST_DAYS, day_label="核查日期", record="实地考核"):
        raise FieldCheckError(error)
    if result not in FieldCheck.Result.values:
        raise FieldCheckError("请选择核查结论。")
    if not findings.strip():
        raise FieldCheckError("请写明核查情况。")
    fields = _source_fields(visit=visit, ledger_item=ledger_item)
    if check_date < fields["source_date"]:
        raise FieldCheckError("核查日期不能早于被核查的家访或台账事项。")
    try:
        with transaction.atomic():
            check = FieldCheck.objects.create(
                **fields, place=place, check_date=check_date, result=result, findings=findings, checked_by=actor
            )
            audit_record(
                action=Action.STATE_CHANGED,
                actor=actor,
                request=request,
                target=check,
                detail={"to": result, "source": fields["source"], "worker": check.worker_id},
            )
    except IntegrityError:
        what = "这次家访已经做过实地考核。" if visit is not None else "该台账事项今天已经记录过实地考核。"
        raise FieldCheckError(what) from None
    return check
