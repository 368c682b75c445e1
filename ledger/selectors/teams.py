"""Reads of the service teams: who sees and who records, a team's page, and activity counts for dashboards.

A team is seen with its village (core's `villages_visible_to`): the community officers linked to its households,
the unit heads over it, the leaders and cadres linked to its area, and the county-wide roles. Of these, the police
who work the village record its activities; leaders and cadres read.
"""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, User
from jingshi_jiafang.core.scopes import villages_visible_to
from ledger.models import ServiceTeam, TeamActivity, TeamMember


def teams_visible_to(user: User) -> QuerySet[ServiceTeam]:
    # Its leader sees it whether or not they have households in the village.
    return ServiceTeam.objects.filter(Q(area__in=villages_visible_to(user)) | Q(leader=user.pk))


def may_record_for_teams(user: User) -> bool:
    return can.may_record_team_activities(user)


def get_team_for_user(user: User, pk: int) -> ServiceTeam:
    try:
        return teams_visible_to(user).select_related("area__parent", "leader").get(pk=pk)
    except ServiceTeam.DoesNotExist:
        raise Http404("没有找到该服务队,或您无权查看。") from None


def get_team_member_for_user(user: User, pk: int) -> TeamMember:
    try:
        return TeamMember.objects.select_related("team").get(pk=pk, team__in=teams_visible_to(user))
    except TeamMember.DoesNotExist:
        raise Http404("没有找到该队员,或您无权查看。") from None


def team_list(*, user: User, start: date, end: date) -> QuerySet[ServiceTeam]:
    """Teams in reach with their members and their activities in the period counted in the same query."""
    in_period = Q(activities__date__range=(start, end))
    return (
        teams_visible_to(user)
        .select_related("area__parent", "leader")
        .annotate(
            member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
            activity_count=Count("activities", filter=in_period, distinct=True),
        )
        .order_by("area__code")
    )


def team_activities(*, team: ServiceTeam) -> QuerySet[TeamActivity]:
    return team.activities.select_related("matter", "visit").prefetch_related("members_present")


def team_activity_counts(*, areas: QuerySet[Area], start: date, end: date) -> dict[str, int]:
    """Activities by kind (紧急救助, 日常服务, 纠纷调解) of the teams of `areas` (villages, or towns for all their
    villages) between `start` and `end`, for the dashboards: one grouped query."""
    rows = (
        TeamActivity.objects.filter(Q(team__area__in=areas) | Q(team__area__parent__in=areas), date__range=(start, end))
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(TeamActivity.Kind.values, 0)
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts
