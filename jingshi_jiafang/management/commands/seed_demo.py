import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from evaluation.demo_callbacks import seed_callbacks
from evaluation.demo_questionnaires import seed_questionnaires
from evaluation.demo_reviews import DEMO_REVIEW_DAYS, seed_reviews
from evaluation.demo_scores import seed_scores
from evaluation.demo_summaries import seed_summaries
from feedback.demo import seed_feedback, seed_matter_history, seed_topic_visits
from feedback.demo_topics import seed_topic_review
from jingshi_jiafang.core.household_list_cache import household_lists_changed
from ledger.demo import seed_ledger
from ledger.demo_matters import MatterItems
from ledger.demo_pairing import seed_pairing, seed_teams
from visits.coverage import coverage_counts_keep
from visits.demo import seed_county


class Command(BaseCommand):
    help = "Load the demo county (towns, villages, households, units, links and one demo user per role)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=20000, help="number of households (default 20000)")
        parser.add_argument("--days", type=int, default=90, help="length of the demo history in days (default 90)")
        parser.add_argument("--seed", type=int, default=2012, help="random seed; the same seed gives the same county")
        parser.add_argument("--force", action="store_true", help="run even with DJANGO_DEBUG off")

    def handle(self, *args, households, days, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DJANGO_DEBUG is off: this looks like production. Pass --force to load demo data anyway."
            )
        if households < 1 or days < 1:
            raise CommandError("--households and --days must be at least 1.")
        with transaction.atomic():
            result = seed_county(households=households, days=days, seed=seed, password=settings.DEMO_PASSWORD)
            if not result.created:
                self.stdout.write("The demo county is already loaded; nothing changed.")
                return
            # A dispatched matter opens its ledger item, as matter_dispatch does live: the items follow the
            # history's matters as they move, and go in after them.
            matter_items = MatterItems(rng=random.Random(seed))
            seed_matter_history(
                rng=random.Random(seed), visits=result.visits, officer_of=result.officer_of, follower=matter_items
            )
            matter_items.save()
            if connection.vendor == "postgresql":
                # What follows goes through the real selectors and services, as pages do: fresh statistics first,
                # or the planner takes the tables just bulk-loaded for empty and picks nested loops. ANALYZE
                # works inside this transaction and sees its rows.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            seed_topic_visits(rng=random.Random(seed), today=timezone.localdate())
            closed_months = seed_topic_review(today=timezone.localdate())
            seed_feedback(rng=random.Random(seed), today=timezone.localdate())
            seed_ledger(rng=random.Random(seed), today=timezone.localdate())
            pairing = seed_pairing(rng=random.Random(seed), today=timezone.localdate())
            teams = seed_teams(rng=random.Random(seed), today=timezone.localdate())
            callbacks = seed_callbacks(rng=random.Random(seed), today=timezone.localdate())
            surveys = seed_questionnaires(rng=random.Random(seed), today=timezone.localdate())
            # The notices count what every demo loader before wrote (the callbacks demo included).
            reviews = seed_reviews(today=timezone.localdate(), days=min(days, DEMO_REVIEW_DAYS))
            # Scores count everything above (visits, plans, callbacks, matters, ledger items, pairs).
            scored_months = seed_scores(today=timezone.localdate(), days=days)
            # Last: the dashboard's summary tables are built from everything the seeders above wrote.
            summaries = seed_summaries(today=timezone.localdate())
            coverage_counts_keep()  # what the hourly job keeps, so the coverage page has it from the start
            household_lists_changed()  # loaded in bulk, without signals
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo county loaded: {result.towns} towns, {result.villages} villages, {result.households} households."
            )
        )
        if result.unassigned:
            self.stdout.write(
                f"{result.unassigned} newly registered households of {result.unassigned_village} are not assigned "
                "yet: their station head assigns them under 未分配住户."
            )
        self.stdout.write(
            f"Pairing: {pairing.pairs} pairs, {pairing.contacts} contacts, {pairing.visits} pairing visits; "
            f"{teams} community police service teams; {callbacks} next-day callbacks; {reviews} daily notices; "
            f"months of topics closed by the legal department: {closed_months}."
        )
        self.stdout.write(
            f"Evaluation: {surveys.questionnaires} questionnaires with {surveys.responses} responses, "
            f"{surveys.field_checks} field checks."
        )
        if summaries is not None:
            self.stdout.write(
                f"Dashboard summaries {summaries.start}..{summaries.end}: {summaries.village_rows} village rows, "
                f"{summaries.unit_rows} unit rows."
            )
        self.stdout.write(f"Scores: {scored_months} months (the past ones closed).")
        self.stdout.write("Demo logins: python manage.py demo_logins")
