from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from powerexpress.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and every file under the data directory into DIR (a new or empty "
        "directory), with a manifest of sizes, SHA-256 checksums and row counts; the set is verified "
        "after writing. Safe while the application runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        try:
            manifest = backup_create(target=directory, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["database"]["tables"].values())
        size = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(
            f"backed up {rows} rows in {len(manifest['database']['tables'])} tables and "
            f"{len(manifest['files']) - 1} files ({size} bytes) into {directory}; verified"
        )
