"""Demo feedback: last month's topic visits, echo cards, matters at every stage, a duty roster and callbacks."""

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from feedback import services
from feedback.models import Category, Matter, TalkRoomCallback, TopicVisitMatter
from feedback.selectors import matters_visible_to
from visits.models import User

TITLES = {
    Category.PUBLIC_SECURITY: "电动车防盗和夜间巡逻",
    Category.LAW_ENFORCEMENT: "户籍办理便民服务",
    Category.FORCE_CONDUCT: "民警作风群众评议",
    Category.LITIGATION: "积案进展当面答复",
}
SOLUTIONS = ["夜间增加巡逻频次,村口加装监控", "派出所每周三到村集中办理", "约定两周内书面答复办理进展"]


def seed_topic_visits(*, rng: random.Random, today: date) -> int:
    leader = User.objects.filter(username="leader").first()
    if leader is None:
        return 0
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    matters = list(matters_visible_to(leader).filter(household__isnull=False).order_by("pk")[:40])
    created = 0
    for category, title in TITLES.items():
        topic = services.topic_visit_create(
            leader=leader, staff=[], category=category, month=month, title=title, departments="法制大队、治安大队"
        )
        chosen = rng.sample(matters, min(3, len(matters)))
        services.topic_visit_add_matters(topic_visit=topic, matters=chosen)
        for item in TopicVisitMatter.objects.filter(topic_visit=topic)[:2]:
            services.topic_visit_record_solution(item=item, solution=rng.choice(SOLUTIONS), people_met="户主本人")
        created += 1
    return created


def seed_feedback(*, rng: random.Random, today: date) -> None:
    """Echo cards, matters at every stage from every channel, a duty roster and callbacks, around the demo
    officer's police room."""
    duty = User.objects.filter(username="duty").select_related("unit").first()
    officer = User.objects.filter(username="officer").select_related("unit").first()
    head = User.objects.filter(username="station").first()
    if not (duty and officer and head):
        return
    _cards(rng, officer, head)
    _roster(duty, officer, head, today)
    _matters_at_every_stage(rng, duty, officer)


def _cards(rng: random.Random, officer: User, head: User) -> None:
    batch = services.card_batch_issue(unit=officer.unit, count=40, actor=head)
    cards = list(batch.cards.order_by("sequence"))
    visits = list(officer.visits.select_related("household").order_by("-visited_at")[:20])
    for card, visit in zip(cards, visits, strict=False):
        services.card_hand_out(number=card.number, household=visit.household, actor=officer, visit=visit)
    for card in cards[:5]:
        services.card_echo(
            number=card.number,
            code=card.verification_code,
            content=rng.choice(ECHOES),
            submission_key=uuid.UUID(int=rng.getrandbits(128)),
        )
    for card in cards[-2:]:
        services.card_void(card=card, actor=head, reason=rng.choice(["遗失", "损坏"]))


def _roster(duty: User, officer: User, head: User, today: date) -> None:
    tz = timezone.get_current_timezone()
    for offset in range(-3, 8):
        day = today + timedelta(days=offset)
        morning = datetime.combine(day, time(8), tz)
        services.duty_shift_add(
            police_room=duty.unit, officer=duty, starts_at=morning, ends_at=morning + timedelta(hours=12), actor=head
        )
        services.duty_shift_add(
            police_room=duty.unit,
            officer=officer,
            starts_at=morning + timedelta(hours=12),
            ends_at=morning + timedelta(hours=24),
            actor=head,
        )


def _matters_at_every_stage(rng: random.Random, duty: User, officer: User) -> None:
    matters = list(Matter.objects.filter(unit=duty.unit, state=Matter.State.REPORTED).order_by("pk")[:12])
    for extra, channel in ((3, Matter.Channel.TALK_ROOM), (2, Matter.Channel.PHONE), (1, Matter.Channel.POST_BOX)):
        for _ in range(extra):
            matters.append(
                services.matter_register(
                    channel=channel,
                    content=rng.choice(ECHOES),
                    unit=duty.unit,
                    actor=duty,
                    owner=duty if channel == Matter.Channel.TALK_ROOM else None,
                    resident_name=rng.choice(["王大爷", "李阿姨", "张师傅"]),
                )
            )
    # Leave some reported; move the rest along the flow, each further than the last.
    for index, matter in enumerate(matters[3:]):
        matter = services.matter_analyse(
            matter=matter, actor=duty, category=rng.choice(CATEGORIES), urgency=Matter.Urgency.NORMAL
        )
        if index % 6 == 0:
            services.matter_merge(matter=matter, actor=duty, into=matters[0])
            continue
        if index % 6 == 1:
            continue
        matter = services.matter_dispatch(matter=matter, actor=duty, assigned_unit=officer.unit, assignee=officer)
        if index % 6 == 2:
            Matter.objects.filter(pk=matter.pk).update(deadline=timezone.now() - timedelta(days=1))
            continue
        matter = services.matter_start(matter=matter, actor=officer)
        if index % 6 == 3:
            services.matter_progress(matter=matter, actor=officer, note="已联系反映人,约定上门时间")
            continue
        services.matter_close(matter=matter, actor=officer, result=rng.choice(SOLUTIONS), reply_method="phone")
    TalkRoomCallback.objects.update(due_date=timezone.localdate())
    open_walk_in = Matter.objects.filter(
        channel=Matter.Channel.TALK_ROOM, owner=duty, state=Matter.State.REPORTED
    ).first()
    if open_walk_in is not None:
        services.matter_hand_over(matter=open_walk_in, actor=duty, to_user=officer, note="交班,请继续跟进")
    services.escalate_overdue_matters()


ECHOES = [
    "晚上村口路灯不亮,希望尽快修好",
    "邻居家的狗经常咬人,希望民警管一管",
    "感谢社区民警帮我们找回了走失的老人",
    "身份证快到期了,想问问在哪里换",
    "有人在河边电鱼,请派人看看",
]
CATEGORIES = [Category.PUBLIC_SECURITY, Category.LAW_ENFORCEMENT, Category.FORCE_CONDUCT, Category.LITIGATION]
