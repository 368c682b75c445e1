"""The demo county's history over `--days`: visits of all three kinds with outcomes at the rates the bureau
reported (476,300 visits, 1.4 million data corrections, 64,000 disputes, 6,200 pieces of stability information,
9,300 case clues and 5,876 complex problems in two years) and night-visit plans.

Everything it needs about the county comes from what the loader holds in memory: the tables were bulk-loaded a
moment ago, and on PostgreSQL a join over them before ANALYZE is planned as if they were empty (one such query
once ran for more than 17 minutes on 100,000 households)."""

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jingshi_jiafang.core.models import Area, AreaLink, Household, User
from visits import demo_names as names
from visits.models import Finding, NightVisitPlan, RegistrationCorrection, Visit
from visits.night import is_night_date

BATCH_SIZE = 2000
VISITS_PER_HOUSEHOLD_YEAR = 0.4  # 476,300 visits of 600,000 households in two years
CORRECTION_COUNTS = (0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 8, 5)  # 2.9 a visit on average
FINDING_RATES = {
    Finding.Kind.DISPUTE: 0.134,
    Finding.Kind.STABILITY: 0.013,
    Finding.Kind.CASE_CLUE: 0.02,
    Finding.Kind.PROBLEM_SOLVED: 0.012,
}
NIGHT_SHARE = 0.25

Field = RegistrationCorrection.Field
ETHNICITIES = ["汉"] * 30 + ["回", "满", "蒙古", "壮", "苗"]
# Only values the visit form offers (RegistrationCorrection.MARITAL_STATUSES, EDUCATION_LEVELS): a remarriage is
# 已婚 again, and the levels are the form's, from 小学 up.
MARITAL_CHANGES = [("未婚", "已婚"), ("已婚", "离婚"), ("已婚", "丧偶"), ("离婚", "已婚"), ("", "已婚"), ("", "未婚")]
EDUCATION_LEVELS = RegistrationCorrection.EDUCATION_LEVELS[1:]
EMPLOYER_KINDS = ["木业有限公司", "电子厂", "花木合作社", "建筑工程队", "物流公司", "服装厂", "农机站", "超市"]
EMPLOYER_CITIES = ["沭阳县", "宿迁市", "苏州市", "昆山市", "上海市", "南京市", "无锡市"]
MEMBERS_JOINING = ["新生儿", "儿媳(婚入)", "女婿(婚入)", "孙女(新生儿)", "母亲(投靠)", "孙子(新生儿)"]
MEMBERS_LEAVING = ["死亡注销", "婚出", "迁往南京", "迁往苏州", "参军", "大学迁出"]
FINDING_SAMPLES = {
    Finding.Kind.DISPUTE: [
        "邻里因宅基地边界发生争执",
        "婆媳矛盾,多次争吵",
        "土地流转租金纠纷",
        "排水沟堵塞引发邻里纠纷",
        "兄弟分家为老人赡养费吵翻",
        "鸡鸭进了邻居菜地,两家吵了几回",
        "外出务工工资被包工头拖欠",
        "承包鱼塘到期,交接时发生口角",
        "建房占了公共巷道,邻居有意见",
    ],
    Finding.Kind.STABILITY: [
        "有人串联准备集体上访",
        "外地人员在村内聚集传教",
        "几户拆迁户对补偿不满,商量去县里",
        "有人在网上发帖煽动讨薪",
    ],
    Finding.Kind.CASE_CLUE: [
        "夜里有人在河边偷电缆",
        "有可疑车辆多次在村口停留",
        "有人收购来路不明的电动车",
        "空置厂房夜里有人进出,疑似聚赌",
        "有人以招工为名收取押金",
    ],
    Finding.Kind.PROBLEM_SOLVED: [
        "帮助孤寡老人办理低保",
        "协调解决留守儿童入学",
        "帮残疾人申领补贴",
        "协调供电所修复低压线路",
        "帮外出务工人员追回欠薪",
    ],
}


def first_head_of_each_unit() -> dict[int, User]:
    """Unit → its first head (a station's 所长, made before its 教导员): who plans and dispatches in the history."""
    heads: dict[int, User] = {}
    for head in User.objects.filter(is_unit_head=True).order_by("pk"):
        heads.setdefault(head.unit_id, head)
    return heads


def seed_history(
    *,
    rng: random.Random,
    days: int,
    today: date,
    households: list[Household],
    officer_of: dict[int, User],
    handed_over: dict[int, tuple[date, User]],
    officer_by_village: dict[int, User],
) -> list[Visit]:
    """`officer_of`: household id → the officer of its active link; `handed_over`: household id → (the day that
    link began, the officer before) for households that changed officer in the period; `officer_by_village`:
    village id → its community officer. Returns the visits in the order they happened, for the later apps."""
    return _History(rng, days, today).build(households, officer_of, handed_over, officer_by_village)


class _History:
    def __init__(self, rng: random.Random, days: int, today: date):
        self.rng = rng
        self.days = days
        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()

    def build(self, households, officer_of, handed_over, officer_by_village) -> list[Visit]:
        area_visitors = self._area_visitors()
        night_plans = self._night_plans(officer_by_village)
        visits = self._visits(households, officer_of, handed_over, area_visitors, night_plans)
        visits.sort(key=lambda visit: visit.visited_at)
        Visit.objects.bulk_create(visits, batch_size=BATCH_SIZE)
        self._outcomes(visits)
        return visits

    def _area_visitors(self) -> dict[int, list[User]]:
        """Village id → the cadres and leaders linked to it, who visit there too. Area links and areas are a few
        hundred rows: small enough for any plan."""
        villages_of_town: dict[int, list[int]] = {}
        for pk, town in Area.objects.filter(kind=Area.Kind.VILLAGE).values_list("pk", "parent_id"):
            villages_of_town.setdefault(town, []).append(pk)
        visitors: dict[int, list[User]] = {}
        for link in AreaLink.objects.active().select_related("user__unit", "area"):
            villages = [link.area.pk] if link.area.kind == Area.Kind.VILLAGE else villages_of_town.get(link.area.pk, [])
            for village in villages:
                visitors.setdefault(village, []).append(link.user)
        return visitors

    def _moment(self, day: date, night: bool) -> datetime:
        hour, minute = (20, self.rng.randrange(50)) if night else (self.rng.randint(8, 17), self.rng.randrange(60))
        return datetime.combine(day, time(hour, minute), self.tz)

    def _night_plans(self, officer_by_village: dict[int, User]) -> dict[tuple[int, date], int]:
        """Each community officer visits their village on two nights a week, from `days` ago to two weeks ahead;
        four plans in five are kept. Returns (officer, night) → village of the kept plans in the past."""
        head_of = first_head_of_each_unit()
        plans, kept = [], {}
        week = self.today - timedelta(days=self.today.weekday() + 7 * (self.days // 7))
        while week <= self.today + timedelta(days=14):
            nights = [week + timedelta(days=n) for n in range(7) if is_night_date(week + timedelta(days=n))]
            for village_id, officer in officer_by_village.items():
                if not nights:
                    continue
                station_id = officer.unit.parent_id or officer.unit_id
                for night in self.rng.sample(nights, min(2, len(nights))):
                    plans.append(
                        NightVisitPlan(
                            officer=officer,
                            village_id=village_id,
                            date=night,
                            unit_id=station_id,
                            planned_by=head_of.get(station_id, officer),
                        )
                    )
                    if night < self.today and self.rng.random() < 0.8:
                        kept[(officer.pk, night)] = village_id
            week += timedelta(days=7)
        NightVisitPlan.objects.bulk_create(plans, batch_size=BATCH_SIZE, ignore_conflicts=True)
        return kept

    def _visits(self, households, officer_of, handed_over, area_visitors, night_plans) -> list[Visit]:
        by_village: dict[int, list[Household]] = {}
        for household in households:
            by_village.setdefault(household.village_id, []).append(household)
        officers = {officer.pk: officer for officer in officer_of.values()}
        visits = [
            self._visit(self.rng.choice(by_village[village]), officers[officer], self._moment(night, True), True)
            for (officer, night), village in night_plans.items()
            if village in by_village and officer in officers
        ]
        day_visits = int(len(households) * VISITS_PER_HOUSEHOLD_YEAR * self.days / 365 * (1 - NIGHT_SHARE))
        for _ in range(day_visits):
            household = self.rng.choice(households)
            day = self.today - timedelta(days=self.rng.randrange(self.days))
            visitor = officer_of.get(household.pk)
            if household.pk in handed_over and day < handed_over[household.pk][0]:
                visitor = handed_over[household.pk][1]
            if self.rng.random() < 0.1 and area_visitors.get(household.village_id):
                visitor = self.rng.choice(area_visitors[household.village_id])
            if visitor is None:
                continue
            moment = self._moment(day, False)
            if moment >= self.now:  # today's visits are those already made
                moment -= timedelta(days=1)
            visits.append(self._visit(household, visitor, moment, False))
        return visits

    def _visit(self, household: Household, visitor: User, moment: datetime, night: bool) -> Visit:
        return Visit(
            kind=Visit.Kind.NIGHT if night else Visit.Kind.DAY,
            visitor=visitor,
            household=household,
            village_id=household.village_id,
            unit=visitor.unit,
            visited_at=moment,
            # Entered that same evening or day, as an officer does: a visit entered "now" for a day long past would
            # be a late entry that keeps no night plan.
            created_at=moment + timedelta(minutes=self.rng.randint(5, 90)),
            people_met=self.rng.choice(["户主本人", "户主及配偶", "户主母亲", "户主儿子", "户主儿媳", "户主父亲"]),
            facts_confirmed=True,
            opinions=self.rng.choice(["", "", "", "希望多来村里讲讲防诈骗", "对社区民警工作满意", "盼着路灯早点修好"]),
            result=self.rng.choice(["已核实情况", "已答复", "当场解答", "已登记,回所里汇报"]),
            explained_policy=night,
            collected_opinions=night,
            submission_key=uuid.UUID(int=self.rng.getrandbits(128)),
        )

    def _outcomes(self, visits: list[Visit]) -> None:
        """Corrections are made in the order the visits happened: a household's phone or size corrected twice
        reads old → new → newer, and the household ends with the last value, as `visit_log` corrects in place."""
        corrections, findings = [], []
        changed: dict[int, Household] = {}
        for visit in visits:
            household = visit.household
            changed[household.pk] = household
            corrections += self._corrections(visit, household)
            household.last_visited_at = visit.visited_at
            for kind, rate in FINDING_RATES.items():
                if self.rng.random() < rate:
                    mediated = kind == Finding.Kind.DISPUTE and self.rng.random() < 0.7
                    findings.append(
                        Finding(
                            visit=visit,
                            kind=kind,
                            description=self.rng.choice(FINDING_SAMPLES[kind]),
                            mediated_on_spot=mediated,
                        )
                    )
        RegistrationCorrection.objects.bulk_create(corrections, batch_size=BATCH_SIZE)
        Finding.objects.bulk_create(findings, batch_size=BATCH_SIZE)
        Household.objects.bulk_update(
            list(changed.values()), ["last_visited_at", "phone", "members_count"], batch_size=BATCH_SIZE
        )

    def _corrections(self, visit: Visit, household: Household) -> list[RegistrationCorrection]:
        items = [Field.PHONE, Field.BIRTH_DATE, Field.ETHNICITY, Field.MARITAL_STATUS, Field.EDUCATION]
        items += [Field.EMPLOYER, Field.MEMBER_ADDED, Field.MEMBER_REMOVED]
        chosen = self.rng.sample(items, min(self.rng.choice(CORRECTION_COUNTS), len(items)))
        values = []
        for item in chosen:
            if item == Field.MEMBER_REMOVED and household.members_count - 1 < 1:
                continue
            values.append((item, *self._change(item, household)))
            if item in (Field.MEMBER_ADDED, Field.MEMBER_REMOVED):
                size = household.members_count + (1 if item == Field.MEMBER_ADDED else -1)
                values.append((Field.MEMBERS_COUNT, str(household.members_count), str(size)))
                household.members_count = size
            elif item == Field.PHONE:
                household.phone = values[-1][2]
        return [
            RegistrationCorrection(visit=visit, household=household, field=item, old_value=old, new_value=new)
            for item, old, new in values
        ]

    def _change(self, item: str, household: Household) -> tuple[str, str]:
        rng = self.rng
        if item == Field.PHONE:
            return household.phone, f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if item == Field.BIRTH_DATE:
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 80))
            wrong = born.replace(year=born.year + rng.choice((-1, 1))) if born.day <= 28 else born - timedelta(days=3)
            if born.day <= 12 and born.month != born.day and rng.random() < 0.5:
                wrong = born.replace(month=born.day, day=born.month)  # month and day swapped when it was typed in
            return wrong.isoformat(), born.isoformat()
        if item == Field.ETHNICITY:
            right = rng.choice(ETHNICITIES)
            return rng.choice(["", *(e for e in set(ETHNICITIES) if e != right)]), right
        if item == Field.MARITAL_STATUS:
            return rng.choice(MARITAL_CHANGES)
        if item == Field.EDUCATION:
            level = rng.randrange(1, len(EDUCATION_LEVELS))
            old = "" if rng.random() < 0.3 else EDUCATION_LEVELS[rng.randrange(level)]
            return old, EDUCATION_LEVELS[level]
        if item == Field.EMPLOYER:
            old = rng.choice(["无", "在家务农", "", self._employer()])
            new = old
            while new == old:
                new = rng.choice(["在家务农", "个体经营", self._employer(), self._employer()])
            return old, new
        member = names.person_name(rng, surname=household.head_name[0])
        if item == Field.MEMBER_ADDED:
            return "", f"{member},{rng.choice(MEMBERS_JOINING)}"
        return "", f"{member},{rng.choice(MEMBERS_LEAVING)}"

    def _employer(self) -> str:
        stem = self.rng.choice(names.VILLAGE_STEMS)[:1] + self.rng.choice(names.GIVEN_CHARS)
        return f"{self.rng.choice(EMPLOYER_CITIES)}{stem}{self.rng.choice(EMPLOYER_KINDS)}"
