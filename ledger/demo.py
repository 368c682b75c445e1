"""Demo ledger: the demo officer's promises from their recent visits, taken through the real services to every
state (known, registered, delivered, closed by the station head or on a callback, overdue, reopened after a
callback). Runs after the bulk load has been analysed (seed_demo), and only touches the demo officer's few dozen
rows, so it is fast and the same for a seed. The history's matters have their items already
(ledger/demo_matters.py)."""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.utils import timezone

from jingshi_jiafang.core.models import Household, User
from jingshi_jiafang.core.scopes import households_linked_to
from ledger import services
from ledger.models import LedgerItem

# What an officer promises at the door, and what delivering it looks like.
PROMISES = [
    ("帮助申请危房改造补助,联系镇民政办上门评估", "镇民政办已上门评估,补助申请已受理"),
    ("联系供电所修复村口路灯", "供电所已更换灯头,路灯恢复照明"),
    ("协调村委会为独居老人安装一键呼叫器", "呼叫器已安装并教会老人使用"),
    ("帮助办理孙子的户口迁入手续", "户口已迁入,户口簿已送到家"),
    ("调解与邻居的宅基地边界纠纷", "双方在村委会签订调解协议"),
    ("为留守儿童联系学校心理老师定期家访", "学校已安排老师每两周家访一次"),
    ("协助申请残疾人护理补贴", "补贴已批准,首月已到账"),
    ("联系交警在学校门口增设减速带", "减速带已安装"),
    ("帮助追讨拖欠的务工工资", "用人单位已结清工资"),
    ("给老人讲解防范电信诈骗,并在手机上安装反诈软件", "已上门讲解并安装国家反诈中心软件"),
    ("协调清理门前长期堆放的建筑垃圾", "垃圾已清运"),
    ("帮助补办遗失的残疾证", "残疾证已补办并送达"),
    ("联系自来水公司解决水压不足", "水管已改造,水压恢复"),
    ("督促邻居拴养大型犬", "已约谈犬主,犬只已拴养并办证"),
]
# Promises noted from a household page (no visit) are spread over this many days before today.
DEMO_DAYS = 30
# The state each promise is taken to, in the order of the officer's visits: every state, some late, some reopened.
PLAN = [
    "known",
    "registered",
    "delivered",
    "closed",
    "overdue_registered",
    "reopened",
    "closed",
    "overdue_known",
    "reopened_delivered",
    "delivered",
    "closed",
    "registered",
    "closed",
    "known",
]


def seed_ledger(*, rng: random.Random, today: date) -> int:
    """Returns the number of items opened by hand."""
    officer = User.objects.filter(username="officer").select_related("unit").first()
    head = User.objects.filter(username="station").first()
    evaluator = User.objects.filter(username="evaluator").first()
    if not (officer and head and evaluator):
        return 0
    visits = list(
        officer.visits.filter(household__isnull=False)
        .select_related("household__village__unit")
        .order_by("-visited_at", "-pk")[: len(PLAN)]
    )
    # Promises made on the officer's recent visits; an officer with few visits yet made the rest on households
    # of theirs at the door, noted from the household page.
    places = [(visit.household, visit) for visit in visits]
    seen = {household.pk for household, _ in places}
    linked = (
        Household.objects.filter(pk__in=households_linked_to(officer).values("pk"))
        .exclude(pk__in=seen)
        .select_related("village__unit")
        .order_by("pk")
    )
    places += [(household, None) for household in linked[: len(PLAN) - len(places)]]
    now = timezone.now()
    # Each promise is made when its visit was, or on a day of the demo period for one noted from the household
    # page; the oldest get the late plans, so that a deadline after the promise can already have passed.
    dated = sorted(
        ((min(_opened_at(visit, rng=rng, today=today), now), household, visit) for household, visit in places),
        key=lambda row: row[0],
    )
    plans = sorted(PLAN[: len(dated)], key=lambda plan: not plan.startswith("overdue"))
    for n, ((opened, household, visit), plan) in enumerate(zip(dated, plans, strict=True)):
        what, done = PROMISES[n % len(PROMISES)]
        opened_on = timezone.localdate(opened)
        late_days = (today - opened_on).days - 1
        if plan.startswith("overdue") and late_days >= 1:
            deadline = opened_on + timedelta(days=rng.randint(1, min(late_days, 10)))
        else:
            deadline = max(opened_on, today) + timedelta(days=rng.randint(0, 20))
        with _clock(opened):
            item = services.ledger_item_open(
                actor=officer,
                visit=visit,
                household=household,
                what=what,
                deadline=deadline,
                unit=household.village.unit,
                source=LedgerItem.Source.VISIT if visit else LedgerItem.Source.HOUSEHOLD,
                responsible=officer,
            )
        steps = _steps(plan.removeprefix("overdue_"), officer=officer, head=head, evaluator=evaluator, done=done)
        _take(item, steps, _moments(rng, opened, now, len(steps)))
    return len(places)


def _opened_at(visit, *, rng: random.Random, today: date) -> datetime:
    if visit is not None:
        # Written up back at the station, an hour or two after the door.
        return visit.visited_at + timedelta(minutes=rng.randint(30, 180))
    day = today - timedelta(days=rng.randint(1, DEMO_DAYS))
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))


def _moments(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """`count` moments in order between `start` and `end`, each at least a minute after the one before."""
    span = max(end - start, timedelta(minutes=count + 1))
    fractions = sorted(rng.uniform(0.05, 0.95) for _ in range(count))
    moments, last = [], start
    for fraction in fractions:
        last = max(start + span * fraction, last + timedelta(minutes=1))
        moments.append(min(last, end))
    return moments


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """The services stamp rows with the time they run and history rows may not be changed afterwards, so the
    demo runs each step at the moment it is meant to have happened (audit entries included)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _steps(plan: str, *, officer: User, head: User, evaluator: User, done: str) -> list:
    """The service calls that take a freshly opened item to `plan`, in order."""
    steps = []
    if plan == "known":
        return steps
    steps.append(lambda item: services.ledger_item_register(item=item, actor=officer, note="已核实,登记入账"))
    if plan == "registered":
        return steps
    steps.append(lambda item: services.ledger_item_deliver(item=item, actor=officer, note=done))
    if plan == "delivered":
        return steps
    steps.append(lambda item: services.ledger_item_close(item=item, actor=head, note="电话核实已兑现"))
    if plan.startswith("reopened"):
        reason = "回访时户主说还没有办好"
        steps.append(lambda item: services.ledger_item_reopen(item=item, actor=evaluator, reason=reason))
        if plan == "reopened_delivered":
            again = f"再次上门跟进:{done}"
            steps.append(lambda item: services.ledger_item_deliver(item=item, actor=officer, note=again))
    return steps


def _take(item: LedgerItem, steps: list, moments: list[datetime]) -> None:
    for step, moment in zip(steps, moments, strict=True):
        with _clock(moment):
            item = step(item)
