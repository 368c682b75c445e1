from django.core.management.base import BaseCommand

from visits.coverage import coverage_counts_keep


class Command(BaseCommand):
    help = (
        "Count every village's households and their latest visits again for the coverage page (the hourly job, "
        "by hand: after an import or a restore). The counts are of now, so it takes no date. Safe to run twice."
    )

    def handle(self, *args, **options):
        rows = coverage_counts_keep()
        self.stdout.write(f"Coverage counts kept: {rows} village-day rows.")
