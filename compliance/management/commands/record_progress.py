"""manage.py record_progress --project SLUG --commitment KEY --date YYYY-MM-DD --quantity N
[--ami N] [--note TEXT] (SPEC §7.3)."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from cba.errors import DomainError
from compliance.evaluation.kinds import kind_of
from compliance.management.commands.evaluate import parse_date, project_by_slug
from compliance.reporting.progress import progress_record


def parse_decimal(name: str, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CommandError(f"--{name} {value!r} is not a number.") from None
    if not number.is_finite():
        raise CommandError(f"--{name} {value!r} is not a number.")
    return number


class Command(BaseCommand):
    help = (
        "Record progress toward a count commitment (training slots filled, affordable units "
        "delivered, dollars paid)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument("--commitment", required=True, help="Commitment key.")
        parser.add_argument("--date", required=True, help="YYYY-MM-DD the progress happened.")
        parser.add_argument("--quantity", required=True, help="How many (or how much).")
        parser.add_argument("--ami", help="Area median income percent, for housing units.")
        parser.add_argument("--note", default="", help="What this entry is (evidence, source).")

    def handle(self, *args, **options):
        project = project_by_slug(options["project"])
        commitment = project.commitments.filter(key=options["commitment"]).first()
        if commitment is None:
            keys = ", ".join(project.commitments.values_list("key", flat=True))
            raise CommandError(
                f"No commitment {options['commitment']!r} on {project.slug}. Keys: {keys}."
            )
        try:
            entry = progress_record(
                commitment=commitment,
                date=parse_date(options["date"]),
                quantity=parse_decimal("quantity", options["quantity"]),
                ami_percent=parse_decimal("ami", options["ami"]),
                note=options["note"],
                user=None,
            )
        except DomainError as error:
            details = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
            raise CommandError(f"{error.message} {details}".strip()) from None
        self.stdout.write(
            f"Recorded {kind_of(commitment).quantity(commitment, entry.quantity)} on "
            f"{entry.date.isoformat()} for {project.slug}/{commitment.key} (entry {entry.pk})."
        )
