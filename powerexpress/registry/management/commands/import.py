from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from powerexpress.accounts.models import User
from powerexpress.core.errors import ApiError
from powerexpress.registry.services import registry_import
from powerexpress.registry.specs import SPECS


class Command(BaseCommand):
    help = "Import a registry file (.xlsx or .csv): every row, or none and a report of the bad rows."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(SPECS))
        parser.add_argument("path")
        parser.add_argument("--user", default="manager", help="import as this user (scope and rights apply)")

    def handle(self, *args, kind, path, user, **options):
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no user named {user}")
        file_path = Path(path)
        with tqdm(total=1, unit="step", disable=options["verbosity"] == 0) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                outcome = registry_import(
                    user=actor,
                    kind=kind,
                    file_name=file_path.name,
                    content=file_path.read_bytes(),
                    progress=progress,
                )
            except ApiError as exc:
                raise CommandError(str(exc.message)) from exc
        if not outcome.ok:
            lines = [f"row {e['row']}, column {e['column']}: {e['message']}" for e in outcome.errors]
            raise CommandError("nothing imported:\n" + "\n".join(lines))
        self.stdout.write(f"imported {outcome.created} new and {outcome.updated} updated {kind}")
