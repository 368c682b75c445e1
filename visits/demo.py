"""The demo county: deterministic for a seed, loaded with bulk inserts so that 100,000 households take seconds."""

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from jingshi_jiafang.core.models import (
    Area,
    AreaLink,
    Household,
    HouseholdLink,
    Organisation,
    OrganisationLink,
    Unit,
    User,
)
from jingshi_jiafang.core.validators import id_number_check_char
from visits import demo_names as names
from visits.demo_history import seed_history
from visits.models import Visit

BUREAU_CODE = "SY"
HOUSEHOLDS_PER_VILLAGE = 2000  # 600,000 households in 305 communities
VILLAGES_PER_TOWN = 10
VILLAGES_PER_POLICE_ROOM = 2.5  # 305 communities, 123 police rooms
BATCH_SIZE = 2000
# Households registered in the last days and not yet given to an officer, in the second village (the demo station's,
# not the demo officer's): what the station head's 未分配住户 page shows. One in twenty of a small county.
NEWLY_REGISTERED = 30

Role = User.Role
# username, role, name, post; the demo officer and duty officer work in the first village's police room, and
# "station" heads the station above it.
DEMO_USERS = [
    ("admin", Role.ADMIN, "赵敏", "系统管理员"),
    ("leader", Role.LEADER, "周建国", "副局长"),
    ("cadre", Role.CADRE, "吴志强", "治安大队大队长"),
    ("officer", Role.OFFICER, "王海燕", "社区民警"),
    ("duty", Role.DUTY_OFFICER, "孙明", "值班民警"),
    ("station", Role.OFFICER, "韩立", "派出所所长"),
    ("legal", Role.LEGAL, "陈静", "法制大队民警"),
    ("evaluator", Role.EVALUATOR, "李娟", "民意访评中心主任"),
    ("secadmin", Role.SECURITY_ADMIN, "钱立", "安全管理员"),
    ("auditor", Role.AUDITOR, "郑红", "安全审计员"),
]


DEPARTMENTS = [("法制大队", "FZ"), ("治安管理大队", "ZA"), ("刑事侦查大队", "XJ")]


@dataclass
class DemoResult:
    created: bool
    towns: int = 0
    villages: int = 0
    households: int = 0
    # Of `households`, those without a responsible officer (newly registered) and their village.
    unassigned: int = 0
    unassigned_village: str = ""
    usernames: list[str] = field(default_factory=list)
    # What the later apps' demo history builds on, in memory: no query over the freshly bulk-loaded tables.
    visits: list[Visit] = field(default_factory=list)
    officer_of: dict[int, User] = field(default_factory=dict)


@dataclass(frozen=True)
class CountyNaming:
    """What makes a county's identifiers its own: the bureau's name, the region code its areas' codes and its
    residents' ID numbers begin with, and a prefix of its unit codes (upper case) and usernames (lower case). The
    default is the demo's 沭阳县 with no prefix; the bench loads a second county beside it with another naming
    (the province measurement), so that no code, username or ID number of the two collides."""

    bureau_name: str = "沭阳县公安局"
    region_code: str = names.SHUYANG_REGION_CODE
    prefix: str = ""

    def unit_code(self, code: str) -> str:
        return f"{self.prefix.upper()}{code}"

    def username(self, username: str) -> str:
        return f"{self.prefix.lower()}{username}"


SHUYANG = CountyNaming()


def _place_stem(town_name: str) -> str:
    """胡集镇 → 胡集, 沭城街道 → 沭城."""
    for suffix in ("街道", "镇", "乡"):
        if town_name.endswith(suffix):
            return town_name[: -len(suffix)]
    return town_name


def county_exists() -> bool:
    """Any unit means the database holds a county, the demo or a real one: never mix the two."""
    return Unit.objects.exists()


def seed_county(*, households: int, days: int, seed: int, password: str) -> DemoResult:
    """Load the demo county unless one is there already (then nothing changes)."""
    if county_exists():
        return DemoResult(created=False)
    with transaction.atomic():
        return _DemoCounty(random.Random(seed), days=days, password=password).build(households)


class _DemoCounty:
    def __init__(self, rng: random.Random, *, days: int, password: str, naming: CountyNaming = SHUYANG):
        self.rng = rng
        self.naming = naming
        self.days = max(days, 1)
        self.today = timezone.localdate()
        self.password_hash = make_password(password)
        self.unusable_hash = make_password(None)
        self.used_id_numbers: set[str] = set()
        self.last_house_number: dict[int, int] = {}
        self.households_in: dict[int, int] = {}

    def build(self, household_total: int) -> DemoResult:
        village_total = max(6, math.ceil(household_total / HOUSEHOLDS_PER_VILLAGE))
        town_total = min(len(names.TOWNS), max(2, math.ceil(village_total / VILLAGES_PER_TOWN)))
        bureau = self._bureau()
        towns, villages = self._land(bureau, town_total, village_total)
        demo = self._demo_users(bureau, villages[0].unit)
        officer_by_village = self._officers(villages, demo["officer"])
        self._station_heads(bureau)
        self._area_links(towns, villages, demo)
        newly_registered = min(NEWLY_REGISTERED, household_total // 20)
        households = self._households(villages, household_total - newly_registered)
        officer_of, handed_over = self._household_links(households, officer_by_village)
        organisations = self._organisations(villages, officer_by_village)
        visits = seed_history(
            rng=self.rng,
            days=self.days,
            today=self.today,
            households=households,
            officer_of=officer_of,
            handed_over=handed_over,
            officer_by_village=officer_by_village,
        )
        # After the households' history, so that it draws the same numbers as before organisations were visited.
        self._organisation_visits(organisations, officer_by_village)
        # Last, so the county above draws the same numbers whatever their count.
        unassigned = self._newly_registered(villages[1], newly_registered)
        return DemoResult(
            created=True,
            towns=len(towns),
            villages=len(villages),
            households=len(households) + len(unassigned),
            unassigned=len(unassigned),
            unassigned_village=villages[1].full_name,
            usernames=list(demo),
            visits=visits,
            officer_of=officer_of,
        )

    # The land and the units.

    def _bureau(self) -> Unit:
        return Unit.objects.create(
            kind=Unit.Kind.BUREAU, name=self.naming.bureau_name, code=self.naming.unit_code(BUREAU_CODE)
        )

    def _land(self, bureau: Unit, town_total: int, village_total: int) -> tuple[list[Area], list[Area]]:
        towns, villages = [], []
        for town_index, (town_name, code) in enumerate(names.TOWNS[:town_total]):
            village_count = village_total // town_total + (1 if town_index < village_total % town_total else 0)
            station = Unit.objects.create(
                kind=Unit.Kind.STATION,
                name=f"{_place_stem(town_name)}派出所",
                code=self.naming.unit_code(code),
                parent=bureau,
            )
            town = Area.objects.create(
                kind=Area.Kind.TOWN,
                name=town_name,
                code=f"{self.naming.region_code}{town_index + 101:03d}",
                unit=station,
            )
            towns.append(town)
            villages.extend(self._villages(town, station, code, village_count))
        Area.objects.bulk_create(villages)
        # This county's villages only: the database may hold another county beside it.
        villages = Area.objects.filter(kind=Area.Kind.VILLAGE, parent__in=towns).select_related("parent", "unit")
        return towns, list(villages)

    def _villages(self, town: Area, station: Unit, code: str, count: int) -> list[Area]:
        room_count = max(1, round(count / VILLAGES_PER_POLICE_ROOM))
        rooms = Unit.objects.bulk_create(
            Unit(
                kind=Unit.Kind.POLICE_ROOM,
                name=f"{_place_stem(town.name)}第{n + 1}中心警务室",
                code=self.naming.unit_code(f"{code}{n + 1}"),
                parent=station,
                phone=f"0527-8{self.rng.randrange(10**6, 10**7)}",
            )
            for n in range(room_count)
        )
        return [
            Area(
                kind=Area.Kind.VILLAGE,
                name=stem + self.rng.choice(names.VILLAGE_SUFFIXES),
                code=f"{town.code}{n + 1:03d}",
                parent=town,
                unit=rooms[n * room_count // count],
            )
            for n, stem in enumerate(self.rng.sample(names.VILLAGE_STEMS, count))
        ]

    # People.

    def _person_name(self) -> str:
        return names.person_name(self.rng)

    def _mobile(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def _demo_users(self, bureau: Unit, police_room: Unit) -> dict[str, User]:
        """The bureau's departments too: matters are escalated to them and sent back down (上下联动制)."""
        departments = {
            code: Unit.objects.create(
                kind=Unit.Kind.DEPARTMENT, name=name, code=self.naming.unit_code(code), parent=bureau
            )
            for name, code in DEPARTMENTS
        }
        users = {}
        units = {"station": police_room.parent, "officer": police_room, "duty": police_room, "legal": departments["FZ"]}
        for username, role, name, post in DEMO_USERS:
            users[username] = User.objects.create(
                username=self.naming.username(username),
                name=name,
                role=role,
                post=post,
                unit=units.get(username, bureau),
                is_unit_head=username == "station",
                phone=self._mobile(),
                password=self.password_hash,
                is_staff=role == Role.ADMIN,
            )
        return users

    def _generated_user(self, username: str, role: str, unit: Unit, post: str, **extra) -> User:
        return User(
            username=self.naming.username(username),
            name=self._person_name(),
            role=role,
            unit=unit,
            post=post,
            phone=self._mobile(),
            password=self.unusable_hash,
            **extra,
        )

    def _officers(self, villages: list[Area], demo_officer: User) -> dict[int, User]:
        """One community officer per village, in the village's police room; the demo officer has the first."""
        generated = User.objects.bulk_create(
            self._generated_user(f"mj{index:04d}", Role.OFFICER, village.unit, "社区民警")
            for index, village in enumerate(villages[1:], start=1)
        )
        return {village.pk: officer for village, officer in zip(villages, [demo_officer, *generated], strict=True)}

    def _station_heads(self, bureau: Unit) -> None:
        """A 所长 for each station that has no head yet, and an 教导员 for each: a station has more than one head,
        so what one of them delivered himself has another to close it (销号 is never by the one who delivered)."""
        stations = list(Unit.objects.filter(kind=Unit.Kind.STATION, parent=bureau))
        headed = set(User.objects.filter(is_unit_head=True, unit__in=stations).values_list("unit", flat=True))
        heads = [
            self._generated_user(f"sz{station.code.lower()}", Role.OFFICER, station, "所长", is_unit_head=True)
            for station in stations
            if station.pk not in headed
        ]
        # Their names and phones from draws of their own: the rest of the county stays what it was for a seed.
        kept, self.rng = self.rng, random.Random(f"教导员{self.naming.region_code}")
        heads += [
            self._generated_user(f"jd{station.code.lower()}", Role.OFFICER, station, "教导员", is_unit_head=True)
            for station in stations
        ]
        self.rng = kept
        User.objects.bulk_create(heads)

    def _area_links(self, towns: list[Area], villages: list[Area], demo: dict[str, User]) -> None:
        """A leader per town and a cadre per two villages; the demo leader and cadre take the first ones."""
        bureau = demo["admin"].unit
        leaders = [
            demo["leader"],
            *User.objects.bulk_create(
                self._generated_user(f"ld{index:02d}", Role.LEADER, bureau, "局党委委员")
                for index in range(1, len(towns))
            ),
        ]
        pairs = [villages[i : i + 2] for i in range(0, len(villages), 2)]
        cadres = [
            demo["cadre"],
            *User.objects.bulk_create(
                self._generated_user(f"gb{index:03d}", Role.CADRE, bureau, "中层干部") for index in range(1, len(pairs))
            ),
        ]
        links = [
            AreaLink(user=leader, area=town, start_date=self._start_date())
            for leader, town in zip(leaders, towns, strict=True)
        ]
        links += [
            AreaLink(user=cadre, area=village, start_date=self._start_date())
            for cadre, pair in zip(cadres, pairs, strict=True)
            for village in pair
        ]
        AreaLink.objects.bulk_create(links, batch_size=BATCH_SIZE)

    # Households and organisations.

    def _id_number(self) -> str:
        while True:
            birth = date(1940, 1, 1) + timedelta(days=self.rng.randrange(365 * 62))
            first17 = f"{self.naming.region_code}{birth:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.used_id_numbers:
                self.used_id_numbers.add(number)
                return number

    def _address(self, village: Area) -> str:
        """Houses are numbered along the village with a gap here and there, so no two share a number; a 组
        (villagers' group) is a run of 200 numbers."""
        number = self.last_house_number.get(village.pk, 0) + self.rng.randint(1, 3)
        self.last_house_number[village.pk] = number
        return f"{village.parent.name}{village.name}{1 + (number - 1) // 200}组{number}号"

    def _registration_number(self, village: Area) -> str:
        """户号: the village's code and the household's number in it, as the household-registration export has
        them, so a links workbook can name demo households."""
        number = self.households_in.get(village.pk, 0) + 1
        self.households_in[village.pk] = number
        return f"{village.code}{number:04d}"

    def _household(self, village: Area) -> Household:
        return Household(
            village=village,
            registration_number=self._registration_number(village),
            head_name=self._person_name(),
            head_id_number=self._id_number(),
            members_count=self.rng.choices((1, 2, 3, 4, 5, 6), weights=(8, 22, 28, 24, 12, 6))[0],
            address=self._address(village),
            phone=self._mobile() if self.rng.random() < 0.9 else "",
            is_hardship=self.rng.random() < 0.01,
        )

    def _households(self, villages: list[Area], total: int) -> list[Household]:
        households = [self._household(villages[index % len(villages)]) for index in range(total)]
        return Household.objects.bulk_create(households, batch_size=BATCH_SIZE)

    def _newly_registered(self, village: Area, count: int) -> list[Household]:
        """Households moved in after the demo's links were made: no responsible officer, no visit yet."""
        return Household.objects.bulk_create([self._household(village) for _ in range(count)])

    def _start_date(self) -> date:
        """Links began before the demo period, so every visit in it was made inside a link."""
        return self.today - timedelta(days=self.days + self.rng.randrange(3 * 365))

    def _household_links(
        self, households: list[Household], officer_by_village: dict[int, User]
    ) -> tuple[dict[int, User], dict[int, tuple[date, User]]]:
        """Some households changed officer inside the period, so the demo shows link history. Returns household
        id → the officer of its active link, and household id → (the day that link began, the officer before)."""
        officers = list(officer_by_village.values())
        links, handed_over = [], {}
        for household in households:
            start = self._start_date()
            if self.days > 1 and self.rng.random() < 0.05:
                earlier, start = start, self.today - timedelta(days=self.rng.randrange(1, self.days))
                predecessor = self.rng.choice(officers)
                handed_over[household.pk] = (start, predecessor)
                links.append(
                    HouseholdLink(officer=predecessor, household=household, start_date=earlier, end_date=start)
                )
            links.append(
                HouseholdLink(officer=officer_by_village[household.village_id], household=household, start_date=start)
            )
        HouseholdLink.objects.bulk_create(links, batch_size=BATCH_SIZE)
        return {household.pk: officer_by_village[household.village_id] for household in households}, handed_over

    def _organisations(self, villages: list[Area], officer_by_village: dict[int, User]) -> list[Organisation]:
        organisations = Organisation.objects.bulk_create(
            Organisation(
                village=village,
                # 单位编码 shaped like a 统一社会信用代码, unique by the village's code, so links can name it.
                code=f"91{village.code}MA{n + 1:02d}",
                name=f"{village.name}{kind}",
                address=self._address(village),
                contact_name=self._person_name(),
                phone=self._mobile(),
            )
            for village in villages
            for n, kind in enumerate(self.rng.sample(names.ORGANISATION_KINDS, 2))
        )
        OrganisationLink.objects.bulk_create(
            OrganisationLink(
                officer=officer_by_village[org.village_id], organisation=org, start_date=self._start_date()
            )
            for org in organisations
        )
        return organisations

    # The organisations of the first villages (the demo officer's among them) visited a few times in the period:
    # enough to show 单位走访 in the diary, the organisation pages and the figures, few enough that the households'
    # rates the demo is built to (visits, corrections, disputes per visit) are untouched.
    ORGANISATION_VISIT_VILLAGES = 3
    ORGANISATION_VISIT_SAYINGS = (
        ("负责人", "检查消防通道和灭火器,提醒夜间值守", "已整改"),
        ("门卫", "了解外来务工人员登记情况", "已登记"),
        ("负责人及保卫人员", "宣传防电信诈骗,张贴提示海报", "已宣传"),
        ("负责人", "询问周边治安情况,留下警民联系卡", "无异常"),
    )

    def _organisation_visits(self, organisations: list[Organisation], officer_by_village: dict[int, User]) -> None:
        villages = sorted({org.village_id for org in organisations})[: self.ORGANISATION_VISIT_VILLAGES]
        visits = []
        for org in (org for org in organisations if org.village_id in villages):
            officer = officer_by_village[org.village_id]
            for _ in range(self.rng.randint(1, 3)):
                day = self.today - timedelta(days=self.rng.randrange(min(self.days, 60)))
                moment = timezone.make_aware(
                    datetime.combine(day, time(self.rng.randint(9, 16), self.rng.randrange(60)))
                )
                if moment > timezone.now():
                    moment = timezone.now() - timedelta(hours=1)
                people, opinions, result = self.rng.choice(self.ORGANISATION_VISIT_SAYINGS)
                visits.append(
                    Visit(
                        kind=Visit.Kind.DAY,
                        visitor=officer,
                        organisation=org,
                        village_id=org.village_id,
                        unit=officer.unit,
                        visited_at=moment,
                        created_at=min(moment + timedelta(minutes=self.rng.randint(5, 90)), timezone.now()),
                        people_met=people,
                        facts_confirmed=False,
                        opinions=opinions,
                        result=result,
                        submission_key=uuid.UUID(int=self.rng.getrandbits(128)),
                    )
                )
        Visit.objects.bulk_create(visits)
