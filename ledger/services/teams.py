"""Writes of the community police service teams (社区公安服务队): members and activities."""

from datetime import date

from django.db import transaction

from feedback.models import Matter
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.audit import audit_record
from jingshi_jiafang.core.dates import recent_date_error
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.privacy import REVEAL_ACTIONS
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


def team_member_add(*, team: ServiceTeam, name: str, kind: str, phone: str) -> TeamMember:
    member = TeamMember(team=team, name=name, kind=kind, phone=phone)
    member.full_clean()
    member.save()
    return member


def team_phones_reveal(*, team: ServiceTeam, actor: User, request=None) -> None:
    """The members' phones in full, for one response: only for those who may see phones, and audited."""
    if not can.may_reveal(actor, "phone"):
        raise TeamError("您的角色无权查看完整号码。")
    audit_record(
        action=REVEAL_ACTIONS["phone"], actor=actor, request=request, target=team, detail={"team_members": True}
    )
