from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.management.arguments import iso_date
from ledger.services import ledger_items_follow_hand_overs


class Command(BaseCommand):
    help = (
        "A hand-over planned ahead: its household's open ledger items pass to the new officer on its first day. "
        "Hands those of the hand-overs begun in the week up to --date (default: today). Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", type=iso_date, help="YYYY-MM-DD: as if run on that day")

    def handle(self, *args, day: date | None = None, **options):
        handed = ledger_items_follow_hand_overs(day=day or timezone.localdate(), actor=system_actor())
        self.stdout.write(f"Handed over {handed} ledger items.")
