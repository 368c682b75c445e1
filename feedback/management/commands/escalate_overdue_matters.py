from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feedback.services import escalate_overdue_matters
from jingshi_jiafang.core.actors import system_actor


class Command(BaseCommand):
    help = "督办: flag matters past their deadline as of the end of --date (default: now). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD: escalate what was overdue by the end of that day")

    def handle(self, *args, day: str | None = None, **options):
        now = timezone.now()
        if day:
            try:
                now = datetime.combine(date.fromisoformat(day), time.max, timezone.get_current_timezone())
            except ValueError as error:
                raise CommandError("--date must be YYYY-MM-DD") from error
        count = escalate_overdue_matters(actor=system_actor(), now=now)
        self.stdout.write(f"Escalated {count} overdue matters.")
