"""`manage.py seed_demo [--reset]`: build the demo and print one login per role."""

from django.core.management.base import BaseCommand
from django.db import transaction

from compliance.models import Flag, Report
from compliance.pipeline import evaluate_project
from demo import seed as demo


class Command(BaseCommand):
    help = (
        "Build a realistic demo: a project with a year of payroll reports, a coalition, a law "
        "center and one login per role (printed at the end). --reset rebuilds it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo data and build it again"
        )

    def handle(self, *args, reset: bool = False, **options) -> None:
        if not reset and demo.demo_exists():
            self.stdout.write(
                "The demo is already there (run `manage.py seed_demo --reset` to rebuild it)."
            )
            self.stdout.write(demo.logins_text())
            return
        with transaction.atomic():  # a failed rebuild leaves the old demo in place
            if reset:
                demo.delete_demo()
            projects = demo.seed_demo()
        for project in projects:
            # Evaluate at once so the pages show flags before the worker's first schedule;
            # the alert emails wait in the queue for the worker.
            evaluate_project(project)
            contractors = project.assignments.count()
            reports = Report.objects.filter(assignment__project=project, is_current=True).count()
            flags = Flag.objects.filter(project=project, status__in=Flag.UNRESOLVED).count()
            self.stdout.write(
                f"Built {project.name}: {contractors} contractors, {reports} monthly reports, "
                f"{flags} open flags."
            )
        self.stdout.write(self.style.SUCCESS(demo.logins_text()))
