from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation.services.callbacks import callbacks_create


class Command(BaseCommand):
    help = "次日回访: make the callbacks for the visits, matters and ledger items of --date (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD: the day of the visits and closings")

    def handle(self, *args, day: str | None = None, **options):
        try:
            target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error
        count = callbacks_create(day=target)
        self.stdout.write(f"Created {count} callbacks for {target:%Y-%m-%d}.")
