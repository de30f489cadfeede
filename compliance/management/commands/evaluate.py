"""manage.py evaluate [--project SLUG] [--as-of YYYY-MM-DD] [--json] [--full] (SPEC §7.3)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from compliance import formatting
from compliance.evaluation.engine.results import (
    evaluation_result,
    ordered,
    primary_agreement_keys,
    with_names,
)
from compliance.evaluation.kinds import KINDS
from compliance.models import Evaluation
from compliance.pipeline import evaluate_project
from compliance.status import Status
from projects.models import Project


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD.") from None


def project_by_slug(slug: str) -> Project:
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        known = ", ".join(Project.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"No project {slug!r}. Projects: {known or 'none yet'}.")
    return project


class Command(BaseCommand):
    help = (
        "Measure every commitment of a project (or of every active project) against its "
        "reports, store the results and raise, update or resolve flags."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Project slug (default: every active project).")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today).")
        parser.add_argument("--json", action="store_true", help="Print JSON (SPEC §7.3).")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Measure every group again, even those whose reports and terms have not "
            "changed since the last evaluation as of the same day.",
        )

    def handle(self, *args, **options):
        as_of = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        if options["project"]:
            projects = [project_by_slug(options["project"])]
        else:
            projects = list(Project.objects.filter(status=Project.Status.ACTIVE).order_by("slug"))
        for project in projects:
            evaluate_project(project, as_of, reuse=not options["full"])
        stored = list(
            ordered(
                with_names(Evaluation.objects.filter(project__in=projects)).select_related(
                    "commitment__area"
                )
            )
        )
        if options["json"]:
            primary = primary_agreement_keys(projects)
            results = [evaluation_result(e, primary) for e in stored]
            self.stdout.write(json.dumps({"as_of": as_of.isoformat(), "results": results}))
            return
        self.stdout.write(table(stored, as_of))


def group_label(evaluation: Evaluation) -> str:
    """ "Walsh Shea · Carpenter", "Whole project": a group as people name it."""
    parts = [
        evaluation.assignment.contractor.name if evaluation.assignment_id else None,
        evaluation.craft.name if evaluation.craft_id else None,
    ]
    return " · ".join(p for p in parts if p) or "Whole project"


def commitment_label(evaluation: Evaluation) -> str:
    if evaluation.commitment_id is None:
        return "Reporting"
    return f"{evaluation.commitment.clause} {evaluation.commitment.title}".strip()


def shortfall_text(evaluation: Evaluation) -> str:
    kind = KINDS.get(evaluation.kind)
    if kind is None:  # the reporting obligation: reports missing
        return formatting.whole_or_two(evaluation.shortfall)
    unit = (evaluation.details or {}).get("unit") or kind.unit(evaluation.commitment)
    return formatting.quantity(evaluation.shortfall, unit)


def table(evaluations: list[Evaluation], as_of: datetime.date) -> str:
    headers = ["Project", "Commitment", "Group", "Actual", "Target", "Projected"]
    headers += ["Status", "Shortfall"]
    rows = [
        [
            e.project.slug,
            commitment_label(e),
            group_label(e),
            formatting.percent(e.actual_percent),
            formatting.percent(e.target_percent),
            formatting.percent(e.projected_percent),
            Status.label(e.status),
            shortfall_text(e),
        ]
        for e in evaluations
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
    lines = [f"As of {as_of.isoformat()}: {len(evaluations)} results."]
    for row in [headers, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    for e in evaluations:
        if (e.details or {}).get("no_data_reason"):
            lines.append(
                f"No data for {commitment_label(e)} ({group_label(e)}): "
                f"{e.details['no_data_reason']}"
            )
    return "\n".join(lines)
