from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.export_jobs import export_files_expire
from jingshi_jiafang.core.management.arguments import iso_date


class Command(BaseCommand):
    help = "Delete the files of exports written more than EXPORT_RETENTION_DAYS before --date (default today)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="day", type=iso_date, help="YYYY-MM-DD: the day the retention is counted back from"
        )

    def handle(self, *args, day: date | None = None, **options):
        as_of = day or timezone.localdate()
        count = export_files_expire(day=as_of, actor=system_actor())
        self.stdout.write(f"Deleted the files of {count} expired exports.")
