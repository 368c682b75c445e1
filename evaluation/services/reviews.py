"""Building the daily review (每日研判): once per day by the morning job, by hand by an evaluator, and rebuilt
only on an evaluator's explicit, audited request."""

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from evaluation.models import DailyReview
from evaluation.selectors.reviews import daily_figures
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import is_system_actor, require
from jingshi_jiafang.core.audit import audit_record
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import AuditEntry, User

logger = logging.getLogger(__name__)


class ReviewError(DomainError):
    pass


def daily_review_build(*, day: date, rebuild: bool = False, actor: User, request=None) -> DailyReview:
    """The review of `day`. An existing one is returned unchanged unless `rebuild`: the morning job run twice,
    or an evaluator building a day already built, changes nothing. Rebuilding recomputes the figures from the
    records as they are now, counts it, and is audited. The day must be over (a notice of today would miss its
    evening's night visits)."""
    require(actor, can.may_build_daily_reviews, error=ReviewError, message="只有民意访评中心可以生成每日通报。")
    if day >= timezone.localdate():
        raise ReviewError("只能生成已经过去的日期的通报(当天的夜访和回访还没有结束)。")
    person = None if is_system_actor(actor) else actor
    if not rebuild:
        # The figures are a callable default: counted only when there is no record yet. Two builds at once (the
        # job and an evaluator's button): the unique day makes the second find the first's record, not insert.
        review, created = DailyReview.objects.get_or_create(
            day=day,
            defaults={"figures": lambda: daily_figures(day=day), "built_at": timezone.now(), "built_by": person},
        )
        if created:
            logger.info("Daily review of %s built by %s", day, actor)
        return review
    # Rewriting a published notice is a person's decision, never a job's.
    if person is None:
        raise ReviewError("重新生成通报须由民意访评中心人员操作。")
    with transaction.atomic():
        review = DailyReview.objects.select_for_update().filter(day=day).first()
        if review is None:
            raise ReviewError("该日还没有通报,请先生成。")
        review.figures = daily_figures(day=day)
        review.built_at = timezone.now()
        review.built_by = person
        review.rebuilt_count += 1
        review.save(update_fields=["figures", "built_at", "built_by", "rebuilt_count"])
        audit_record(
            action=AuditEntry.Action.STATE_CHANGED,
            actor=person,
            request=request,
            target=review,
            detail={"what": "daily_review_rebuilt", "day": day.isoformat(), "rebuilt_count": review.rebuilt_count},
        )
    logger.info("Daily review of %s rebuilt by %s", day, actor)
    return review
