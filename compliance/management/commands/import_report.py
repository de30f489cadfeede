"""`import_report FILE --project SLUG --contractor SLUG --period YYYY-MM [--user NAME]` (SPEC §7.3).

The same pipeline as an upload, xlsx or eCPR XML by content. Exit 0 with a one-line summary;
exit 1 with every error (row, column, message), nothing stored.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cba.errors import InvalidInput
from compliance.reporting.intake.files import check_size
from compliance.reporting.intake.selectors import parse_period
from compliance.reporting.intake.upload import report_upload
from projects.models import Assignment


class Command(BaseCommand):
    help = "Import a contractor's monthly report from an .xlsx template or an eCPR XML file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or eCPR .xml file.")
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument("--contractor", required=True, help="Contractor slug.")
        parser.add_argument("--period", required=True, help="The month reported, YYYY-MM.")
        parser.add_argument("--user", default="", help="Username recorded as the submitter.")

    def handle(self, *args, file, project, contractor, period, user, **options):
        assignment = (
            Assignment.objects.select_related("project", "contractor")
            .filter(project__slug=project, contractor__slug=contractor)
            .first()
        )
        if assignment is None:
            raise CommandError(
                f"No contractor “{contractor}” on project “{project}”. Check both slugs "
                "(the project definition file lists them)."
            )
        submitter = None
        if user:
            submitter = get_user_model().objects.filter(username=user).first()
            if submitter is None:
                raise CommandError(f"No user named “{user}”.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            month = parse_period(period)
            check_size(path.stat().st_size)
            result = report_upload(
                assignment=assignment,
                period=month,
                content=path.read_bytes(),
                filename=path.name,
                user=submitter,
            )
        except InvalidInput as error:
            for problem in error.errors:
                where = ", ".join(
                    part
                    for part in (
                        f"row {problem['row']}" if problem.get("row") else "",
                        problem.get("column") or "",
                    )
                    if part
                )
                value = f" (given: {problem['value']})" if problem.get("value") else ""
                self.stderr.write(f"{where or 'file'}: {problem['message']}{value}")
            raise CommandError(error.message, returncode=1) from None
        self.stdout.write(result.summary())
