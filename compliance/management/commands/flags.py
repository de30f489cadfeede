"""manage.py flags [--project SLUG] [--status S] [--json] (SPEC §7.3)."""

import json

from django.core.management.base import BaseCommand

from compliance.enforcement.flags.selectors import (
    STATUS_CHOICES,
    filter_flags,
    flag_summary,
    with_names,
)
from compliance.management.commands.evaluate import project_by_slug
from compliance.models import Flag


class Command(BaseCommand):
    help = "List the flags the evaluations raised, newest first."

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Project slug (default: every project).")
        parser.add_argument(
            "--status",
            choices=STATUS_CHOICES,
            help="Only flags in this state; 'unresolved' for open, acknowledged, escalated or "
            "disputed ones.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON (SPEC §7.3).")

    def handle(self, *args, **options):
        if options["project"]:
            project_by_slug(options["project"])
        flags = filter_flags(
            with_names(Flag.objects.all()),
            project=options["project"],
            status=options["status"],
        ).order_by("-raised_at", "-id")
        summaries = [flag_summary(flag) for flag in flags]
        if options["json"]:
            self.stdout.write(json.dumps({"flags": summaries}))
            return
        self.stdout.write(f"{len(summaries)} flags.")
        for flag, summary in zip(flags, summaries, strict=True):
            month = f" {summary['month']}" if summary["month"] else ""
            self.stdout.write(
                f"#{flag.pk:<6} {flag.severity:<8} {flag.status:<13} {flag.kind:<15} "
                f"{flag.project.slug}{month}: {flag.title}"
            )
