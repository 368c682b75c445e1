from django.core.management.base import BaseCommand

from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.audit import audit_checkpoint_write


class Command(BaseCommand):
    # No --date: a checkpoint records the chain's head as it is now, not as of a day.
    help = "Append a signed checkpoint of the audit chain (entry count and head hash) to AUDIT_CHECKPOINT_FILE."

    def handle(self, *args, **options):
        checkpoint = audit_checkpoint_write(actor=system_actor())
        if checkpoint is None:
            self.stdout.write("Audit log is empty: nothing to anchor.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Checkpoint written: {checkpoint.count} entries up to #{checkpoint.last_id}.")
        )
