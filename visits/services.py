"""Writes of the organisation and its links. Links are ended, never deleted, so history survives re-assignment.
Every change of a link is a change of someone's scope, and is written to the audit log in the same transaction."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.crypto import keyed_hash
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import Area, Household, Organisation, User
from jingshi_jiafang.core.once import create_once
from jingshi_jiafang.core.scopes import (
    is_paired_with,
    is_within_links,
    organisations_linked_to,
    organisations_visitable_by,
    unit_subtree,
    villages_visible_to,
)
from jingshi_jiafang.core.services import person_hours_lock
from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit
from visits.night import evening_is_over, evening_window, is_night_date, night_window_error, window_text
from visits.selectors import registration_values


class VisitError(DomainError):
    """A visit that cannot be saved as given; the message is shown to the visitor."""


# Household facts a visit may correct in place; each change is also written as a RegistrationCorrection.
CORRECTABLE_FACTS = ("head_name", "address", "phone", "members_count", "head_id_number")


@dataclass(frozen=True)
class FindingInput:
    kind: str
    description: str
    mediated_on_spot: bool = False


@dataclass(frozen=True)
class CorrectionInput:
    """A registration item and its corrected value; the old value is the household's current one, never typed."""

    field: str
    new_value: str


def _earlier_submission(visitor: User, submission_key: uuid.UUID) -> Visit | None:
    """The visit this form already made, when it is sent again. A key is the form's (or the phone's, for a visit
    kept offline): one of someone else's visits is never returned, for its page would be another's record."""
    existing = Visit.objects.filter(submission_key=submission_key).first()
    if existing is not None and existing.visitor_id != visitor.pk:
        raise VisitError("这份走访表单的提交编号已被使用,未保存。请重新打开走访表单填写。")
    return existing


def visit_log(
    *,
    visitor: User,
    household: Household,
    submission_key: uuid.UUID,
    details: dict,
    facts: dict,
    corrections: list[CorrectionInput] = (),
    findings: list[FindingInput] = (),
    requests: list[str] = (),
) -> tuple[Visit, bool]:
    """Record a visit with everything it found. Returns (visit, created): a second submission of the same form
    (a double tap on a slow connection) returns the first visit and changes nothing."""
    existing = _earlier_submission(visitor, submission_key)
    if existing is not None:
        return existing, False
    _check_visit(visitor=visitor, household=household, details=details)

    def record() -> Visit:
        visit = Visit.objects.create(
            visitor=visitor,
            household=household,
            village=household.village,
            unit=visitor.unit,
            submission_key=submission_key,
            **details,
        )
        in_place = {c.field: c.new_value for c in corrections if c.field in CORRECTABLE_FACTS}
        _apply_facts(visit, household, {**facts, **in_place}, members_change=_members_change(corrections))
        _record_corrections(visit, household, [c for c in corrections if c.field not in CORRECTABLE_FACTS])
        Finding.objects.bulk_create(Finding(visit=visit, **vars(finding)) for finding in findings)
        _register_requests(visit, requests, unit=household.village.unit, household=household)
        return visit

    return create_once(record, lambda: _earlier_submission(visitor, submission_key))


# A clock a few minutes fast on the officer's phone is not a visit in the future.
VISIT_CLOCK_SKEW = timedelta(minutes=10)


def visit_time_error(moment: datetime) -> str | None:
    """None when a visit at `moment` may still be entered now: not in the future, and no longer ago than the
    late-entry grace (补录期限), so that nobody backdates a visit to an evening or a month long past."""
    now = timezone.now()
    hours = settings.VISIT_LATE_ENTRY_HOURS
    if moment > now + VISIT_CLOCK_SKEW:
        return "走访时间不能晚于现在。"
    if moment < now - timedelta(hours=hours):
        limit = timezone.localtime(now - timedelta(hours=hours))
        return f"走访须在 {hours} 小时内录入:早于 {limit:%m月%d日 %H:%M} 的走访已过补录期限,不能再记录。"
    return None


def _check_visit(*, visitor: User, household: Household, details: dict) -> None:
    if not can.may_visit(visitor):
        raise VisitError("只有局领导、中层干部和民警记录家访。")
    if error := visit_time_error(details["visited_at"]):
        raise VisitError(error)
    if details["kind"] == Visit.Kind.NIGHT and (error := night_window_error(details["visited_at"])):
        raise VisitError(error)
    if details["kind"] == Visit.Kind.PAIRING and not is_paired_with(
        visitor, household, on=timezone.localdate(details["visited_at"])
    ):
        raise VisitError("结对走访只能记录在走访当天与您结对的特困户。")
    if not details.get("outside_links_reason"):
        if not is_within_links(visitor, household):
            raise VisitError("该户不在您的联系范围内,请填写走访理由。")
        if not is_within_links(visitor, household, on=timezone.localdate(details["visited_at"])):
            raise VisitError("走访时间早于您与该户的联系开始日期,不能记录联系开始之前的走访。")


def _record_corrections(visit: Visit, household: Household, corrections: list[CorrectionInput]) -> None:
    current = registration_values(household=household)
    RegistrationCorrection.objects.bulk_create(
        RegistrationCorrection(
            visit=visit, household=household, field=c.field, old_value=current.get(c.field, ""), new_value=c.new_value
        )
        for c in corrections
        if c.new_value != current.get(c.field)
    )


def _members_change(corrections: list[CorrectionInput]) -> int:
    """How many people join the household (negative: leave) by the visit's 增加人员 / 减少人员 lines."""
    fields = [c.field for c in corrections if c.new_value]
    return fields.count(RegistrationCorrection.Field.MEMBER_ADDED) - fields.count(
        RegistrationCorrection.Field.MEMBER_REMOVED
    )


def _apply_facts(visit: Visit, household: Household, facts: dict, members_change: int = 0) -> None:
    household = Household.objects.select_for_update().get(pk=household.pk)
    given = facts.get("members_count")
    if members_change and (given is None or int(given) == household.members_count):
        # A person added or removed changes the family size by one each, unless the visitor corrected the size
        # themselves on the same visit; the new size is written below as a 家庭人口 correction, so history shows it.
        size = household.members_count + members_change
        if size < 1:
            raise VisitError(
                f"该户登记家庭人口 {household.members_count} 人,不能再减少人员;如该户已无人居住,请在“其他”中说明。"
            )
        facts = {**facts, "members_count": size}
    id_number = facts.get("head_id_number")
    if id_number and id_number != household.head_id_number:
        # The hash column is unique: say so in words instead of failing on the index.
        others = Household.objects.exclude(pk=household.pk)
        if others.filter(head_id_number_hash=keyed_hash(id_number)).exists():
            raise VisitError("该身份证号已登记在另一户,请核对后再整改。")
    changed = [name for name in CORRECTABLE_FACTS if name in facts and facts[name] != getattr(household, name)]
    RegistrationCorrection.objects.bulk_create(
        RegistrationCorrection(
            visit=visit,
            household=household,
            field=name,
            old_value=str(getattr(household, name) or ""),
            new_value=str(facts[name]),
        )
        for name in changed
    )
    for name in changed:
        setattr(household, name, facts[name])
    if household.last_visited_at is None or household.last_visited_at < visit.visited_at:
        household.last_visited_at = visit.visited_at
        changed.append("last_visited_at")
    if changed:
        # The ID number's search hash is computed on save, and saved only when named.
        hashed = ["head_id_number_hash"] if "head_id_number" in changed else []
        household.save(update_fields=[*changed, *hashed, "updated_at"])


def _register_requests(visit: Visit, requests: list[str], *, unit, **resident) -> None:
    # A request heard on a visit is a resident's matter from then on: feedback owns it. One explicit call of the
    # later app's service, imported here so that visits does not depend on feedback at import time. `resident`
    # is the household, or for an organisation its contact, whom the evaluation centre's callback reaches.
    from feedback.models import Matter
    from feedback.services import matter_register

    for content in requests:
        matter_register(
            channel=Matter.Channel.VISIT, content=content, unit=unit, actor=visit.visitor, visit=visit, **resident
        )


@transaction.atomic
def night_plan_add(*, planner: User, officer: User, village: Area, date: date) -> NightVisitPlan:
    """A station head plans which officer visits which village on a night-visit evening."""
    if not can.may_plan_night_visits(planner):
        raise VisitError("只有单位负责人可以安排夜访。")
    if not is_night_date(date):
        raise VisitError(f"{date:%m月%d日}不是夜访日:夜访时间为{window_text()}。")
    if date < timezone.localdate():
        raise VisitError("不能安排已经过去的日期。")
    if evening_is_over(date):
        raise VisitError(f"今晚的夜访时间已过({window_text()}),请安排以后的夜访日。")
    in_unit = unit_subtree(planner.unit).filter(pk=officer.unit_id).exists()
    if not in_unit or not can.may_be_linked_to_households(officer):
        raise VisitError(f"{officer}不是本单位的民警。")
    if not villages_visible_to(planner).filter(pk=village.pk).exists():
        raise VisitError(f"{village}不在本单位辖区内。")
    person_hours_lock(officer)
    _check_not_on_duty(officer, date)
    # One plan per officer and night is the database's unique constraint, not a check before the insert: two
    # heads planning the same officer at once would both pass such a check.
    try:
        with transaction.atomic():
            return NightVisitPlan.objects.create(
                officer=officer, village=village, date=date, unit=planner.unit, planned_by=planner
            )
    except IntegrityError as error:
        raise VisitError(f"{officer}在{date:%m月%d日}已有夜访安排。") from error


def _check_not_on_duty(officer: User, day: date) -> None:
    """An officer on a talk-room shift through the night-visit hour keeps the room (24小时值班制): planned for a
    visit too, he could only be counted as having missed it. The roster is the feedback app's (imported here, as
    `_register_requests` does); `duty_shift_add` refuses the other way round."""
    from feedback.models import DutyShift

    start, end = evening_window(day)
    shift = DutyShift.objects.filter(officer=officer, starts_at__lt=end, ends_at__gt=start).first()
    if shift is not None:
        # A shift begun is the record of who keeps the room and the roster offers no 删除 for it (unless entered
        # minutes ago: `DutyShift.removable`): sending the head there would be advice that cannot be followed.
        way_out = "请另选民警,或先在值班表中删除该班次。" if shift.removable else "该班次已经开始,不能删除,请另选民警。"
        raise VisitError(
            f"{officer}在{day.month}月{day.day}日晚的夜访时段({start:%H:%M}–{end:%H:%M})在说事厅值班,"
            f"不能同时安排夜访。{way_out}"
        )


@transaction.atomic
def night_plan_remove(*, planner: User, plan: NightVisitPlan, request=None) -> None:
    """Only a plan whose evening is not over goes; past plans are what the compliance page judges. The removal is
    audited, since the row that said who was to visit where is gone afterwards."""
    if (
        not can.may_plan_night_visits(planner)
        or plan.unit_id is None
        or not unit_subtree(planner.unit).filter(pk=plan.unit_id).exists()
    ):
        raise VisitError("只有本单位的负责人可以删除夜访安排。")
    # Tonight's plan counts from the end of its hour: removed then, an evening missed would leave no record.
    if evening_is_over(plan.date):
        raise VisitError("已经过去的夜访安排不能删除:它是考核依据。")
    detail = {"what": "night_plan", "night_officer": plan.officer_id, "village": plan.village.full_name}
    audit_record(
        action=Action.DELETED, actor=planner, request=request, target=plan, detail={**detail, "date": plan.date}
    )
    plan.delete()


# 单位走访: an officer visits the organisations linked to them (a school, a factory, a clinic) as they visit
# households. There is no household to correct and no night talk (警民夜谈 is with villagers at home): a day visit,
# with what it found and the requests heard there.


def organisation_visit_log(
    *,
    visitor: User,
    organisation: Organisation,
    submission_key: uuid.UUID,
    details: dict,
    findings: list[FindingInput] = (),
    requests: list[str] = (),
) -> tuple[Visit, bool]:
    """Record a visit to an organisation. Returns (visit, created); a second submission of the same form returns
    the first visit and changes nothing."""
    existing = _earlier_submission(visitor, submission_key)
    if existing is not None:
        return existing, False
    if not can.may_visit(visitor):
        raise VisitError("只有局领导、中层干部和民警记录走访。")
    if error := visit_time_error(details["visited_at"]):
        raise VisitError(error)
    if not organisations_visitable_by(visitor).filter(pk=organisation.pk).exists():
        raise VisitError("该单位不在您的联系范围内。")
    day = timezone.localdate(details["visited_at"])
    if can.may_be_linked_to_households(visitor) and not organisations_linked_to(visitor, on=day).filter(
        pk=organisation.pk
    ):
        raise VisitError("走访时间早于您与该单位的联系开始日期,不能记录联系开始之前的走访。")

    def record() -> Visit:
        visit = Visit.objects.create(
            visitor=visitor,
            organisation=organisation,
            village=organisation.village,
            unit=visitor.unit,
            submission_key=submission_key,
            kind=Visit.Kind.DAY,
            # Nothing of a household's registration was there to check.
            facts_confirmed=False,
            **details,
        )
        Finding.objects.bulk_create(Finding(visit=visit, **vars(finding)) for finding in findings)
        _register_requests(
            visit,
            requests,
            unit=organisation.village.unit,
            resident_name=(organisation.contact_name or organisation.name)[:32],
            resident_phone=organisation.phone,
        )
        return visit

    return create_once(record, lambda: _earlier_submission(visitor, submission_key))
