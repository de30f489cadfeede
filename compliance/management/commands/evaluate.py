"""manage.py evaluate [--project SLUG] [--as-of YYYY-MM-DD] [--json] (SPEC §7.3)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from compliance.evaluation.engine.results import evaluation_result, ordered, with_names
from compliance.models import Evaluation
from compliance.pipeline import evaluate_project
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

    def handle(self, *args, **options):
        as_of = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        if options["project"]:
            projects = [project_by_slug(options["project"])]
        else:
            projects = list(Project.objects.filter(status=Project.Status.ACTIVE).order_by("slug"))
        for project in projects:
            evaluate_project(project, as_of)
        stored = ordered(with_names(Evaluation.objects.filter(project__in=projects)))
        results = [evaluation_result(e) for e in stored]
        if options["json"]:
            self.stdout.write(json.dumps({"as_of": as_of.isoformat(), "results": results}))
            return
        self.stdout.write(table(results, as_of))


def group_label(group: dict) -> str:
    return " / ".join(v for v in (group["contractor"], group["craft"]) if v) or "whole project"


def table(results: list[dict], as_of: datetime.date) -> str:
    headers = ["project", "commitment", "group", "actual %", "target %", "projected %"]
    headers += ["status", "shortfall"]
    rows = [
        [
            r["project"],
            r["commitment"],
            group_label(r["group"]),
            r["actual_percent"] or "-",
            r["target_percent"] or "-",
            r["projected_percent"] or "-",
            r["status"],
            r["shortfall"],
        ]
        for r in results
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
    lines = [f"As of {as_of.isoformat()}: {len(results)} results."]
    for row in [headers, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
