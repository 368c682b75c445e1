"""Writes to the platform's data: links (ended, never deleted) and household attachments; the lock on a person's
hours."""

from datetime import date, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import Area, AreaLink, Household, HouseholdAttachment, HouseholdLink, PairingLink, User
from jingshi_jiafang.core.privacy import REVEAL_ACTIONS
from jingshi_jiafang.core.scopes import households_visible_to


class LinkError(DomainError):
    """A link that the rules do not allow; the message is shown to the user."""


def area_link_check(*, user: User, area: Area) -> None:
    """局领导联系镇(乡), 中层干部联系村(居); nobody else links to an area."""
    expected_kind = can.area_link_kind(user)
    if expected_kind is None:
        raise LinkError(
            f"{user.get_role_display() or '未分配角色的用户'}不联系区域,只有局领导联系镇(乡)、中层干部联系村(居)。"
        )
    if area.kind != expected_kind:
        raise LinkError(f"{user.get_role_display()}只能联系{Area.Kind(expected_kind).label}。")
    if AreaLink.objects.filter(user=user, area=area, end_date__isnull=True).exists():
        raise LinkError(f"{user}已在联系{area}。")


@transaction.atomic
def area_link_start(*, user: User, area: Area, actor: User, start_date: date | None = None, request=None) -> AreaLink:
    require(actor, can.may_administer_security, error=LinkError, message="只有安全管理员可以设置联系范围。")
    if actor.pk == user.pk:
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
def area_link_end(*, link: AreaLink, actor: User, end_date: date | None = None, request=None) -> AreaLink:
    require(actor, can.may_administer_security, error=LinkError, message="只有安全管理员可以结束联系范围。")
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
    # One household, one pair: the duties (weekly contact, monthly visit, deeds) fall on one named person.
    taken = PairingLink.objects.active(start_date).filter(household=household).exclude(user=user).first()
    if taken is not None:
        raise LinkError(f"{household}已与{taken.user}结对,请另选一户。")
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


def _too_early_message(current: HouseholdLink) -> str:
    # A hand-over planned ahead is the open link already: say so, or the head reads only that his date is wrong.
    if current.is_upcoming:
        return f"该户已安排自 {current.start_date:%Y-%m-%d} 起由{current.officer}负责,新的调整须在这一天之后开始。"
    return f"新的联系开始日期必须晚于当前联系的开始日期({current.start_date:%Y-%m-%d})。"


@transaction.atomic
def household_assign_officer(
    *, household: Household, officer: User, actor: User, start_date: date | None = None, request=None
) -> HouseholdLink:
    """Make `officer` the household's responsible officer from `start_date`. The current link ends on that same
    day (its last day, inclusive): on the hand-over day both officers reach the household, so a visit the old
    officer made that morning keeps its registration corrections in her diary, and her household page and
    contact card stay open to her until the day is over. The new officer is the responsible one from then on."""
    require(actor, can.may_reassign_households, error=LinkError, message="只有单位负责人可以调整责任民警。")
    if not can.may_be_linked_to_households(officer):
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
            raise LinkError(_too_early_message(current))
        current.end_date = start_date
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


class AttachmentError(DomainError):
    """An upload the rules do not allow; the message is shown to the user."""


@transaction.atomic
def household_attachment_add(
    *, household: Household, actor: User, upload, content_type: str, description: str = "", request=None
) -> HouseholdAttachment:
    require(
        actor,
        can.may_upload_attachments,
        error=AttachmentError,
        message="只有民警和值班民警可以上传住户附件。",
        jobs=False,
    )
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


# Audited reads: what a person sees of a resident beyond the masked page is a service too, so that the check of
# who may and the audit entry that says they did cannot be left out by a new view.


class RevealError(DomainError):
    """A number or file the rules do not let this person see; the message is shown to them."""


def personal_number_reveal(
    *, household: Household | None, field: str, actor: User, target: Model | None = None, request=None
) -> str:
    """Show `field` (`id_number`, `phone`) of `household` in full, for one response, and record who saw it,
    against `target` (the household, or the visit whose corrections are shown). Returns the field to unmask."""
    require(actor, can.may_reveal, field, error=RevealError, message="您的角色无权查看完整号码。", jobs=False)
    if household is None or not households_visible_to(actor).filter(pk=household.pk).exists():
        raise RevealError("该户不在您的范围内。")
    target = household if target is None else target
    detail = None if target == household else {"household": household.pk}
    audit_record(action=REVEAL_ACTIONS[field], actor=actor, request=request, target=target, detail=detail)
    return field


def household_attachment_open(*, attachment: HouseholdAttachment, actor: User, request=None) -> File:
    """The attachment's file, opened for reading, for someone who may see its household; the download is
    audited."""
    if not households_visible_to(actor).filter(pk=attachment.household_id).exists():
        raise RevealError("该附件所属住户不在您的范围内。")
    audit_record(action=Action.DOWNLOAD, actor=actor, request=request, target=attachment)
    return attachment.file.open("rb")


# Reference data: what the system administrator edits in Django's admin (core/admin.py).

_SECRET_FIELDS = {"password", "password1", "password2", "usable_password"}


@transaction.atomic
def reference_data_saved(*, obj: Model, before: Model | None, form, actor: User, request=None) -> None:
    """The audit entry of a unit, area or account the administrator added or changed: each changed field, as it
    was and as it is, by its Chinese name."""
    changed = [name for name in form.changed_data if name not in _SECRET_FIELDS]
    if before is not None and not changed:
        return
    fields = [obj._meta.get_field(name) for name in changed]
    audit_record(
        action=Action.REFERENCE_CHANGED if before is not None else Action.REFERENCE_CREATED,
        actor=actor,
        request=request,
        target=obj,
        detail={
            "from": {str(field.verbose_name): _shown(before, field) for field in fields} if before else {},
            "to": {str(field.verbose_name): _shown(obj, field) for field in fields},
        },
    )


def _shown(obj: Model, field) -> str | bool | None:
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.name)
    return value if value is None or isinstance(value, bool) else str(value)


def person_hours_lock(person: User) -> None:
    """Hold `person`'s row until the transaction ends. A talk-room shift (feedback) and a night visit (visits)
    each check the other before they are saved, and no constraint spans two apps' tables: taking this lock first,
    two heads giving the same officer's evening at the same moment are checked one after the other."""
    User.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()
