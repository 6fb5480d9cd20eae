"""The daily digest through a real Celery worker (skips when Redis is unreachable)."""

import datetime

import pytest
import time_machine

from powerexpress.applications.services import application_submit
from powerexpress.applications.tasks import applications_overdue_digest
from powerexpress.applications.tests.factories import application_body
from powerexpress.core.models import Notification

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_the_overdue_digest_runs_on_a_real_worker(world, celery_worker_redis):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        application_submit(raw=application_body(kind="residential"))
    # the worker thread runs on today's date: the application received on 2 March 2026 is overdue by now
    applications_overdue_digest.delay().get(timeout=30)  # waits in Redis, not on the worker's table
    digests = Notification.objects.filter(purpose__startswith="applications-digest-", recipient="13800000001")
    assert digests.count() == 1
