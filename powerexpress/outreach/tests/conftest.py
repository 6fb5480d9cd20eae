import datetime

import pytest

from powerexpress.outreach import services
from powerexpress.outreach.choices import ActivityKind, CampaignKind, CheckItem, CheckResult
from powerexpress.registry.models import Staff, Team


@pytest.fixture
def vanguard(world):
    staff = Staff.objects.create(
        station=world.station_a, employee_no="XD-009", name="龙书记", phone="13700000009"
    )
    team = Team.objects.create(
        station=world.station_a,
        code="XD-vanguard",
        kind="vanguard",
        name="新店先锋队",
        responsible_unit="新店供电所党支部",
        responsible_person=staff,
    )
    team.members.set([staff])
    return team


@pytest.fixture
def activity(world):
    return services.activity_create(
        user=world.users["team_a"],
        village=world.village_a,
        kind=ActivityKind.MARKET_DAY,
        title="赶集日宣传",
        held_on=datetime.date(2026, 11, 20),
        team=world.team_a,
        people_reached=150,
        signups_recorded=12,
    )


@pytest.fixture
def campaign(world):
    return services.inspection_campaign_create(
        user=world.users["clerk_a"],
        station=world.station_a,
        kind=CampaignKind.PRE_FESTIVAL,
        title="春节前拉网式排查",
        starts_on=datetime.date(2026, 11, 20),
        ends_on=datetime.date(2026, 12, 31),
        villages=[world.village_a],
    )


def checklist(failed=(), **extra):
    return [
        {"item": item, "result": CheckResult.FAIL if item in failed else CheckResult.PASS, **extra}
        for item in CheckItem.values
    ]


@pytest.fixture
def hazard(world, campaign):
    inspection = services.inspection_record(
        user=world.users["crew_a"],
        campaign=campaign,
        village=world.village_a,
        transformer=world.transformer_a,
        inspected_on=datetime.date(2026, 11, 21),
        results=checklist(failed=[CheckItem.RCD_TRIP]),
    )
    return inspection.results.get(item=CheckItem.RCD_TRIP).hazard
