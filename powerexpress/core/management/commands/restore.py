from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from powerexpress.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup set made by `powerexpress backup`: checks every checksum first, refuses a "
        "database or data directory that already holds data unless --force, and checks row counts "
        "after. Stop the web server and workers first; run `powerexpress migrate` afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and write over a data directory that hold data",
        )

    def handle(self, *args, directory, force, **options):
        try:
            outcome = backup_restore(source=directory, force=force, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {outcome.rows} rows and {outcome.files} files from the set of "
            f"{outcome.manifest['created_at']} (version {outcome.manifest['app_version']}); row counts match"
        )
