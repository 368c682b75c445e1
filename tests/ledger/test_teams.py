"""社区公安服务队: who sees and records, an activity recorded from the form, masked phones, counts by kind."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Matter
from feedback.services import matter_register
from jingshi_jiafang.core.models import AuditEntry, User
from ledger.models import ServiceTeam, TeamActivity, TeamMember
from ledger.selectors.teams import team_activity_counts
from ledger.services.teams import TeamError, team_activity_record
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import AreaLinkFactory, UserFactory, VillageFactory
from tests.ledger.factories import ServiceTeamFactory, TeamMemberFactory
from tests.visits.factories import VisitFactory
from visits.models import Finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(alice, alice_household):
    team = ServiceTeamFactory(area=alice_household.village, leader=alice, name="东湖村公安服务队")
    TeamMemberFactory(team=team, name="张志愿", phone="13812345678")
    TeamMemberFactory(team=team, name="李保安", kind=TeamMember.Kind.GUARD)
    return team


def test_team_leader_records_a_mediation_from_a_visit_and_a_matter(client, alice, alice_household, team):
    visit = VisitFactory(visitor=alice, household=alice_household)
    Finding.objects.create(visit=visit, kind=Finding.Kind.DISPUTE, description="两家争宅基地")
    matter = matter_register(
        channel=Matter.Channel.VISIT, content="宅基地纠纷", unit=alice.unit, actor=None, household=alice_household
    )
    log_in_as(client, alice)
    url = reverse("ledger:team_activity_create", args=[team.pk])
    assert list(client.get(url).context["form"].fields["visit"].queryset) == [visit]
    members = list(team.members.all())
    response = client.post(
        url,
        {
            "day": timezone.localdate().isoformat(),
            "kind": "mediation",
            "place": "东湖村三组",
            "members": [m.pk for m in members],
            "note": "现场调解,两家达成一致",
            "visit": visit.pk,
            "matter_reference": matter.reference,
        },
    )
    assert response.status_code == 302
    activity = TeamActivity.objects.get()
    assert (activity.kind, activity.visit, activity.matter, activity.recorded_by) == ("mediation", visit, matter, alice)
    assert set(activity.members_present.all()) == set(members)
    page = client.get(reverse("ledger:team_detail", args=[team.pk])).content.decode()
    assert "现场调解,两家达成一致" in page


def test_activity_form_refuses_an_unknown_matter_and_no_members(client, alice, team):
    log_in_as(client, alice)
    response = client.post(
        reverse("ledger:team_activity_create", args=[team.pk]),
        {
            "day": timezone.localdate().isoformat(),
            "kind": "service",
            "place": "村部",
            "note": "送药",
            "matter_reference": "999",
        },
    )
    assert response.status_code == 400
    assert "没有找到该查询编号的诉求" in response.content.decode()
    assert "请选择参加活动的队员" in response.content.decode()
    assert not TeamActivity.objects.exists()


def test_service_refuses_members_of_another_team(alice, team):
    stranger = TeamMemberFactory()
    with pytest.raises(TeamError, match="本队在队队员"):
        team_activity_record(
            team=team, actor=alice, day=timezone.localdate(), place="村部", kind="service", members=[stranger], note="x"
        )


def test_leader_linked_to_the_town_reads_but_does_not_record(client, team):
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=team.area.parent)
    log_in_as(client, leader)
    assert client.get(reverse("ledger:team_detail", args=[team.pk])).status_code == 200
    assert client.get(reverse("ledger:team_activity_create", args=[team.pk])).status_code == 403


def test_officer_of_another_station_cannot_see_the_team(client, charlie, team):
    log_in_as(client, charlie)
    assert client.get(reverse("ledger:team_detail", args=[team.pk])).status_code == 404
    assert team.name not in client.get(reverse("ledger:team_list")).content.decode()


def test_member_phones_are_masked_and_revealed_with_an_audit_entry(client, bob, team):
    log_in_as(client, bob)
    page = client.get(reverse("ledger:team_detail", args=[team.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    response = client.post(reverse("ledger:team_reveal", args=[team.pk]), {"field": "phone"})
    assert "13812345678" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_PHONE, object_id=str(team.pk)).exists()


def test_officer_adds_a_member_with_a_checked_phone(client, alice, team):
    log_in_as(client, alice)
    url = reverse("ledger:team_member_create", args=[team.pk])
    assert client.post(url, {"name": "王村干", "kind": "village_cadre", "phone": "12"}).status_code == 400
    assert client.post(url, {"name": "王村干", "kind": "village_cadre", "phone": "13900001111"}).status_code == 302
    assert team.members.filter(name="王村干").exists()


def test_a_member_form_sent_twice_adds_the_person_once(client, alice, team):
    log_in_as(client, alice)
    url = reverse("ledger:team_member_create", args=[team.pk])
    data = {"name": "王村干", "kind": "village_cadre", "phone": "13900001111"}
    assert client.post(url, data).status_code == 302
    again = client.post(url, {**data, "name": " 王村干 "}, follow=True)
    assert team.members.filter(name="王村干").count() == 1
    assert "王村干已在队中,没有重复添加。" in again.content.decode()


def test_a_member_phone_typed_in_groups_is_kept_as_the_number_and_finds_the_member(client, alice, team):
    log_in_as(client, alice)
    url = reverse("ledger:team_member_create", args=[team.pk])
    data = {"name": "王村干", "kind": "village_cadre", "phone": "139 0000 1111"}
    assert client.post(url, data).status_code == 302
    assert team.members.get(name="王村干").phone == "13900001111"
    again = client.post(url, {**data, "phone": "139-0000-1111"}, follow=True)
    assert team.members.filter(name="王村干").count() == 1
    assert "王村干已在队中,没有重复添加。" in again.content.decode()


def test_activity_form_says_a_refusal_of_the_service_once(client, alice, team, monkeypatch):
    def refuse(**kwargs):
        raise TeamError("参加队员须是本队在队队员。")

    # A member taken off the team between the form and the service: the one refusal the form cannot foresee.
    monkeypatch.setattr("ledger.views.teams.team_activity_record", refuse)
    log_in_as(client, alice)
    response = client.post(
        reverse("ledger:team_activity_create", args=[team.pk]),
        {
            "day": timezone.localdate().isoformat(),
            "kind": "service",
            "place": "村部",
            "members": [member.pk for member in team.members.all()],
            "note": "送药",
        },
    )
    assert response.status_code == 400 and response.content.decode().count("参加队员须是本队在队队员") == 1


def test_activity_counts_by_kind_for_an_area_and_period(alice, team, village_b):
    today = timezone.localdate()
    members = list(team.members.all())
    for kind, day in (
        ("mediation", today),
        ("mediation", today),
        ("emergency", today),
        ("service", today - timedelta(days=20)),
    ):
        team_activity_record(team=team, actor=alice, day=day, place="村部", kind=kind, members=members, note="x")
    other = ServiceTeamFactory(area=village_b)
    TeamActivity.objects.create(team=other, date=today, place="x", kind="service", note="x", recorded_by=alice)
    counts = team_activity_counts(
        areas=team.area.parent.__class__.objects.filter(pk=team.area.parent_id),
        start=today - timedelta(days=7),
        end=today,
    )
    assert counts == {"emergency": 1, "service": 0, "mediation": 2}


def test_team_list_queries_do_not_grow_with_teams(client, bob, alice_household, django_assert_max_num_queries):
    for _ in range(12):
        ServiceTeamFactory(
            area=VillageFactory(parent=alice_household.village.parent, unit=alice_household.village.unit)
        )
    log_in_as(client, bob)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(reverse("ledger:team_list"))
    assert len(response.context["page"].object_list) == 12


def test_team_forms_make_the_user_choose_a_kind_and_demo_teams_do_not_double_社区(client, alice, team):
    log_in_as(client, alice)
    member_page = client.get(reverse("ledger:team_detail", args=[team.pk])).content.decode()
    activity_url = reverse("ledger:team_activity_create", args=[team.pk])
    activity_page = client.get(activity_url).content.decode()
    assert "---------" not in member_page and '<option value="" selected>请选择…</option>' in member_page
    assert '<option value="" selected>请选择…</option>' in activity_page
    member = team.members.first()
    data = {"day": timezone.localdate().isoformat(), "place": "村部", "note": "送药", "members": [member.pk]}
    response = client.post(activity_url, data)
    assert response.status_code == 400 and "请选择活动类别" in response.content.decode()
    assert not TeamActivity.objects.exists()
    assert ServiceTeamFactory(area=VillageFactory(name="苏庄社区")).name == "苏庄社区公安服务队"


# Founding a team and a member leaving it: on the pages, not in Django admin.


def test_the_station_head_founds_a_team_for_a_village_of_his_area(client, bob, alice, village_a, village_b):
    log_in_as(client, bob)
    listed = client.get(reverse("ledger:team_list")).content.decode()
    assert 'data-testid="found-team"' in listed and "点“组建服务队”" in listed
    form = client.get(reverse("ledger:team_found")).context["form"]
    assert village_a in form.fields["area"].queryset and village_b not in form.fields["area"].queryset
    response = client.post(reverse("ledger:team_found"), {"area": village_a.pk, "name": "", "leader": alice.pk})
    team = village_a.service_team
    assert response["Location"] == team.get_absolute_url()
    assert (team.name, team.leader) == ("东湖村社区公安服务队", alice)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REFERENCE_CREATED, actor=bob)
    assert entry.detail["team"] == "东湖村社区公安服务队"
    # One team a village: no longer offered, and a forged form is refused in words.
    again = client.post(reverse("ledger:team_found"), {"area": village_a.pk, "leader": alice.pk})
    assert again.status_code == 400 and village_a not in again.context["form"].fields["area"].queryset


def test_a_leader_with_no_households_in_the_village_still_reaches_the_team(client, bob, village_a):
    newcomer = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, name="新来的民警")
    log_in_as(client, bob)
    client.post(reverse("ledger:team_found"), {"area": village_a.pk, "leader": newcomer.pk})
    team = village_a.service_team
    log_in_as(client, newcomer)
    assert client.get(team.get_absolute_url()).status_code == 200
    assert client.get(reverse("ledger:team_activity_create", args=[team.pk])).status_code == 200


def test_only_a_unit_head_founds_teams_and_only_his_officers_lead_them(client, bob, alice, charlie, village_a):
    log_in_as(client, alice)
    assert client.get(reverse("ledger:team_found")).status_code == 403
    assert "由派出所所长(单位负责人)组建" in client.get(reverse("ledger:team_list")).content.decode()
    log_in_as(client, bob)
    refused = client.post(reverse("ledger:team_found"), {"area": village_a.pk, "leader": charlie.pk})
    assert refused.status_code == 400 and not ServiceTeam.objects.exists()


def test_a_member_leaves_after_a_confirmation_and_keeps_their_past_activities(client, alice, team):
    volunteer = team.members.get(name="张志愿")
    activity = team_activity_record(
        team=team, actor=alice, day=timezone.localdate(), place="村口", kind="service", members=[volunteer], note="巡逻"
    )
    log_in_as(client, alice)
    page = client.get(team.get_absolute_url()).content.decode()
    assert "确定张志愿离队吗?" in page and 'class="d-inline confirm-submit"' in page
    response = client.post(reverse("ledger:team_member_leave", args=[volunteer.pk]), follow=True)
    assert "张志愿已离队,以往的活动记录保留。" in response.content.decode()
    volunteer.refresh_from_db()
    assert not volunteer.is_active and list(activity.members_present.all()) == [volunteer]
    form = client.get(reverse("ledger:team_activity_create", args=[team.pk])).context["form"]
    assert volunteer not in form.fields["members"].queryset
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REFERENCE_CHANGED, actor=alice).count() == 1
    # Sent again (the back button): said, and nothing more written.
    again = client.post(reverse("ledger:team_member_leave", args=[volunteer.pk]), follow=True)
    assert "张志愿已经离队" in again.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REFERENCE_CHANGED, actor=alice).count() == 1


def test_a_member_of_another_stations_team_is_404_and_a_leader_may_not_remove_one(client, charlie, team):
    volunteer = team.members.get(name="张志愿")
    log_in_as(client, charlie)
    assert client.post(reverse("ledger:team_member_leave", args=[volunteer.pk])).status_code == 404
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=team.area.parent)
    log_in_as(client, leader)
    assert client.post(reverse("ledger:team_member_leave", args=[volunteer.pk])).status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.is_active
