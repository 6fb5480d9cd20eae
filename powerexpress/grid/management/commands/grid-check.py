from django.core.management.base import BaseCommand

from powerexpress.grid.integrity import grid_check


class Command(BaseCommand):
    help = (
        "List the interval-data partitions and files whose metadata and data disagree (staged or orphan "
        "files, wrong reading counts, missing or empty partitions); --repair fixes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="fix what is found")

    def handle(self, *args, repair, **options):
        findings = grid_check(repair=repair)
        for f in findings:
            month = f"{f.month:%Y-%m}" if f.month else "-"
            self.stdout.write(f"{f.code}\t{f.kind}\t{f.station_code}\t{month}\t{f.path}\t{f.detail}")
        verb = "repaired" if repair else "found"
        self.stdout.write(f"{len(findings)} findings {verb}.")
