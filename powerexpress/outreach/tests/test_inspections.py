"""Safety inspections: failed checklist items become hazards; the fix is a work order; a hazard
closes only after a re-inspection passes."""

import datetime

import pytest
import time_machine

from powerexpress.core.errors import ApiError
from powerexpress.outreach import selectors, services
from powerexpress.outreach.choices import CheckItem, HazardStatus, Severity
from powerexpress.outreach.models import Hazard, Inspection
from powerexpress.outreach.tests.conftest import checklist
from powerexpress.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
D = datetime.date
TZ = datetime.timezone(datetime.timedelta(hours=8))


def test_a_failed_item_becomes_a_hazard_with_a_deadline_by_severity(world, hazard):
    assert hazard.item == CheckItem.RCD_TRIP and hazard.status == HazardStatus.OPEN
    assert hazard.deadline == D(2026, 11, 21) + datetime.timedelta(days=14)  # major
    assert hazard.station == world.station_a and hazard.village == world.village_a
    assert Hazard.objects.count() == 1


def test_the_responsible_person_is_texted_about_a_new_hazard(
    world, campaign, django_capture_on_commit_callbacks
):
    from powerexpress.core.models import Notification
    from powerexpress.registry.models import Staff

    staff = Staff.objects.get(employee_no="XD-001")
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_record(
            user=world.users["crew_a"],
            campaign=campaign,
            village=world.village_a,
            inspected_on=D(2026, 11, 22),
            results=checklist(failed=[CheckItem.WIRING], responsible=staff),
        )
    message = Notification.objects.get(purpose="outreach.hazard")
    assert message.recipient == "13700000001" and "老寨村" in message.body and "2026-12-06" in message.body


def test_every_checklist_item_needs_a_result(world, campaign):
    with pytest.raises(ApiError) as error:
        services.inspection_record(
            user=world.users["crew_a"],
            campaign=campaign,
            village=world.village_a,
            inspected_on=D(2026, 11, 22),
            results=checklist()[:2],
        )
    assert error.value.errors[0]["field"] == "results"


def test_remediation_is_one_hazard_fix_work_order(world, hazard):
    hazard = services.hazard_order_fix(user=world.users["clerk_a"], hazard=hazard)
    again = services.hazard_order_fix(user=world.users["clerk_a"], hazard=hazard)
    order = WorkOrder.objects.get()
    assert (order.kind, order.source_type, order.source_ref) == ("hazard_fix", "hazard", str(hazard.pk))
    assert order.team == world.team_a and order.due_on == hazard.deadline
    assert again.work_order == order and hazard.status == HazardStatus.FIXING


def test_a_hazard_does_not_close_without_a_passing_reinspection(world, hazard):
    with pytest.raises(ApiError) as error:
        services.hazard_transition(user=world.users["clerk_a"], hazard=hazard, to_status=HazardStatus.CLOSED)
    assert error.value.code == "reinspection_required"
    hazard = services.hazard_reinspect(
        user=world.users["crew_a"],
        hazard=hazard,
        inspected_on=D(2026, 11, 23),
        passed=False,
        notes="仍不动作",
    )
    assert hazard.status == HazardStatus.OPEN


def test_a_passing_reinspection_closes_the_hazard_with_who_and_when(world, hazard):
    services.hazard_order_fix(user=world.users["clerk_a"], hazard=hazard)
    hazard = services.hazard_reinspect(
        user=world.users["crew_a"],
        hazard=hazard,
        inspected_on=D(2026, 11, 25),
        passed=True,
        notes="已更换漏保，试跳正常",
    )
    assert hazard.status == HazardStatus.CLOSED and hazard.closed_at is not None
    assert [e.to_status for e in hazard.events.all()] == ["open", "fixing", "closed"]
    assert hazard.events.last().actor == world.users["crew_a"]
    with pytest.raises(ApiError):
        services.hazard_reinspect(
            user=world.users["crew_a"], hazard=hazard, inspected_on=D(2026, 11, 26), passed=True
        )


def test_the_inspection_form_raises_hazards_and_resubmission_records_once(world, campaign):
    data = {
        "submission_key": "i1",
        "village": world.village_a.pk,
        "transformer": world.transformer_a.pk,
        "inspected_on": "2026-11-22",
        "inspector": "田师傅",
    }
    for item in CheckItem.values:
        data[f"{item}__result"] = "fail" if item == CheckItem.POLE_LINE else "pass"
        data[f"{item}__severity"] = Severity.CRITICAL
    client = world.web("crew_a")
    assert client.post(f"/outreach/inspections/{campaign.pk}/", data).status_code == 302
    assert client.post(f"/outreach/inspections/{campaign.pk}/", data).status_code == 302
    assert Inspection.objects.count() == 1
    hazard = Hazard.objects.get()
    assert hazard.severity == Severity.CRITICAL and hazard.deadline == D(2026, 11, 25)


@time_machine.travel(datetime.datetime(2026, 12, 20, 9, 0, tzinfo=TZ))
def test_overdue_hazards_stand_out_in_the_list(world, hazard):
    assert selectors.hazard_is_overdue(hazard, D(2026, 12, 20))
    page = world.web("clerk_a").get("/outreach/hazards/?status=overdue").content.decode()
    assert f"/outreach/hazards/{hazard.pk}/" in page and 'class="overdue"' in page
    assert world.web("clerk_a").get("/outreach/hazards/?severity=minor").context["page"].paginator.count == 0


def test_the_web_reinspection_closes_the_hazard(world, hazard):
    client = world.web("crew_a")
    client.post(f"/outreach/hazards/{hazard.pk}/order-fix/")
    client.post(f"/outreach/hazards/{hazard.pk}/reinspect/", {"inspected_on": "2026-11-25", "passed": "1"})
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED


@pytest.mark.parametrize("who", ["clerk_b", "outsider"])
def test_another_stations_campaign_and_hazard_answer_404(world, campaign, hazard, who):
    client = world.web(who)
    assert client.get(f"/outreach/inspections/{campaign.pk}/").status_code == 404
    assert client.get(f"/outreach/hazards/{hazard.pk}/").status_code == 404
    assert client.post(f"/outreach/hazards/{hazard.pk}/order-fix/").status_code == 404


def test_the_auditor_cannot_raise_a_work_order(world, hazard):
    assert world.web("auditor").post(f"/outreach/hazards/{hazard.pk}/order-fix/").status_code == 403
    assert not WorkOrder.objects.exists()
