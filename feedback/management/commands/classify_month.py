from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from feedback.services import topics_classify_month
from feedback.services.classification import previous_month
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.management.arguments import iso_date, iso_month


class Command(BaseCommand):
    help = (
        "Suggest a topic for every matter of a month the legal department has not confirmed (default: last month, "
        "as the job on the 1st does). A confirmed topic is never touched. Safe to run twice."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--month", type=iso_month, help="YYYY-MM: the month to classify")
        which.add_argument(
            "--date", dest="day", type=iso_date, help="YYYY-MM-DD: classify the month before, as the job that day"
        )

    def handle(self, *args, month: date | None = None, day: date | None = None, **options):
        first = month or previous_month(day or timezone.localdate())
        changed = topics_classify_month(month=first, actor=system_actor())
        self.stdout.write(f"Topics of {first:%Y-%m}: {changed} suggestions changed.")
