"""The demo's summary tables: every day of the demo history rebuilt at once, as `refresh_summaries --from`
would, after every other demo seeder has written its records (seed_demo calls this last)."""

from datetime import date

from django.db.models import Min
from django.utils import timezone

from evaluation import receivers
from evaluation.services.summaries import RefreshResult, summaries_refresh_range
from feedback.models import Matter
from visits.models import NightVisitPlan, Visit


def seed_summaries(*, today: date) -> RefreshResult | None:
    """One range refresh over the whole demo period: a dozen grouped queries, not a dozen per day."""
    firsts = [
        Visit.objects.aggregate(first=Min("visited_at"))["first"],
        Matter.objects.aggregate(first=Min("created_at"))["first"],
    ]
    days = [timezone.localtime(moment).date() for moment in firsts if moment is not None]
    first_plan = NightVisitPlan.objects.aggregate(first=Min("date"))["first"]
    if first_plan is not None:
        days.append(first_plan)
    if not days:
        return None
    # Every row is about to be rebuilt: the rebuilds the seeders' saves scheduled for the commit are moot.
    receivers.discard_pending()
    return summaries_refresh_range(start=min(min(days), today), end=today)
