import pytest
from django.core.management import call_command

from powerexpress.repair.models import FaultEvent, FaultTicket


@pytest.mark.django_db
def test_the_demo_command_creates_recent_tickets_once(world, capsys):
    call_command("repair_demo", days=5)
    count = FaultTicket.objects.count()
    assert count == 2 * 15 + 1  # and the report that reaches its warning minutes after the build
    assert FaultEvent.objects.filter(to_status="reported").count() == count
    assert all(t.number.startswith("F") and len(t.number) == 15 for t in FaultTicket.objects.all())
    call_command("repair_demo", days=5)
    assert FaultTicket.objects.count() == count
    call_command("repair_demo", days=5, reset=True)
    assert FaultTicket.objects.count() == count
