"""Demo topic visits: last month's, one per category, led by the demo leader with the matters of their town."""

import random
from datetime import date, timedelta

from feedback import services
from feedback.models import Category, TopicVisitMatter
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
