from django.core.management.base import BaseCommand, CommandError

from powerexpress.accounts.roles import Role
from powerexpress.accounts.services import user_create
from powerexpress.core.errors import ApiError


class Command(BaseCommand):
    help = "Create a user with a role (and a station for station-bound roles)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--station", help="station code (required for station_staff, crew, team_member)")
        parser.add_argument("--password", help="password for signing in to the web UI")

    def handle(self, *args, name, role, station, password, **options):
        try:
            user = user_create(username=name, role=role, station_code=station, password=password)
        except ApiError as exc:
            raise CommandError("; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])) from exc
        self.stdout.write(f"created {user.username} ({user.role})")
