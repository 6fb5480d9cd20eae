"""Care visits and inspection results recorded on a phone without network and sent later to
``/offline/sync/``: applied once per key, marked as recorded offline, conflicts kept."""

import uuid

from django.utils import timezone

from powerexpress.core.models import OfflineAction
from powerexpress.outreach.choices import CheckItem, Severity
from powerexpress.outreach.models import CareVisit, Hazard, Inspection


def sync(client, **fields):
    return client.post("/offline/sync/", {"occurred_at": timezone.now().isoformat(), **fields}).json()


def test_a_care_visit_sent_twice_from_the_phone_is_recorded_once_and_marked_offline(world):
    client, key = world.web("team_a"), uuid.uuid4().hex
    visit = {
        "key": key,
        "action": "outreach.care_visit",
        "ref": world.customer_a.account_no,
        "visited_on": timezone.localdate().isoformat(),
        "findings": "线路正常",
        "safety_check_done": "on",
    }
    answers = [sync(client, **visit) for _ in range(2)]
    assert answers[0] == answers[1] and answers[0]["outcome"] == "applied"
    recorded = CareVisit.objects.get()
    assert recorded.recorded_offline and recorded.safety_check_done and recorded.findings == "线路正常"


def test_a_care_visit_for_a_household_of_another_station_is_a_conflict(world):
    answer = sync(
        world.web("team_a"),
        key=uuid.uuid4().hex,
        action="outreach.care_visit",
        ref=world.customer_b.account_no,
        visited_on=timezone.localdate().isoformat(),
    )
    assert answer["outcome"] == "conflict" and CareVisit.objects.count() == 0
    assert OfflineAction.objects.get().message


def test_an_inspection_recorded_offline_raises_its_hazards_once(world, campaign):
    data = {
        "key": uuid.uuid4().hex,
        "action": "outreach.inspection",
        "ref": str(campaign.pk),
        "village": world.village_a.pk,
        "transformer": world.transformer_a.pk,
        "inspected_on": "2026-11-22",
        "inspector": "田师傅",
    }
    for item in CheckItem.values:
        data[f"{item}__result"] = "fail" if item == CheckItem.POLE_LINE else "pass"
        data[f"{item}__severity"] = Severity.CRITICAL
    client = world.web("crew_a")
    assert [sync(client, **data)["outcome"] for _ in range(2)] == ["applied", "applied"]
    inspection = Inspection.objects.get()
    assert inspection.recorded_offline and Hazard.objects.count() == 1


def test_a_team_members_day_lists_the_actions_that_could_not_be_applied(world):
    client = world.web("team_a")
    sync(
        client, key=uuid.uuid4().hex, action="outreach.care_visit", ref="0000000000", visited_on="2026-12-01"
    )
    assert 'id="offline-conflicts"' in client.get("/outreach/today/").content.decode()
