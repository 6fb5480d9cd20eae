"""The billing run on a real Celery worker against Redis."""

import datetime
import importlib
import time

import pytest
from django.apps import apps
from django.db import OperationalError

from powerexpress.billing.choices import RunStatus
from powerexpress.billing.models import Bill, BillingRun, TariffSchedule
from powerexpress.billing.services import billing_run_start
from powerexpress.billing.tests.helpers import import_readings


@pytest.fixture
def schedules(transactional_db):
    """The shipped schedules (a transactional test elsewhere may have flushed the migration's rows)."""
    if not TariffSchedule.objects.exists():
        importlib.import_module("powerexpress.billing.migrations.0002_tariff_schedules").load(apps, None)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_bills_a_station_in_chunks(schedules, world, celery_worker_redis):
    # A producer pool made earlier in this process (eager tests) may still point at the old broker.
    celery_worker_redis._pool = None
    celery_worker_redis.amqp._producer_pool = None
    clerk = world.users["clerk_a"]
    import_readings(clerk, [("0602000001", "2026-09-30", "10"), ("0602000002", "2026-09-30", "20"),
                            ("0602000001", "2026-10-31", "110"), ("0602000002", "2026-10-31", "2220")])
    run = billing_run_start(user=clerk, station=world.station_a, month=datetime.date(2026, 10, 1), chunk_size=1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            run = BillingRun.objects.get(pk=run.pk)
        except OperationalError:  # SQLite's shared in-memory test database is busy with the worker
            continue
        if run.status != RunStatus.RUNNING:
            break
    assert (run.status, run.processed_count, run.bills_created) == (RunStatus.DONE, 2, 2)
    assert sorted(Bill.objects.values_list("tier_after", flat=True)) == [1, 2]
