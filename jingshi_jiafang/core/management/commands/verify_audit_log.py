from django.core.management.base import BaseCommand, CommandError

from jingshi_jiafang.core.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero naming the first broken entry."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if not report.intact:
            raise CommandError(
                f"Audit log chain broken at entry #{report.first_broken_id} "
                f"({report.reason}); {report.checked} entries before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {report.checked} entries verified."))
