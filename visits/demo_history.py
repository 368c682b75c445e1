"""The demo county's history over `--days`: visits of all three kinds with outcomes at the rates the bureau
reported (476,300 visits, 1.4 million data corrections, 64,000 disputes, 6,200 pieces of stability information,
9,300 case clues and 5,876 complex problems in two years), night-visit plans, and the requests heard."""

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from visits.models import (
    Area,
    AreaLink,
    Finding,
    Household,
    HouseholdLink,
    NightVisitPlan,
    RegistrationCorrection,
    User,
    Visit,
)
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
REQUEST_RATE = 0.2
NIGHT_SHARE = 0.25

CORRECTION_SAMPLES = {
    RegistrationCorrection.Field.ETHNICITY: ("汉", "回"),
    RegistrationCorrection.Field.MARITAL_STATUS: ("未婚", "已婚"),
    RegistrationCorrection.Field.EDUCATION: ("初中", "高中"),
    RegistrationCorrection.Field.EMPLOYER: ("无", "沭阳县木业公司"),
    RegistrationCorrection.Field.BIRTH_DATE: ("1965-03-02", "1965-02-03"),
    RegistrationCorrection.Field.MEMBER_ADDED: ("", "新生儿登记"),
    RegistrationCorrection.Field.MEMBER_REMOVED: ("", "外出务工迁出"),
}
FINDING_SAMPLES = {
    Finding.Kind.DISPUTE: [
        "邻里因宅基地边界发生争执",
        "婆媳矛盾,多次争吵",
        "土地流转租金纠纷",
        "排水沟堵塞引发邻里纠纷",
    ],
    Finding.Kind.STABILITY: ["有人串联准备集体上访", "外地人员在村内聚集传教"],
    Finding.Kind.CASE_CLUE: ["夜里有人在河边偷电缆", "有可疑车辆多次在村口停留", "有人收购来路不明的电动车"],
    Finding.Kind.PROBLEM_SOLVED: ["帮助孤寡老人办理低保", "协调解决留守儿童入学"],
}
REQUESTS = [
    "村东头最近连续丢了三辆电动车,希望晚上多派人巡逻",
    "小区门口的监控坏了半年,晚上黑灯瞎火",
    "孩子出生三个月了还没上户口,材料不知道怎么准备",
    "身份证丢了,补办要跑县城好几趟,能不能在镇上办",
    "户口本上我的出生日期登记错了,想申请更正",
    "有陌生人冒充公检法打电话让我转账,想请民警来村里讲讲防诈骗",
    "学校放学时门口车多人杂,希望安排护学岗",
    "报警以后等了四十分钟才有人来,出警太慢",
    "我家被盗报案两年了,案子一直没有结果",
    "村里那条水泥路坏了好几年,一下雨就没法走",
]


def seed_history(*, rng: random.Random, days: int, today: date) -> None:
    _History(rng, days, today).build()


class _History:
    def __init__(self, rng: random.Random, days: int, today: date):
        self.rng = rng
        self.days = days
        self.today = today
        self.tz = timezone.get_current_timezone()

    def build(self) -> None:
        households = list(Household.objects.select_related("village__parent").order_by("pk"))
        officer_of = dict(HouseholdLink.objects.active().values_list("household_id", "officer_id"))
        officers = {user.pk: user for user in User.objects.filter(role=User.Role.OFFICER).select_related("unit")}
        area_visitors = self._area_visitors()
        night_plans = self._night_plans(officers.values())
        visits = self._visits(households, officer_of, officers, area_visitors, night_plans)
        Visit.objects.bulk_create(visits, batch_size=BATCH_SIZE)
        self._outcomes(visits)
        self._last_visits(visits)

    def _area_visitors(self) -> dict[int, list[User]]:
        """Village id → the cadres and leaders linked to it, who visit there too."""
        visitors: dict[int, list[User]] = {}
        for link in AreaLink.objects.active().select_related("user__unit", "area"):
            villages = (
                [link.area.pk]
                if link.area.kind == Area.Kind.VILLAGE
                else list(link.area.villages.values_list("pk", flat=True))
            )
            for village in villages:
                visitors.setdefault(village, []).append(link.user)
        return visitors

    def _moment(self, day: date, night: bool) -> datetime:
        hour, minute = (20, self.rng.randrange(50)) if night else (self.rng.randint(8, 17), self.rng.randrange(60))
        return datetime.combine(day, time(hour, minute), self.tz)

    def _night_plans(self, officers) -> dict[tuple[int, date], int]:
        """Each community officer visits their village on two nights a week, from `days` ago to two weeks ahead;
        four plans in five are kept. Returns (officer, night) → village of the kept plans in the past."""
        village_of = dict(HouseholdLink.objects.active().values_list("officer_id", "household__village_id").distinct())
        head_of = {user.unit_id: user for user in User.objects.filter(is_unit_head=True)}
        plans, kept = [], {}
        week = self.today - timedelta(days=self.today.weekday() + 7 * (self.days // 7))
        while week <= self.today + timedelta(days=14):
            nights = [week + timedelta(days=n) for n in range(7) if is_night_date(week + timedelta(days=n))]
            for officer in officers:
                if officer.pk not in village_of or not nights or officer.is_unit_head:
                    continue
                station = officer.unit.parent or officer.unit
                for night in self.rng.sample(nights, min(2, len(nights))):
                    plans.append(
                        NightVisitPlan(
                            officer=officer,
                            village_id=village_of[officer.pk],
                            date=night,
                            unit=station,
                            planned_by=head_of.get(station.pk, officer),
                        )
                    )
                    if night < self.today and self.rng.random() < 0.8:
                        kept[(officer.pk, night)] = village_of[officer.pk]
            week += timedelta(days=7)
        NightVisitPlan.objects.bulk_create(plans, batch_size=BATCH_SIZE, ignore_conflicts=True)
        return kept

    def _visits(self, households, officer_of, officers, area_visitors, night_plans) -> list[Visit]:
        by_village: dict[int, list[Household]] = {}
        for household in households:
            by_village.setdefault(household.village_id, []).append(household)
        visits = [
            self._visit(self.rng.choice(by_village[village]), officers[officer], self._moment(night, True), True)
            for (officer, night), village in night_plans.items()
            if village in by_village
        ]
        day_visits = int(len(households) * VISITS_PER_HOUSEHOLD_YEAR * self.days / 365 * (1 - NIGHT_SHARE))
        for _ in range(day_visits):
            household = self.rng.choice(households)
            visitor = officers.get(officer_of.get(household.pk))
            if self.rng.random() < 0.1 and area_visitors.get(household.village_id):
                visitor = self.rng.choice(area_visitors[household.village_id])
            if visitor is None:
                continue
            day = self.today - timedelta(days=self.rng.randint(1, self.days))
            visits.append(self._visit(household, visitor, self._moment(day, False), False))
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
            people_met=self.rng.choice(["户主本人", "户主及配偶", "户主母亲", "户主儿子"]),
            facts_confirmed=True,
            opinions=self.rng.choice(["", "", "希望多来村里讲讲防诈骗", "对社区民警工作满意"]),
            result=self.rng.choice(["已核实情况", "已答复", "当场解答"]),
            explained_policy=night,
            collected_opinions=night,
            submission_key=uuid.UUID(int=self.rng.getrandbits(128)),
        )

    def _outcomes(self, visits: list[Visit]) -> None:
        # The requests heard become feedback matters; demo data is the one place that writes both apps at once.
        from feedback.models import Matter, MatterEvent

        corrections, findings, matters = [], [], []
        fields = list(CORRECTION_SAMPLES)
        for visit in visits:
            for field in self.rng.sample(fields, min(self.rng.choice(CORRECTION_COUNTS), len(fields))):
                old, new = CORRECTION_SAMPLES[field]
                corrections.append(
                    RegistrationCorrection(
                        visit=visit, household_id=visit.household_id, field=field, old_value=old, new_value=new
                    )
                )
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
            if self.rng.random() < REQUEST_RATE:
                matters.append(
                    Matter(
                        reference=f"{visit.visited_at:%y%m%d}{len(matters):06d}",
                        channel=Matter.Channel.VISIT,
                        household_id=visit.household_id,
                        visit=visit,
                        unit_id=visit.household.village.unit_id,
                        content=self.rng.choice(REQUESTS),
                        reported_by=visit.visitor,
                    )
                )
        RegistrationCorrection.objects.bulk_create(corrections, batch_size=BATCH_SIZE)
        Finding.objects.bulk_create(findings, batch_size=BATCH_SIZE)
        Matter.objects.bulk_create(matters, batch_size=BATCH_SIZE)
        MatterEvent.objects.bulk_create(
            (MatterEvent(matter=m, to_state=Matter.State.REPORTED, actor=m.reported_by, note="登记") for m in matters),
            batch_size=BATCH_SIZE,
        )

    def _last_visits(self, visits: list[Visit]) -> None:
        last: dict[int, datetime] = {}
        for visit in visits:
            if visit.household_id not in last or last[visit.household_id] < visit.visited_at:
                last[visit.household_id] = visit.visited_at
        Household.objects.bulk_update(
            [Household(pk=pk, last_visited_at=moment) for pk, moment in last.items()],
            ["last_visited_at"],
            batch_size=BATCH_SIZE,
        )
