"""`manage.py create_api_token USERNAME [--name NAME]`: a personal API token, printed once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from projects.tokens import api_token_create


class Command(BaseCommand):
    help = (
        "Create a personal API token for a user and print it (only its hash is stored; "
        "revoke it under Account → API tokens)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        _, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
