"""The billing run on a real Celery worker against Redis."""

import datetime
import threading
import time

import pytest
from django.db import IntegrityError, OperationalError, connection

from powerexpress.billing.choices import RunStatus
from powerexpress.billing.models import Bill, BillingRun
from powerexpress.billing.services import billing_run_chunk, billing_run_start
from powerexpress.billing.tests.helpers import import_readings


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_bills_a_station_in_chunks(schedules, world, celery_worker_redis):
    clerk = world.users["clerk_a"]
    import_readings(
        clerk,
        [
            ("0602000001", "2026-09-30", "10"),
            ("0602000002", "2026-09-30", "20"),
            ("0602000001", "2026-10-31", "110"),
            ("0602000002", "2026-10-31", "2220"),
        ],
    )
    run = billing_run_start(
        user=clerk, station=world.station_a, month=datetime.date(2026, 10, 1), chunk_size=1
    )
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_billing_the_same_households_at_once_never_bill_twice(schedules, world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent writers)")
    import_readings(
        world.users["clerk_a"],
        [
            ("0602000001", "2026-09-30", "10"),
            ("0602000002", "2026-09-30", "20"),
            ("0602000001", "2026-10-31", "110"),
            ("0602000002", "2026-10-31", "220"),
        ],
    )
    run = BillingRun.objects.create(station=world.station_a, month=datetime.date(2026, 10, 1), total_count=4)
    ids = [world.customer_a.pk, world.customer_a2.pk]
    barrier, outcomes = threading.Barrier(2), []

    def work():
        barrier.wait()
        try:
            outcomes.append(
                billing_run_chunk(run=BillingRun.objects.get(pk=run.pk), customer_ids=ids)["created"]
            )
        except IntegrityError:  # the Celery task retries this chunk; see the retry below
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if "conflict" in outcomes:
        assert billing_run_chunk(run=run, customer_ids=ids)["created"] == 0
    assert sorted(outcomes, key=str) in ([0, 2], [2, "conflict"])
    assert Bill.objects.count() == 2
