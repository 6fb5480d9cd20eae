import datetime as dt

from django.core.management.base import BaseCommand

from powerexpress.grid.choices import DataKind
from powerexpress.grid.models import Partition
from powerexpress.grid.tasks import detect_partition


class Command(BaseCommand):
    help = (
        "Run detection over transformer partitions (all, or those not detected since their last change), "
        "one Celery task per partition."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stale", action="store_true", help="only partitions changed since detection")

    def handle(self, *args, stale, **options):
        partitions = Partition.objects.filter(kind=DataKind.TRANSFORMER).select_related("station")
        if stale:
            partitions = partitions.filter(detected_at__isnull=True)
        for partition in partitions:
            result = detect_partition.delay(partition.station.code, partition.month.isoformat())
            self.stdout.write(f"{partition.station.code} {partition.month:%Y-%m}: queued {result.id}")
        self.stdout.write(f"{partitions.count()} partitions at {dt.datetime.now():%H:%M:%S}")
