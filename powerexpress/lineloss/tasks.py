"""Background jobs: one line-loss task per (station, month) partition, queued when its data changes."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from powerexpress.lineloss.services import partition_compute
from powerexpress.registry.models import SupplyStation


@shared_task
def compute_partition(station_code: str, month: str) -> int:
    return partition_compute(station_code=station_code, month=dt.date.fromisoformat(month).replace(day=1))


@shared_task
def compute_recent_months() -> int:
    """Recompute this month and the last for every station (register readings arrive late)."""
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    count = 0
    for code in SupplyStation.objects.values_list("code", flat=True):
        for month in (last_month, this_month):
            compute_partition.delay(code, month.isoformat())
            count += 1
    return count
