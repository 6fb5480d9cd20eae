"""A freshly built demo shows the escalation job at work within minutes."""

import datetime

import time_machine
from django.utils import timezone

from powerexpress.repair.choices import Escalation, FaultStatus
from powerexpress.repair.demo import ESCALATION_DEMO_MINUTES, repair_demo_build
from powerexpress.repair.models import FaultTicket
from powerexpress.repair.services import fault_escalation_run


def test_the_demo_has_a_report_whose_arrival_warning_fires_minutes_after_it_is_built(world):
    built_at = datetime.datetime(2026, 12, 7, 20, 0, tzinfo=datetime.UTC)
    with time_machine.travel(built_at, tick=False):
        repair_demo_build(days=1, per_station_per_day=0)
        ticket = FaultTicket.objects.get(status=FaultStatus.REPORTED, village=world.village_a_urban)
        # 45 minutes to arrive in town, warned 15 minutes before: the warning is 3 minutes away.
        assert ticket.arrival_due_at - timezone.now() == datetime.timedelta(
            minutes=15 + ESCALATION_DEMO_MINUTES
        )
        fault_escalation_run()
    ticket.refresh_from_db()
    assert ticket.arrival_escalation == Escalation.NONE
    later = built_at + datetime.timedelta(minutes=ESCALATION_DEMO_MINUTES, seconds=1)
    with time_machine.travel(later, tick=False):
        fault_escalation_run()
    ticket.refresh_from_db()
    assert ticket.arrival_escalation == Escalation.NEAR
