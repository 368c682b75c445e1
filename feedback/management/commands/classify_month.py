from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feedback.services import topics_classify_month
from feedback.services.classification import previous_month
from jingshi_jiafang.core.actors import system_actor


class Command(BaseCommand):
    help = (
        "Suggest a topic for every matter of a month the legal department has not confirmed (default: last month, "
        "as the job on the 1st does). A confirmed topic is never touched. Safe to run twice."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--month", help="YYYY-MM: the month to classify")
        which.add_argument("--date", dest="day", help="YYYY-MM-DD: classify the month before, as the job that day")

    def handle(self, *args, month: str | None = None, day: str | None = None, **options):
        try:
            if month:
                first = date.fromisoformat(f"{month}-01")
            else:
                first = previous_month(date.fromisoformat(day) if day else timezone.localdate())
        except ValueError as error:
            raise CommandError("--month must be YYYY-MM and --date YYYY-MM-DD") from error
        changed = topics_classify_month(month=first, actor=system_actor())
        self.stdout.write(f"Topics of {first:%Y-%m}: {changed} suggestions changed.")
