from datetime import date

from django.core.management.base import BaseCommand, CommandError

from evaluation.services.reconcile import jobs_reconcile


class Command(BaseCommand):
    help = (
        "Queue again the work PostgreSQL says is still pending, as the periodic reconciler does: stuck export "
        "jobs and county-import runs, and the callbacks and daily review of --date (default: the last days past "
        "their expected hour). "
        "Safe to run twice: everything it queues takes effect once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD: check this day's callbacks and review")

    def handle(self, *args, day: str | None = None, **options):
        try:
            when = date.fromisoformat(day) if day else None
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error
        self.stdout.write(str(jobs_reconcile(day=when)))
