"""Background jobs: one detection task per (station, month) partition, so workers scale out."""

import datetime as dt

from celery import shared_task

from powerexpress.grid.choices import DataKind
from powerexpress.grid.models import Partition
from powerexpress.grid.services import partition_detect


@shared_task
def detect_partition(station_code: str, month: str) -> int:
    return partition_detect(station_code=station_code, month=dt.date.fromisoformat(month))


@shared_task
def detect_stale_partitions() -> int:
    """Queue detection for every transformer partition changed since detection last ran."""
    stale = Partition.objects.filter(kind=DataKind.TRANSFORMER, detected_at__isnull=True).select_related(
        "station"
    )
    count = 0
    for partition in stale:
        detect_partition.delay(partition.station.code, partition.month.isoformat())
        count += 1
    return count
