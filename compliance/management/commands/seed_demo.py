"""`manage.py seed_demo [--reset]`: build the demo and print one login per role."""

from django.core.management.base import BaseCommand

from compliance import demo


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
        if reset:
            demo.delete_demo()
        elif demo.demo_exists():
            self.stdout.write(
                "The demo is already there (run `manage.py seed_demo --reset` to rebuild it)."
            )
            self.stdout.write(demo.logins_text())
            return
        projects = demo.seed_demo()
        for project in projects:
            contractors = project.assignments.count()
            reports = sum(
                a.reports.filter(is_current=True).count() for a in project.assignments.all()
            )
            self.stdout.write(
                f"Built {project.name}: {contractors} contractors, {reports} monthly reports."
            )
        self.stdout.write(self.style.SUCCESS(demo.logins_text()))
