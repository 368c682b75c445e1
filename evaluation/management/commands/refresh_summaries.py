from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation.services.summaries import summaries_refresh_range
from jingshi_jiafang.core.management.arguments import iso_date


class Command(BaseCommand):
    help = (
        "Rebuild the dashboard's summary rows (per village and day, per unit and day) of --date (default "
        "yesterday), or of every day from --from to --to for a backfill. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", type=iso_date, help="YYYY-MM-DD: the one day to rebuild")
        parser.add_argument("--from", dest="start", type=iso_date, help="YYYY-MM-DD: the first day of a backfill")
        parser.add_argument(
            "--to", dest="end", type=iso_date, help="YYYY-MM-DD: the last day of a backfill (default yesterday)"
        )

    def handle(self, *args, day=None, start=None, end=None, **options):
        yesterday = timezone.localdate() - timedelta(days=1)
        if day and (start or end):
            raise CommandError("Give either --date or --from/--to, not both.")
        if day:
            first = last = day
        elif start or end:
            if not start:
                raise CommandError("--to needs --from.")
            first = start
            last = end or yesterday
        else:
            first = last = yesterday
        if first > last:
            raise CommandError("--from must not be after --to.")
        result = summaries_refresh_range(start=first, end=last)
        self.stdout.write(
            f"Summaries {first}..{last}: {result.village_rows} village rows and {result.unit_rows} unit rows written."
        )
