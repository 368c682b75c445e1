from datetime import date, datetime, time

from django.core.management.base import BaseCommand
from django.utils import timezone

from feedback.services import escalate_overdue_matters
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.management.arguments import iso_date


class Command(BaseCommand):
    help = "督办: flag matters past their deadline as of the end of --date (default: now). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="day", type=iso_date, help="YYYY-MM-DD: escalate what was overdue by the end of that day"
        )

    def handle(self, *args, day: date | None = None, **options):
        now = datetime.combine(day, time.max, timezone.get_current_timezone()) if day else timezone.now()
        count = escalate_overdue_matters(actor=system_actor(), now=now)
        self.stdout.write(f"Escalated {count} overdue matters.")
