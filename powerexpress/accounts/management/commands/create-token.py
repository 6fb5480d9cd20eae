from django.core.management.base import BaseCommand, CommandError

from powerexpress.accounts.models import User
from powerexpress.accounts.services import token_create


class Command(BaseCommand):
    help = "Create an API bearer token for a user and print the token only."

    def add_arguments(self, parser):
        parser.add_argument("name", help="username")
        parser.add_argument("--label", default="", help="what the token is for")

    def handle(self, *args, name, label, **options):
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"no user named {name}")
        self.stdout.write(token_create(user=user, name=label))
