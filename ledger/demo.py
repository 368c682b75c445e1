"""Demo ledger: the demo officer's promises from their recent visits, taken through the real services to every
state (known, registered, delivered, closed by the station head or on a callback, overdue, reopened after a
callback), and the officer's dispatched matters in their ledger. Runs after the bulk load has been analysed
(seed_demo), and only touches the demo officer's few dozen rows, so it is fast and the same for a seed."""

import random
from datetime import date, timedelta

from feedback.models import Matter
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
# The state each promise is taken to, in the order of the officer's visits: every state, some late, some reopened.
PLAN = [
    "known",
    "registered",
    "delivered",
    "closed",
    "overdue_registered",
    "reopened",
    "closed_by_callback",
    "overdue_known",
    "reopened_delivered",
    "delivered",
    "closed",
    "registered",
    "closed",
    "known",
]


def seed_ledger(*, rng: random.Random, today: date) -> int:
    """Returns the number of items opened by hand (the dispatched matters' items come on top)."""
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
    for n, ((household, visit), plan) in enumerate(zip(places, PLAN, strict=False)):
        what, done = PROMISES[n % len(PROMISES)]
        late = plan.startswith("overdue")
        deadline = today - timedelta(days=rng.randint(2, 10)) if late else today + timedelta(days=rng.randint(0, 20))
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
        _take(item, plan.removeprefix("overdue_"), officer=officer, head=head, evaluator=evaluator, done=done)
    _matters(officer, head)
    return len(places)


def _take(item: LedgerItem, plan: str, *, officer: User, head: User, evaluator: User, done: str) -> None:
    if plan == "known":
        return
    item = services.ledger_item_register(item=item, actor=officer, note="已核实,登记入账")
    if plan == "registered":
        return
    item = services.ledger_item_deliver(item=item, actor=officer, note=done)
    if plan == "delivered":
        return
    if plan == "closed_by_callback":
        services.ledger_item_close_by_callback(item=item, actor=evaluator, note="户主电话确认已办好")
        return
    item = services.ledger_item_close(item=item, actor=head, note="电话核实已兑现")
    if plan.startswith("reopened"):
        item = services.ledger_item_reopen(item=item, actor=evaluator, reason="回访时户主说还没有办好")
        if plan == "reopened_delivered":
            services.ledger_item_deliver(item=item, actor=officer, note=f"再次上门跟进:{done}")


def _matters(officer: User, head: User) -> None:
    """The officer's open matters from the history were dispatched before the ledger existed: they join it now,
    and one being handled is delivered."""
    handling = Matter.objects.filter(assignee=officer, state=Matter.State.HANDLING, ledger_items__isnull=True)
    for n, matter in enumerate(handling.select_related("household", "assigned_unit", "visit").order_by("pk")[:4]):
        item = services.ledger_item_open_for_matter(matter=matter, actor=head)
        if n == 0:
            item = services.ledger_item_register(item=item, actor=officer)
            services.ledger_item_deliver(item=item, actor=officer, note="已答复群众并处理完毕")
