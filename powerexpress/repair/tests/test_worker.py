import datetime

import pytest
import time_machine
from django.utils import timezone

from conftest import build_world
from powerexpress.core.models import Notification
from powerexpress.repair.models import FaultTicket
from powerexpress.repair.tasks import fault_escalate
from powerexpress.repair.tests.factories import report


@pytest.mark.django_db(transaction=True)
def test_the_periodic_escalation_runs_on_a_real_worker(celery_worker_redis):
    world = build_world()
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2), tick=True):
        ticket = report(world)
    # Wait on the task's result in Redis, not by reading the table the worker writes: on SQLite's
    # shared in-memory test database a read in this thread locks the worker's write out.
    assert fault_escalate.delay().get(timeout=30) >= 1
    assert FaultTicket.objects.get(pk=ticket.pk).arrival_escalation == "overdue"
    assert Notification.objects.get(purpose="repair_escalation").status == "logged"


def test_the_escalation_is_on_the_beat_schedule():
    from powerexpress.celery_app import app

    assert app.conf.beat_schedule["repair-escalate"]["task"] == "powerexpress.repair.tasks.fault_escalate"
