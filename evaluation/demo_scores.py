"""Demo scores: every month of the demo period counted through the real service; the months that are over are
closed by the demo evaluation centre (as it would at the start of each month), the current one stays open for the
nightly job. One grouped count per month, so a 90-day history adds a few seconds at most."""

import logging
from datetime import date, timedelta

from evaluation.services.scores import score_month_close, scores_compute
from jingshi_jiafang.core.dates import months_between
from jingshi_jiafang.core.models import User

logger = logging.getLogger(__name__)


# A first month the history starts later in than this is left unscored: a month of a day or two ranks everyone
# 0.00 and tied, and halves each one's average for the year.
FIRST_MONTH_LATEST_START = 15


def seed_scores(*, today: date, days: int) -> int:
    """Score the months from `days` ago to today (the first one when the history covers most of it). Returns how
    many months were scored."""
    evaluator = User.objects.filter(role=User.Role.EVALUATOR, is_active=True).order_by("pk").first()
    start = today - timedelta(days=days)
    months = months_between(start, today)
    if len(months) > 1 and start.day > FIRST_MONTH_LATEST_START:
        months = months[1:]
    for month in months[:-1]:
        if evaluator is None:
            scores_compute(month=month, today=today)
        else:
            score_month_close(month=month, actor=evaluator, today=today)
    scores_compute(month=months[-1], today=today)
    logger.info("Demo scores: %s months, %s closed", len(months), len(months) - 1 if evaluator else 0)
    return len(months)
