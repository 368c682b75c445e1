"""The demo's topic classification: every matter has a suggestion, the months before last are reviewed and closed
by the legal department (its word is the category the resident's words belong to, whatever the model suggested),
last month is half reviewed, the surest first, so its queue shows what is left, and the model has learned from it
all."""

from datetime import date

from feedback.demo_texts import MATTER_TEXTS
from feedback.models import Matter
from feedback.selectors import matters_of_month
from feedback.services.classification import (
    matter_topic_confirm,
    previous_month,
    topic_model_train,
    topic_month_close,
    topics_classify_month,
)
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.models import User


def seed_topic_review(*, today: date) -> int:
    """Returns how many months were closed."""
    legal = User.objects.filter(username="legal").first()
    if legal is None:
        return 0
    category_of = {text: category for category, texts in MATTER_TEXTS.items() for text in texts}
    months = [moment.date() for moment in Matter.objects.datetimes("created_at", "month")]
    for month in months:
        topics_classify_month(month=month, actor=system_actor())
    last = previous_month(today)
    closed = 0
    for month in months:
        if month > last:
            continue
        waiting = matters_of_month(month).filter(category_confirmed_at__isnull=True).order_by("-category_confidence")
        if month == last:
            waiting = waiting[: waiting.count() // 2]
        for matter in waiting:
            matter_topic_confirm(
                matter=matter,
                actor=legal,
                category=category_of.get(matter.content, matter.category or matter.category_suggested),
            )
        if month < last:
            topic_month_close(month=month, actor=legal, retrain=False)
            closed += 1
    if closed:
        topic_model_train(actor=legal)
    return closed
