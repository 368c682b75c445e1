from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jingshi_jiafang.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by backup_database. Destructive: asks first."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--database-url", help="restore into this database instead of the configured one")
        parser.add_argument("--noinput", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, backup, database_url, noinput, **options):
        if not noinput:
            answer = input(f"This replaces everything in the database with {backup}. Type 'yes' to continue: ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled; nothing changed.")
        try:
            restore(backup, database_url)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Database restored from {backup}."))
