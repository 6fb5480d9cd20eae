import datetime

import pytest
import time_machine
from django.utils import timezone

from conftest import build_world
from powerexpress.core.models import Notification
from powerexpress.repair.models import FaultTicket
from powerexpress.repair.tasks import fault_escalate
from powerexpress.repair.tests.factories import report


def _use_the_test_broker(app) -> None:
    """An eager ``.delay()`` earlier in the run leaves a producer pool bound to the default broker;
    drop it so this test's messages go to the worker's Redis (the fixture changes broker_url only)."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_the_periodic_escalation_runs_on_a_real_worker(celery_worker_redis):
    world = build_world()
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2), tick=True):
        ticket = report(world)
    _use_the_test_broker(celery_worker_redis)
    # Wait on the task's result in Redis, not by reading the table the worker writes: on SQLite's
    # shared in-memory test database a read in this thread locks the worker's write out.
    assert fault_escalate.delay().get(timeout=30) >= 1
    assert FaultTicket.objects.get(pk=ticket.pk).arrival_escalation == "overdue"
    assert Notification.objects.get(purpose="repair_escalation").status == "logged"


def test_the_escalation_is_on_the_beat_schedule():
    from powerexpress.celery_app import app

    assert app.conf.beat_schedule["repair-escalate"]["task"] == "powerexpress.repair.tasks.fault_escalate"
