"""Demo data of 结对联建 and the service teams: deterministic for a seed, bulk-loaded.

Pairs: every demo leader and cadre, and as many more generated cadres of the bureau's departments and stations
as bring the county to 260 pairs (fewer in a small demo county: one pair per 20 households). A year of contacts
and pairing visits follows, most pairs keeping their duty, some slipping, a few well behind. Teams: one per
village, led by its community officer, with members and a year of activities.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils import timezone

from jingshi_jiafang.core.models import Area, AreaLink, Household, HouseholdLink, PairingLink, Unit, User
from ledger.models import PairingContact, ServiceTeam, TeamActivity, TeamMember
from visits import demo_names as names
from visits.models import Finding, Visit

BATCH_SIZE = 2000
COUNTY_PAIRS = 260  # the source county's leaders and cadres, each paired with one household in hardship
HOUSEHOLDS_PER_PAIR = 20  # a small demo county gets fewer pairs
YEAR = 365

Role = User.Role

CONTACT_NOTES = (
    "电话问候,身体尚好",
    "了解近况,反映用水不便",
    "微信视频,老人精神不错",
    "询问低保办理进度",
    "提醒防诈骗",
    "",
)
VISIT_RESULTS = ("送去米面油", "帮助申请临时救助", "陪同去卫生院复查", "检查用电安全", "与村干部商量危房修缮")
ACTIVITY_NOTES = {
    TeamActivity.Kind.EMERGENCY: (
        "独居老人突发疾病,协助送医",
        "暴雨后帮助转移被困群众",
        "寻回走失老人",
        "扑灭柴草堆火情",
    ),
    TeamActivity.Kind.SERVICE: ("夜间巡逻", "为留守老人代办证件", "上门宣传防诈骗", "检查出租屋安全", "护送学生上下学"),
    TeamActivity.Kind.MEDIATION: ("宅基地界线纠纷调解", "邻里噪音纠纷调解", "婚姻家庭纠纷调解", "土地流转费用纠纷调解"),
}
PLACES = ("村部", "村卫生室", "村小学门口", "集市", "村口", "文化广场")


@dataclass
class PairingResult:
    pairs: int
    contacts: int
    visits: int


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _moment(day: date, rng: random.Random, now: datetime) -> datetime:
    """A working hour of `day`; for today's hour still to come, an hour ago (as the layered visits' demo does): a
    county seeded early in the morning showed pairing visits made later that day."""
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.randrange(60))))
    return min(moment, now - timedelta(hours=1))


def _pair_users(rng: random.Random, target: int) -> list[User]:
    users = list(User.objects.filter(role__in=[Role.LEADER, Role.CADRE]).order_by("pk"))
    missing = target - len(users)
    if missing > 0:
        # 中层干部 head the bureau's departments and stations; the demo has one login per role, the rest are named.
        units = list(Unit.objects.filter(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.STATION]).order_by("code"))
        unusable = make_password(None)
        users += User.objects.bulk_create(
            User(
                username=f"jd{n:03d}",
                name=names.person_name(rng),
                role=Role.CADRE,
                unit=units[n % len(units)],
                post="中层干部",
                phone=_mobile(rng),
                password=unusable,
            )
            for n in range(1, missing + 1)
        )
    return users[:target]


def _link_cadres_to_their_pairs_villages(links: list[PairingLink]) -> None:
    """A 中层干部 also answers for villages (包村): a cadre made for a pair answers for the pair's village, from
    the pair's start, so every cadre's score has households to visit as the method's cadres do."""
    linked = set(AreaLink.objects.values_list("user_id", flat=True))
    AreaLink.objects.bulk_create(
        AreaLink(user=link.user, area_id=link.household.village_id, start_date=link.start_date)
        for link in links
        if link.user.role == Role.CADRE and link.user_id not in linked
    )


def _hardship_households(rng: random.Random, count: int) -> list[Household]:
    # Pairs of a year's standing are with households the station has long known: not the newly registered ones
    # still without a responsible officer.
    known = Household.objects.filter(pk__in=HouseholdLink.objects.values("household"))
    chosen = list(known.filter(is_hardship=True).order_by("pk")[:count])
    if len(chosen) < count:
        extra = list(known.filter(is_hardship=False).order_by("pk").values_list("pk", flat=True))
        picked = rng.sample(extra, min(len(extra), count - len(chosen)))
        Household.objects.filter(pk__in=picked).update(is_hardship=True)
        chosen += list(Household.objects.filter(pk__in=picked).order_by("pk"))
    rng.shuffle(chosen)
    return chosen


def seed_pairing(*, rng: random.Random, today: date) -> PairingResult:
    households_total = Household.objects.count()
    target = min(COUNTY_PAIRS, max(1, households_total // HOUSEHOLDS_PER_PAIR), households_total)
    users = _pair_users(rng, target)
    households = _hardship_households(rng, len(users))
    links = PairingLink.objects.bulk_create(
        PairingLink(
            user=user,
            household=household,
            # Most pairs are older than the year shown; one in ten began during it.
            start_date=today
            - timedelta(days=rng.randrange(30, YEAR) if rng.random() < 0.1 else YEAR + rng.randrange(400)),
        )
        for user, household in zip(users, households, strict=False)
    )
    _link_cadres_to_their_pairs_villages(links)
    contacts, visits, last_visit = [], [], {}
    now = timezone.now()
    this_monday = today - timedelta(days=today.weekday())
    for link in links:
        user = link.user
        # How well the pair keeps its duty: most keep it, some slip, a few are well behind.
        keep = rng.choices((0.95, 0.75, 0.4), weights=(65, 25, 10))[0]
        if user.username == "cadre":
            keep = 1.0  # the demo cadre: every week kept so far, this week's contact still to make
        if user.username == "leader":
            keep = 0.5
        for week in range(52, -1, -1):
            monday = this_monday - timedelta(weeks=week)
            if monday < link.start_date or (week == 0 and user.username == "cadre"):
                continue
            if rng.random() < keep:
                day = min(monday + timedelta(days=rng.randrange(7)), today)
                contacts.append(
                    PairingContact(
                        pairing=link,
                        date=day,
                        method=rng.choices(PairingContact.Method.values, weights=(60, 25, 12, 3))[0],
                        note=rng.choice(CONTACT_NOTES),
                        recorded_by=user,
                    )
                )
        month = today.replace(day=1)
        for _ in range(12):
            last = min(today, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))
            if user.username == "cadre":
                last = min(last, this_monday - timedelta(days=1))  # a visit this week would be this week's contact
            if month >= link.start_date.replace(day=1) and rng.random() < keep and last >= month:
                day = max(month + timedelta(days=rng.randrange((last - month).days + 1)), link.start_date)
                moment = _moment(day, rng, now)
                visits.append(
                    Visit(
                        kind=Visit.Kind.PAIRING,
                        visitor=user,
                        household=link.household,
                        village_id=link.household.village_id,
                        unit_id=user.unit_id,
                        visited_at=moment,
                        created_at=min(moment + timedelta(hours=rng.randint(1, 6)), now),
                        people_met="户主本人",
                        result=rng.choice(VISIT_RESULTS),
                    )
                )
                last_visit[link.household_id] = max(moment, last_visit.get(link.household_id, moment))
            month = (month - timedelta(days=1)).replace(day=1)
    PairingContact.objects.bulk_create(contacts, batch_size=BATCH_SIZE)
    Visit.objects.bulk_create(visits, batch_size=BATCH_SIZE)
    changed = []
    for household in households:
        moment = last_visit.get(household.pk)
        if moment and (household.last_visited_at is None or moment > household.last_visited_at):
            household.last_visited_at = moment
            changed.append(household)
    Household.objects.bulk_update(changed, ["last_visited_at"], batch_size=BATCH_SIZE)
    return PairingResult(pairs=len(links), contacts=len(contacts), visits=len(visits))


def _community_officers() -> dict[int, int]:
    """Village id → the officer linked to most of its households: its community officer."""
    rows = (
        HouseholdLink.objects.active()
        .values("household__village", "officer")
        .annotate(n=Count("id"))
        .order_by("household__village", "-n")
    )
    officer_of: dict[int, int] = {}
    for row in rows:
        officer_of.setdefault(row["household__village"], row["officer"])
    return officer_of


def seed_teams(*, rng: random.Random, today: date) -> int:
    officer_of = _community_officers()
    villages = list(Area.objects.filter(kind=Area.Kind.VILLAGE, pk__in=officer_of).order_by("code"))
    teams = ServiceTeam.objects.bulk_create(
        ServiceTeam(area=village, name=f"{village.name}公安服务队", leader_id=officer_of[village.pk])
        for village in villages
    )
    members = TeamMember.objects.bulk_create(
        TeamMember(
            team=team,
            name=names.person_name(rng),
            kind=rng.choices(TeamMember.Kind.values[:3], weights=(50, 30, 20))[0],
            phone=_mobile(rng),
            is_active=rng.random() > 0.05,
        )
        for team in teams
        for _ in range(rng.randint(4, 8))
    )
    members_of: dict[int, list[TeamMember]] = {}
    for member in members:
        if member.is_active:
            members_of.setdefault(member.team_id, []).append(member)
    # Mediations taken up from disputes found on visits in the village (one query for the year's disputes).
    disputes: dict[int, list[tuple[int, date]]] = {}
    since = timezone.make_aware(datetime.combine(today - timedelta(days=YEAR), time.min))
    for visit_id, village_id, moment in Finding.objects.filter(
        kind=Finding.Kind.DISPUTE, visit__visited_at__gte=since
    ).values_list("visit_id", "visit__village_id", "visit__visited_at"):
        disputes.setdefault(village_id, []).append((visit_id, timezone.localdate(moment)))
    activities, present = [], []
    for team in teams:
        team_members = members_of.get(team.pk, [])
        if not team_members:
            continue
        for _ in range(rng.randint(18, 40)):
            kind = rng.choices(TeamActivity.Kind.values, weights=(15, 55, 30))[0]
            day = today - timedelta(days=rng.randrange(YEAR))
            visit_id = None
            if kind == TeamActivity.Kind.MEDIATION and disputes.get(team.area_id) and rng.random() < 0.5:
                visit_id, found = rng.choice(disputes[team.area_id])
                day = min(today, found + timedelta(days=rng.randrange(4)))
            activities.append(
                TeamActivity(
                    team=team,
                    date=day,
                    place=rng.choice(PLACES),
                    kind=kind,
                    note=rng.choice(ACTIVITY_NOTES[kind]),
                    visit_id=visit_id,
                    recorded_by_id=team.leader_id,
                )
            )
            present.append(rng.sample(team_members, min(len(team_members), rng.randint(2, 4))))
    activities = TeamActivity.objects.bulk_create(activities, batch_size=BATCH_SIZE)
    through = TeamActivity.members_present.through
    through.objects.bulk_create(
        (
            through(teamactivity_id=activity.pk, teammember_id=member.pk)
            for activity, chosen in zip(activities, present, strict=True)
            for member in chosen
        ),
        batch_size=BATCH_SIZE,
    )
    return len(teams)
