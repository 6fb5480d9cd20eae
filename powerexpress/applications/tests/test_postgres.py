"""Concurrent submissions on PostgreSQL: numbering and idempotency hold under races."""

import threading

import pytest
from django.db import connection, connections

from powerexpress.applications.models import Application
from powerexpress.applications.services import application_submit
from powerexpress.applications.tests.factories import application_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(count: int, fn) -> list:
    results, barrier = [], threading.Barrier(count)

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # collected and asserted on below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_resubmissions_with_one_key_make_one_application(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    results = run_concurrently(
        6, lambda: application_submit(raw=application_body(), idempotency_key="same-key")[0].pk
    )
    assert all(isinstance(result, int) for result in results), results
    assert len(set(results)) == 1
    assert Application.objects.count() == 1


def test_simultaneous_submissions_get_distinct_tracking_numbers(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    results = run_concurrently(6, lambda: application_submit(raw=application_body())[0].tracking_no)
    assert all(isinstance(result, str) for result in results), results
    assert len(set(results)) == 6
