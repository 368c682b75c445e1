from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation.services.reviews import ReviewError, daily_review_build
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.management.arguments import iso_date
from jingshi_jiafang.core.models import User


class Command(BaseCommand):
    help = (
        "每日研判: build the daily review (notice) of --date (default: yesterday), as the morning job does. "
        "Safe to run twice: an existing review is left as it is unless --rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", type=iso_date, help="YYYY-MM-DD (default: yesterday)")
        parser.add_argument(
            "--rebuild", action="store_true", help="recompute an existing review from the records as they are now"
        )
        parser.add_argument(
            "--by", dest="username", help="the evaluator's username, required with --rebuild (the rebuild is audited)"
        )

    def handle(self, *args, day: date | None = None, rebuild: bool = False, username: str | None = None, **options):
        when = day or timezone.localdate() - timedelta(days=1)
        actor = system_actor()
        if rebuild:
            actor = User.objects.filter(username=username or "").first()
            if actor is None:
                raise CommandError("--rebuild needs --by USERNAME of an evaluator: a rebuild is audited by name.")
        try:
            review = daily_review_build(day=when, rebuild=rebuild, actor=actor)
        except ReviewError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Daily review of {review.day:%Y-%m-%d}: built {review.built_at:%Y-%m-%d %H:%M}, "
            f"rebuilt {review.rebuilt_count} times."
        )
