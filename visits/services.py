"""Writes of the organisation and its links. Links are ended, never deleted, so history survives re-assignment.
Every change of a link is a change of someone's scope, and is written to the audit log in the same transaction."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from visits.audit import Action, audit_record
from visits.crypto import keyed_hash
from visits.models import (
    Area,
    AreaLink,
    Finding,
    Household,
    HouseholdAttachment,
    HouseholdLink,
    NightVisitPlan,
    RegistrationCorrection,
    User,
    Visit,
)
from visits.night import is_night_date, night_window_error, window_text
from visits.scopes import VISITOR_ROLES, is_within_links, unit_subtree, villages_visible_to
from visits.selectors import registration_values


class LinkError(Exception):
    """A link that the rules do not allow; the message is shown to the user."""


_AREA_KIND_FOR_ROLE = {User.Role.LEADER: Area.Kind.TOWN, User.Role.CADRE: Area.Kind.VILLAGE}


def area_link_check(*, user: User, area: Area) -> None:
    """局领导联系镇(乡), 中层干部联系村(居); nobody else links to an area."""
    expected_kind = _AREA_KIND_FOR_ROLE.get(user.role)
    if expected_kind is None:
        raise LinkError(
            f"{user.get_role_display() or '未分配角色的用户'}不联系区域,只有局领导联系镇(乡)、中层干部联系村(居)。"
        )
    if area.kind != expected_kind:
        raise LinkError(f"{user.get_role_display()}只能联系{Area.Kind(expected_kind).label}。")
    if AreaLink.objects.filter(user=user, area=area, end_date__isnull=True).exists():
        raise LinkError(f"{user}已在联系{area}。")


@transaction.atomic
def area_link_start(
    *, user: User, area: Area, start_date: date | None = None, actor: User | None = None, request=None
) -> AreaLink:
    if actor is not None and actor.pk == user.pk:
        raise LinkError("不能为自己设置联系范围。")
    area_link_check(user=user, area=area)
    link = AreaLink.objects.create(user=user, area=area, start_date=start_date or timezone.localdate())
    audit_record(
        action=Action.SCOPE_CHANGED,
        actor=actor,
        request=request,
        target=user,
        detail={"area_link": link.pk, "area": area.name, "start": link.start_date, "change": "start"},
    )
    return link


@transaction.atomic
def area_link_end(*, link: AreaLink, end_date: date | None = None, actor: User | None = None, request=None) -> AreaLink:
    link = AreaLink.objects.select_for_update().get(pk=link.pk)
    if link.end_date is not None:
        raise LinkError("该联系已经结束。")
    end_date = end_date or timezone.localdate()
    if end_date < link.start_date:
        raise LinkError("结束日期不能早于开始日期。")
    link.end_date = end_date
    link.save(update_fields=["end_date"])
    audit_record(
        action=Action.SCOPE_CHANGED,
        actor=actor,
        request=request,
        target=link.user,
        detail={"area_link": link.pk, "area": link.area.name, "end": end_date, "change": "end"},
    )
    return link


def link_start_window() -> tuple[date, date]:
    """When a new responsible officer may start: a hand-over recorded a little late or planned a little ahead,
    never one that rewrites years of history or cuts the current officer off in 9999."""
    today = timezone.localdate()
    return (
        today - timedelta(days=settings.LINK_START_PAST_DAYS),
        today + timedelta(days=settings.LINK_START_FUTURE_DAYS),
    )


@transaction.atomic
def household_assign_officer(
    *, household: Household, officer: User, start_date: date | None = None, actor: User | None = None, request=None
) -> HouseholdLink:
    """Make `officer` the household's responsible officer from `start_date`, ending the current link the day before."""
    if officer.role != User.Role.OFFICER:
        raise LinkError("只有民警可以联系户。")
    start_date = start_date or timezone.localdate()
    first, last = link_start_window()
    if not first <= start_date <= last:
        raise LinkError(f"开始日期超出范围:责任民警的调整须在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间开始。")
    # Lock the household, not only its open link: a second re-assignment waits here and then sees the first one's
    # new link, instead of finding no open link and colliding with it on the unique index.
    Household.objects.select_for_update().filter(pk=household.pk).get()
    current = HouseholdLink.objects.filter(household=household, end_date__isnull=True).first()
    if current is not None:
        if current.officer_id == officer.pk:
            raise LinkError(f"{officer}已是该户的责任民警。")
        if current.start_date >= start_date:
            raise LinkError("新的联系开始日期必须晚于当前联系的开始日期。")
        current.end_date = start_date - timedelta(days=1)
        current.save(update_fields=["end_date"])
    link = HouseholdLink.objects.create(household=household, officer=officer, start_date=start_date)
    audit_record(
        action=Action.SCOPE_CHANGED,
        actor=actor,
        request=request,
        target=household,
        detail={"officer": officer.get_username(), "previous": current.officer_id if current else None},
    )
    return link


UPLOAD_ROLES = frozenset({User.Role.OFFICER, User.Role.DUTY_OFFICER})


class AttachmentError(Exception):
    """An upload the rules do not allow; the message is shown to the user."""


@transaction.atomic
def household_attachment_add(
    *, household: Household, actor: User, upload, content_type: str, description: str = "", request=None
) -> HouseholdAttachment:
    if actor.role not in UPLOAD_ROLES:
        raise AttachmentError("只有民警和值班民警可以上传住户附件。")
    attachment = HouseholdAttachment(
        household=household,
        uploaded_by=actor,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        description=description,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    audit_record(
        action=Action.UPLOAD,
        actor=actor,
        request=request,
        target=attachment,
        detail={"household": household.pk, "name": attachment.original_name, "size": attachment.size},
    )
    return attachment


class VisitError(Exception):
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
    existing = Visit.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    _check_visit(visitor=visitor, household=household, details=details)
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                visitor=visitor,
                household=household,
                village=household.village,
                unit=visitor.unit,
                submission_key=submission_key,
                **details,
            )
            in_place = {c.field: c.new_value for c in corrections if c.field in CORRECTABLE_FACTS}
            _apply_facts(visit, household, {**facts, **in_place})
            _record_corrections(visit, household, [c for c in corrections if c.field not in CORRECTABLE_FACTS])
            Finding.objects.bulk_create(Finding(visit=visit, **vars(finding)) for finding in findings)
            _register_requests(visit, household, requests)
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request created the visit.
        existing = Visit.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing, False
    return visit, True


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
    if visitor.role not in VISITOR_ROLES:
        raise VisitError("只有局领导、中层干部和民警记录家访。")
    if error := visit_time_error(details["visited_at"]):
        raise VisitError(error)
    if details["kind"] == Visit.Kind.NIGHT and (error := night_window_error(details["visited_at"])):
        raise VisitError(error)
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


def _apply_facts(visit: Visit, household: Household, facts: dict) -> None:
    household = Household.objects.select_for_update().get(pk=household.pk)
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


def _register_requests(visit: Visit, household: Household, requests: list[str]) -> None:
    # A request heard on a visit is a resident's matter from then on: feedback owns it. One explicit call of the
    # later app's service, imported here so that visits does not depend on feedback at import time.
    from feedback.models import Matter
    from feedback.services import matter_register

    for content in requests:
        matter_register(
            channel=Matter.Channel.VISIT,
            content=content,
            unit=household.village.unit,
            actor=visit.visitor,
            household=household,
            visit=visit,
        )


@transaction.atomic
def night_plan_add(*, planner: User, officer: User, village: Area, date: date) -> NightVisitPlan:
    """A station head plans which officer visits which village on a night-visit evening."""
    if not planner.is_unit_head:
        raise VisitError("只有单位负责人可以安排夜访。")
    if not is_night_date(date):
        raise VisitError(f"{date:%m月%d日}不是夜访日:夜访时间为{window_text()}。")
    if date < timezone.localdate():
        raise VisitError("不能安排已经过去的日期。")
    if not unit_subtree(planner.unit).filter(pk=officer.unit_id).exists() or officer.role != User.Role.OFFICER:
        raise VisitError(f"{officer}不是本单位的民警。")
    if not villages_visible_to(planner).filter(pk=village.pk).exists():
        raise VisitError(f"{village}不在本单位辖区内。")
    # One plan per officer and night is the database's unique constraint, not a check before the insert: two
    # heads planning the same officer at once would both pass such a check.
    try:
        with transaction.atomic():
            return NightVisitPlan.objects.create(
                officer=officer, village=village, date=date, unit=planner.unit, planned_by=planner
            )
    except IntegrityError as error:
        raise VisitError(f"{officer}在{date:%m月%d日}已有夜访安排。") from error


@transaction.atomic
def night_plan_remove(*, planner: User, plan: NightVisitPlan, request=None) -> None:
    """Only a plan not yet due goes; past plans are what the compliance page judges. The removal is audited,
    since the row that said who was to visit where is gone afterwards."""
    if plan.date < timezone.localdate():
        raise VisitError("已经过去的夜访安排不能删除:它是考核依据。")
    detail = {"what": "night_plan", "night_officer": plan.officer_id, "village": plan.village.full_name}
    audit_record(
        action=Action.DELETED, actor=planner, request=request, target=plan, detail={**detail, "date": plan.date}
    )
    plan.delete()
