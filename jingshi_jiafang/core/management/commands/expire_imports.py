from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.imports.services import import_files_expire


class Command(BaseCommand):
    help = "Delete the workbooks of imports that ended more than IMPORT_RETENTION_DAYS before --date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD: the day the retention is counted back from")

    def handle(self, *args, day: str | None = None, **options):
        try:
            as_of = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error
        count = import_files_expire(day=as_of, actor=system_actor())
        self.stdout.write(f"Deleted the workbooks of {count} ended imports.")
