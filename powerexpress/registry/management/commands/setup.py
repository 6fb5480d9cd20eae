from django.core.management.base import BaseCommand, CommandError

from powerexpress.core.errors import ApiError
from powerexpress.registry.services import bureau_setup


class Command(BaseCommand):
    help = (
        "First run: create (or update) the bureau and its first manager, and the bureau's settings. "
        "Running it again with the same values changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bureau-code", required=True, help="the bureau's code, e.g. YP")
        parser.add_argument("--bureau-name", required=True, help="the bureau's name, e.g. 玉屏供电局")
        parser.add_argument("--hotline", default="95598", help="service hotline shown to villagers")
        parser.add_argument("--manager", default="", help="username of the first bureau manager")
        parser.add_argument("--password", default="", help="the manager's password for the web UI")

    def handle(self, *args, bureau_code, bureau_name, hotline, manager, password, **options):
        if password and not manager:
            raise CommandError("--password needs --manager")
        try:
            outcome = bureau_setup(
                code=bureau_code,
                name=bureau_name,
                hotline=hotline,
                manager_username=manager,
                manager_password=password,
            )
        except ApiError as exc:
            details = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])
            raise CommandError(details or str(exc.message)) from exc
        bureau = outcome.bureau
        for change in outcome.changes:
            self.stdout.write(change)
        if not outcome.changes:
            self.stdout.write("nothing to change")
        self.stdout.write(f"bureau {bureau.code} {bureau.name}, hotline {bureau.hotline}")
        if outcome.manager is not None and not outcome.manager.has_usable_password():
            self.stdout.write(
                f"{outcome.manager.username} has no password: sign in through the API with "
                f"`powerexpress create-token {outcome.manager.username}` or set one with --password"
            )
