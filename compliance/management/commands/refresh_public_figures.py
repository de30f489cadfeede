"""manage.py refresh_public_figures [--project SLUG]: gather the figures the public pages
and the comparison show again."""

from django.core.management.base import BaseCommand, CommandError

from compliance.evaluation.public.figures import public_figures_refresh
from projects import access
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Gather a project's figures (or every project's) as the public pages show them, as of "
        "its last evaluation: a public project's are published, a private one's only compared "
        "by its monitors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Project slug (default: every project).")

    def handle(self, *args, **options):
        slug = options["project"]
        if slug:
            project = Project.objects.filter(slug=slug).first()
            if project is None:
                raise CommandError(f"No project {slug!r}.")
            projects = [project]
        else:
            projects = list(Project.objects.order_by("slug"))
        public = set(access.public_projects().values_list("pk", flat=True))
        for project in projects:
            row = public_figures_refresh(project=project)
            shown = "published" if project.pk in public else "compared by its monitors only"
            self.stdout.write(f"{project.slug}: figures as of {row.as_of} ({shown}).")
