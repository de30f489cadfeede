"""`manage.py load_policy FILE.json`: create or update a policy from its file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cba.errors import DomainError
from projects.policy_definition import policy_definition_load


class Command(BaseCommand):
    help = (
        "Create or update a policy (an ordinance, a PLA, a model CBA), its areas, exempt "
        "crafts and commitment templates from a policy file (JSON). Nothing is stored on any "
        "error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The policy file, a .json file.")

    def handle(self, *args, file, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{file}: cannot read it ({exc.strerror}).") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file}: not valid JSON ({exc}). Nothing was stored.") from exc
        try:
            loaded = policy_definition_load(data=data)
        except DomainError as exc:
            lines = [f"{e['path'] or '(file)'}: {e['message']}" for e in exc.errors]
            raise CommandError("\n".join([exc.message, *lines])) from exc
        policy = loaded.policy
        self.stdout.write(
            f"{'Created' if loaded.created else 'Updated'} policy {policy.slug} ({policy.name}): "
            f"{policy.templates.count()} commitments, adopted by "
            f"{policy.adoptions.values('agreement__project').distinct().count()} projects."
        )
        for key, adopters in loaded.changed.items():
            self.stdout.write(
                f"The terms of {key!r} changed; the projects that adopted it keep their terms "
                "until a program admin applies the amendment (admin: Commitment templates → "
                f"{key} → Apply to adopting projects): "
                + ", ".join(f"{c.project.slug}/{c.key}" for c in adopters)
            )
