"""manage.py refresh_public_figures [--project SLUG]: gather the public figures again."""

from django.core.management.base import BaseCommand, CommandError

from compliance.evaluation.public.figures import public_figures_refresh
from compliance.models import PublicFigures
from projects import access
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Gather the public figures of a public project (or of every public project) as of its "
        "last evaluation, and remove those of projects no longer public."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Project slug (default: every public project).")

    def handle(self, *args, **options):
        slug = options["project"]
        if slug:
            project = Project.objects.filter(slug=slug).first()
            if project is None:
                raise CommandError(f"No project {slug!r}.")
            projects = [project]
        else:
            stale = PublicFigures.objects.exclude(project__in=access.public_projects())
            projects = list(access.public_projects().order_by("slug")) + [
                row.project for row in stale.select_related("project")
            ]
        for project in projects:
            row = public_figures_refresh(project=project)
            if row is None:
                self.stdout.write(f"{project.slug}: not public; no public figures kept.")
            else:
                self.stdout.write(f"{project.slug}: public figures as of {row.as_of}.")
