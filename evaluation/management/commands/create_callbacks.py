from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from evaluation.services.callbacks import callbacks_create
from jingshi_jiafang.core.management.arguments import iso_date


class Command(BaseCommand):
    help = "次日回访: make the callbacks for the visits, matters and ledger items of --date (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", type=iso_date, help="YYYY-MM-DD: the day of the visits and closings")

    def handle(self, *args, day: date | None = None, **options):
        target = day or timezone.localdate() - timedelta(days=1)
        count = callbacks_create(day=target)
        self.stdout.write(f"Created {count} callbacks for {target:%Y-%m-%d}.")
