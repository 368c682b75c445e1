from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jingshi_jiafang.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a backup of the whole database (pg_dump custom format, or a SQLite copy)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="file to write (default var/backups/jiafang-<time>.dump)")
        parser.add_argument("--database-url", help="back up this database instead of the configured one")

    def handle(self, *args, output, database_url, **options):
        output = output or Path("var/backups") / f"jiafang-{timezone.localtime():%Y%m%d-%H%M%S}.dump"
        try:
            written = backup(output, database_url)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {written} ({written.stat().st_size} bytes)."))
