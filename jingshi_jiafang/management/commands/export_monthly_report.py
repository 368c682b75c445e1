from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.models import ExportJob
from jingshi_jiafang.reports.monthly import ReportError, monthly_report_write, report_scope


class Command(BaseCommand):
    help = "Write the legal department's monthly categorised report (月度分类报表) of a month to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month, YYYY-MM (registration time, Asia/Shanghai)")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--area", default="", help="a town's or village's 区划代码 (Area.code); default the county")

    def handle(self, *args, month, out, area, **options):
        params = {"month": month, "area": area}
        try:
            scope = report_scope(params)
        except ReportError as error:
            raise CommandError(str(error)) from None
        path = Path(out)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"--out must name an .xlsx file, not {out!r}.")
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        # Audited as every export is: the system actor, since no person signed in asked for it.
        audit_record(
            action=Action.EXPORT,
            actor=system_actor(),
            detail={"what": ExportJob.Kind.MONTHLY_REPORT, "filters": scope.params, "file": str(path)},
        )
        with path.open("wb") as file:
            rows = monthly_report_write(file, scope.params)
        self.stdout.write(f"{scope.label}: {rows} matters written to {path}")
