"""`manage.py load_project FILE.json`: create or update a project from its definition."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cba.errors import DomainError
from projects.definition import project_definition_load, project_summary
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Create or update a project, its areas, crafts, contractors, agreement and "
        "commitments from a project definition file (JSON). Nothing is stored on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The project definition, a .json file.")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{file}: cannot read it ({exc.strerror}).") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file}: not valid JSON ({exc}). Nothing was stored.") from exc
        slug = data.get("project", {}).get("slug") if isinstance(data, dict) else None
        existed = isinstance(slug, str) and Project.objects.filter(slug=slug).exists()
        try:
            project = project_definition_load(data=data)
        except DomainError as exc:
            lines = [f"{e['path'] or '(file)'}: {e['message']}" for e in exc.errors]
            raise CommandError("\n".join([exc.message, *lines])) from exc
        summary = project_summary(project)
        self.stdout.write(
            f"{'Updated' if existed else 'Created'} project {summary['slug']} "
            f"({summary['name']}): {len(summary['contractors'])} contractors, "
            f"{len(summary['crafts'])} crafts, {len(summary['commitments'])} commitments."
        )
