"""`import_open_data FILE --project SLUG --format boston-rjp [--source-name NAME]` (SPEC §7.3).

A city's open data file: the project's rows become report versions (SPEC §5.4). Exit 0
with a one-line summary; exit 1 with every error (row, column, value, what to do), nothing
stored.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cba.errors import InvalidInput
from compliance.reporting.intake.opendata import FORMATS, import_open_data
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Import a project's rows from a city's open data file (one row per worker and "
        "period), as report versions of the contractors it names."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The city's CSV file.")
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument(
            "--format", required=True, choices=sorted(FORMATS), help="The file's layout."
        )
        parser.add_argument(
            "--source-name",
            dest="source_name",
            default="",
            help="The project's name as the file spells it (default: the project's name).",
        )
        parser.add_argument("--user", default="", help="Username recorded as the submitter.")

    def handle(self, *args, file, project, format, source_name, user, **options):  # noqa: A002
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project “{project}”. Check the slug.")
        submitter = None
        if user:
            submitter = get_user_model().objects.filter(username=user).first()
            if submitter is None:
                raise CommandError(f"No user named “{user}”.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            result = import_open_data(
                project=found,
                content=path.read_bytes(),
                format=format,
                source_name=source_name,
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
