from datetime import date

from django.core.management.base import BaseCommand, CommandError

from evaluation.services.scores import ScoreError, scores_compute, scores_compute_recent
from jingshi_jiafang.core.management.arguments import iso_month


class Command(BaseCommand):
    help = (
        "考核: compute the scores of --month YYYY-MM (default: the current month and, until it is closed, the "
        "previous one, as the nightly job does). A month is counted as it stands today, so no --date is taken. "
        "A closed month is refused; recompute it from the ranking page (audited). Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", type=iso_month, help="YYYY-MM")

    def handle(self, *args, month: date | None = None, **options):
        try:
            written = scores_compute(month=month) if month else scores_compute_recent()
        except ScoreError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Score rows changed: {written}.")
