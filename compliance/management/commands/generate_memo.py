"""`generate_memo --project SLUG [--contractor SLUG] [--commitment KEY ...]
[--audience recipient|counsel] [--document notice|case|exhibits|package]
[--format pdf|docx|xlsx|zip] [--as-of YYYY-MM-DD] --out FILE`.

The same document as a web request, built in the foreground: it is recorded (and audited)
like any memo, then the file in the format asked for is written to FILE. A notice and the
case memo come as pdf (the default) or docx, the exhibits as xlsx, the package as zip.
`--audience recipient` (the default) makes the memo for the contractor and/or the owner
(shared notes, worker IDs); `counsel` the law center's privileged case memo (internal notes,
worker names). The figures are measured to `--as-of`, by default the end of the last
complete month.
"""

import argparse
import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cba.errors import DomainError
from compliance.enforcement.memos.build import memo_generate
from compliance.models import Memo
from projects.models import Assignment, Project


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Build a notice, case memo, exhibits or package for a project, in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument("--contractor", help="Contractor slug: narrow to its assignment.")
        parser.add_argument(
            "--commitment",
            dest="commitments",
            action="extend",
            nargs="+",
            default=[],
            metavar="KEY",
            help="Commitment key (repeat, or list several); default: every commitment.",
        )
        parser.add_argument(
            "--audience",
            choices=Memo.Audience.values,
            default=Memo.Audience.RECIPIENT,
            help="recipient (default): for the contractor and/or the owner, shared notes and "
            "worker IDs only; counsel: the law center's privileged case memo, with internal "
            "notes and worker names.",
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            type=_day,
            help="The day the figures are measured to, YYYY-MM-DD (default: the end of the "
            "last complete month).",
        )
        parser.add_argument(
            "--document",
            choices=Memo.Document.values,
            default=Memo.Document.CASE,
            help="notice: the notice of non-compliance and cure demand; case (default): the "
            "memo; exhibits: the evidence workbook; package: all of them in one ZIP.",
        )
        parser.add_argument(
            "--format",
            choices=["pdf", "docx", "xlsx", "zip"],
            help="The file to write; default: the document's first (pdf for a notice or the "
            "case memo, xlsx for the exhibits, zip for the package).",
        )
        parser.add_argument("--user", help="Username the memo is from (default: none).")
        parser.add_argument("--out", required=True, help="Where to write the file.")

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project {options['project']!r}: check the slug.")
        assignment = None
        if options["contractor"]:
            assignment = (
                Assignment.objects.filter(project=project, contractor__slug=options["contractor"])
                .select_related("contractor")
                .first()
            )
            if assignment is None:
                raise CommandError(
                    f"No contractor {options['contractor']!r} on {project.slug}: use one of "
                    + ", ".join(project.assignments.values_list("contractor__slug", flat=True))
                )
        document = options["document"]
        formats = Memo.FORMATS[document]
        fmt = options["format"] or formats[0]
        if fmt not in formats:
            raise CommandError(
                f"A {Memo.Document(document).label.lower()} comes as {' or '.join(formats)}, "
                f"not {fmt}: use --format {formats[0]}."
            )
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            memo = memo_generate(
                project=project,
                user=user,
                assignment=assignment,
                commitment_keys=options["commitments"],
                audience=options["audience"],
                as_of=options["as_of"],
                document=document,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if memo.status != Memo.Status.READY:
            raise CommandError(memo.failure_reason)
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        with memo.stored(fmt).open("rb") as stored:
            out.write_bytes(stored.read())
        self.stdout.write(
            f"{memo.document_label} #{memo.pk} ({memo.get_audience_display()}) written to {out} "
            f"({out.stat().st_size:,} bytes). "
            f"{fmt.upper()} SHA-256 {getattr(memo, f'{fmt}_sha256')}; "
            f"figures SHA-256 {memo.snapshot_sha256}."
        )
