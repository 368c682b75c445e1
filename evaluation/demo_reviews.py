"""Demo daily reviews (每日研判): the notices of the last days of the demo period, built by the real service
from whatever the demo loaded before (visits, night plans, matters, ledger items, and callbacks when the
callbacks demo has run), exactly as the morning job builds them."""

from datetime import date, timedelta

from evaluation.services.reviews import daily_review_build
from jingshi_jiafang.core.actors import system_actor

DEMO_REVIEW_DAYS = 14


def seed_reviews(*, today: date, days: int = DEMO_REVIEW_DAYS) -> int:
    """The notices of the `days` days before `today`, oldest first; a day already built is left as it is."""
    job = system_actor()
    for back in range(days, 0, -1):
        daily_review_build(day=today - timedelta(days=back), actor=job)
    return days
