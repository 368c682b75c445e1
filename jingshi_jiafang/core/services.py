"""Writes to the platform's data: links (ended, never deleted) and household attachments."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.models import (
    Area,
    AreaLink,
    Household,
    HouseholdAttachment,
    HouseholdLink,
    PairingLink,
    User,
)


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


@transaction.atomic
def pairing_link_start(
    *, user: User, household: Household, start_date: date | None = None, actor: User | None = None, request=None
) -> PairingLink:
    """结对联建: pair a leader or cadre with a household in hardship; their current pair, if any, ends the day
    before. The pair is part of their scope, so the change is audited like any other link."""
    if actor is not None and actor.pk == user.pk:
        raise LinkError("不能为自己设置结对户。")
    if user.role not in (User.Role.LEADER, User.Role.CADRE):
        raise LinkError("只有局领导和中层干部结对特困户。")
    if not household.is_hardship:
        raise LinkError(f"{household}不是特困户,不能结对。")
    start_date = start_date or timezone.localdate()
    current = PairingLink.objects.select_for_update().filter(user=user, end_date__isnull=True).first()
    if current is not None:
        if current.household_id == household.pk:
            raise LinkError(f"{user}已与{household}结对。")
        if start_date <= current.start_date:
            raise LinkError("新结对的开始日期须晚于当前结对的开始日期。")
        current.end_date = start_date - timedelta(days=1)
        current.save(update_fields=["end_date"])
    link = PairingLink.objects.create(user=user, household=household, start_date=start_date)
    audit_record(
        action=Action.SCOPE_CHANGED,
        actor=actor,
        request=request,
        target=user,
        detail={
            "pairing_link": link.pk,
            "household": household.pk,
            "start": link.start_date,
            "ended": current.pk if current else None,
            "change": "pairing",
        },
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
