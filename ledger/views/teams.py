"""社区公安服务队 pages: the list, a team with its members and activities, recording an activity, adding a member."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from feedback.selectors import matters_visible_to
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.forms import RevealForm
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required
from ledger.forms import TeamActivityForm, TeamFoundForm, TeamMemberForm
from ledger.selectors import teams as selectors
from ledger.services.teams import (
    ACTIVITY_PAST_DAYS,
    TeamError,
    team_activity_record,
    team_found,
    team_member_add,
    team_member_leave,
    team_phones_reveal,
)
from visits.models import Finding
from visits.scopes import visits_visible_to


@login_required
def team_list(request):
    today = timezone.localdate()
    start = today.replace(day=1)
    teams = selectors.team_list(user=request.user, start=start, end=today)
    context = {"start": start, "end": today, "may_found": can.may_head_unit(request.user), **paginate(request, teams)}
    return render(request, "ledger/team_list.html", context)


@capability_required(can.may_head_unit, "服务队由单位负责人(所长)组建。")
@require_http_methods(["GET", "POST"])
def team_found_view(request):
    """组建服务队: a unit head, for a village of the unit's area that has none."""
    form = TeamFoundForm(request.POST or None, head=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_found(actor=request.user, request=request, **form.cleaned_data)
        except TeamError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已组建{team},由{team.leader}带队。请添加队员。")
            return redirect(team)
    status = 400 if form.errors else 200
    return render(request, "ledger/team_found_form.html", {"form": form}, status=status)


def _detail_context(request, team, revealed: bool = False, member_form=None) -> dict:
    return {
        "team": team,
        "members": team.members.all(),
        "revealed": revealed,
        "may_record": selectors.may_record_for_teams(request.user),
        "may_reveal": can.may_reveal(request.user, "phone"),
        "member_form": member_form or TeamMemberForm(),
        **paginate(request, selectors.team_activities(team=team)),
    }


@login_required
def team_detail(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    return render(request, "ledger/team_detail.html", _detail_context(request, team))


@require_POST
@login_required
def team_reveal(request, pk: int):
    """The members' phones in full, for this response only, and the audit log says who saw them."""
    team = selectors.get_team_for_user(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid() or form.cleaned_data["field"] != "phone":
        return HttpResponseBadRequest("无效的请求。")
    try:
        team_phones_reveal(team=team, actor=request.user, request=request)
    except TeamError as error:
        raise PermissionDenied(str(error)) from error
    return render(request, "ledger/team_detail.html", _detail_context(request, team, revealed=True))


def _team_for_recording(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    if not selectors.may_record_for_teams(request.user):
        raise PermissionDenied("服务队的活动和队员由社区民警记录。")
    return team


@require_POST
@login_required
def team_member_create(request, pk: int):
    team = _team_for_recording(request, pk)
    form = TeamMemberForm(request.POST)
    if form.is_valid():
        member, added = team_member_add(team=team, **form.cleaned_data)
        if added:
            messages.success(request, f"已添加队员{member.name}。")
        else:
            messages.info(request, f"{member.name}已在队中,没有重复添加。")
        return redirect(team)
    return render(request, "ledger/team_detail.html", _detail_context(request, team, member_form=form), status=400)


@post_only("ledger:team_list", url_kwargs=())
@login_required
def team_member_leave_view(request, pk: int):
    """离队: a member leaves the team; their past activities keep them."""
    member = selectors.get_team_member_for_user(request.user, pk)
    team = _team_for_recording(request, member.team_id)
    try:
        team_member_leave(member=member, actor=request.user, request=request)
    except TeamError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, f"{member.name}已离队,以往的活动记录保留。")
    return redirect(team)


@login_required
@require_http_methods(["GET", "POST"])
def team_activity_create(request, pk: int):
    team = _team_for_recording(request, pk)
    since = timezone.now() - timedelta(days=ACTIVITY_PAST_DAYS)
    # The visits a team takes up: this village's recent visits that found something.
    visits = (
        visits_visible_to(request.user)
        .filter(village=team.area, visited_at__gte=since)
        .filter(Exists(Finding.objects.filter(visit=OuterRef("pk"))))
        .select_related("household", "organisation", "visitor")
    )
    form = TeamActivityForm(
        request.POST or None,
        members=team.members.filter(is_active=True),
        visits=visits,
        matters=matters_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team_activity_record(
                team=team,
                actor=request.user,
                day=data["day"],
                place=data["place"],
                kind=data["kind"],
                members=list(data["members"]),
                note=data["note"],
                matter=data["matter_reference"],
                visit=data["visit"],
            )
        except TeamError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "服务队活动已记录。")
            return redirect(team)
    status = 400 if request.method == "POST" else 200
    return render(request, "ledger/team_activity_form.html", {"team": team, "form": form}, status=status)
