from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from powerexpress.accounts.models import User
from powerexpress.grid.choices import DataKind, FileStatus
from powerexpress.grid.services import interval_file_ingest, issue_message


class Command(BaseCommand):
    help = "Check and load interval files (CSV or Parquet); a bad file is rejected whole with its report."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--kind", choices=DataKind.values, default=DataKind.TRANSFORMER)
        parser.add_argument("--user", default="manager", help="load as this user (scope and audit)")

    def handle(self, *args, files, kind, user, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user {user!r}.")
        rejected = 0
        for path in files:
            record = interval_file_ingest(
                user=account, kind=kind, file_name=path.name, content=path.read_bytes()
            )
            self.stdout.write(f"{path.name}: {record.get_status_display()} ({record.rows} readings)")
            for item in record.report:
                self.stdout.write(f"  {'✗' if item['fatal'] else '!'} {issue_message(item)}")
            rejected += record.status == FileStatus.REJECTED
        if rejected:
            raise CommandError(f"{rejected} of {len(files)} files rejected.")
