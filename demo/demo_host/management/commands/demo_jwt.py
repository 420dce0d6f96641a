"""``manage.py demo_jwt <username> [--expires-in SECONDS]``: print a signed JWT for an existing user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo_host.jwt_tokens import signed_jwt


class Command(BaseCommand):
    help = (
        "Print a JWT signed with the demo host's key for an existing user; "
        "call the API with it as 'Authorization: JWT <token>'."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--expires-in", type=int, default=3600, metavar="SECONDS", help="default: 3600")

    def handle(self, *args, username: str, expires_in: int, **options):
        if expires_in <= 0:
            raise CommandError("--expires-in must be a positive number of seconds.")
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        self.stdout.write(signed_jwt(user, expires_in))
