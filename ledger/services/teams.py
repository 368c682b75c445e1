"""Writes of the community police service teams (社区公安服务队): members and activities."""

from datetime import date

from django.db import IntegrityError, transaction

from feedback.models import Matter
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import require
from jingshi_jiafang.core.assignment import assignable_officers, assignable_villages
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.dates import recent_date_error
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import Area, User
from jingshi_jiafang.core.privacy import REVEAL_ACTIONS
from jingshi_jiafang.core.validators import normalize_phone
from ledger.models import ServiceTeam, TeamActivity, TeamMember
from visits.models import Visit

# An activity is written up within a month of the day it took place.
ACTIVITY_PAST_DAYS = 31


class TeamError(DomainError):
    """A team change that the rules do not allow; the message is shown to the user."""


@transaction.atomic
def team_activity_record(
    *,
    team: ServiceTeam,
    actor: User,
    day: date,
    place: str,
    kind: str,
    members: list[TeamMember],
    note: str,
    matter: Matter | None = None,
    visit: Visit | None = None,
) -> TeamActivity:
    if error := recent_date_error(day, past_days=ACTIVITY_PAST_DAYS, day_label="活动日期", record="活动"):
        raise TeamError(error)
    if not members:
        raise TeamError("请选择参加活动的队员。")
    if any(member.team_id != team.pk or not member.is_active for member in members):
        raise TeamError("参加队员须是本队在队队员。")
    if visit is not None and visit.village_id != team.area_id:
        raise TeamError("来源家访须是本村(居)的走访。")
    activity = TeamActivity.objects.create(
        team=team, date=day, place=place, kind=kind, note=note, matter=matter, visit=visit, recorded_by=actor
    )
    activity.members_present.set(members)
    return activity


@transaction.atomic
def team_member_add(*, team: ServiceTeam, name: str, kind: str, phone: str) -> tuple[TeamMember, bool]:
    """Returns (member, added). The same person sent again (a resent form, two taps at once: the team is locked)
    is the member already in the team, not a second row of them in every activity's attendance list; their number
    typed with spaces or dashes the second time is still their number."""
    ServiceTeam.objects.select_for_update().get(pk=team.pk)
    member = TeamMember(team=team, name=name.strip(), kind=kind, phone=normalize_phone(phone))
    member.full_clean()
    same = team.members.filter(is_active=True, name=member.name, phone=member.phone).first()
    if same is not None:
        return same, False
    member.save()
    return member, True


def team_phones_reveal(*, team: ServiceTeam, actor: User, request=None) -> None:
    """The members' phones in full, for one response: only for those who may see phones, and audited."""
    if not can.may_reveal(actor, "phone"):
        raise TeamError("您的角色无权查看完整号码。")
    audit_record(
        action=REVEAL_ACTIONS["phone"], actor=actor, request=request, target=team, detail={"team_members": True}
    )


@transaction.atomic
def team_found(*, area: Area, leader: User, actor: User, name: str = "", request=None) -> ServiceTeam:
    """组建: a unit head founds the service team of a village of the unit's area, led by one of its officers (one
    team a village)."""
    require(actor, can.may_head_unit, error=TeamError, message="服务队由单位负责人(所长)组建。")
    if not assignable_villages(head=actor).filter(pk=area.pk).exists():
        raise TeamError(f"{area}不在本单位辖区内。")
    if not assignable_officers(head=actor).filter(pk=leader.pk).exists():
        raise TeamError(f"{leader}不是本单位的在职民警,不能带队。")
    name = name.strip() or f"{area.name}社区公安服务队"
    try:
        with transaction.atomic():
            team = ServiceTeam.objects.create(area=area, name=name, leader=leader)
    except IntegrityError:
        raise TeamError(f"{area.name}已经有服务队了。") from None
    audit_record(
        action=Action.REFERENCE_CREATED,
        actor=actor,
        request=request,
        target=team,
        detail={"team": name, "village": area.full_name, "leader": leader.get_username()},
    )
    return team


@transaction.atomic
def team_member_leave(*, member: TeamMember, actor: User, request=None) -> TeamMember:
    """离队: the member is no longer offered for new activities; the activities they took part in keep them."""
    require(actor, can.may_record_team_activities, error=TeamError, message="服务队的队员由社区民警记录。")
    locked = TeamMember.objects.select_for_update().get(pk=member.pk)
    if not locked.is_active:
        raise TeamError(f"{locked.name}已经离队。")
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    audit_record(
        action=Action.REFERENCE_CHANGED,
        actor=actor,
        request=request,
        target=locked.team,
        detail={"member": locked.name, "is_active": [True, False]},
    )
    return locked
