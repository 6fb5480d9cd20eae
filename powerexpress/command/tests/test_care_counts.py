"""The grouped care-visit counts the scoreboard and the outreach overview use agree with the
household-by-household list they replace."""

import datetime

from powerexpress.outreach import selectors
from powerexpress.outreach.care_schedule import care_schedule_sync
from powerexpress.outreach.models import CareVisit
from powerexpress.registry.models import Customer

TODAY = datetime.date(2026, 11, 20)


def _listed(user):
    counts: dict[int, dict[str, int]] = {}
    for row in selectors.care_households(user, today=TODAY):
        station = row["customer"].village.station_id
        counts.setdefault(station, {state: 0 for state in selectors.STATE_ORDER})[row["due"].state] += 1
    return counts


def test_grouped_care_counts_match_the_household_list(world):
    world.customer_b.tags = Customer.encode_tags(["hardship"])
    world.customer_b.save()
    world.customer_a2.tags = Customer.encode_tags(["empty_nest"])
    world.customer_a2.save()
    CareVisit.objects.create(
        recorded_by=world.users["clerk_a"],
        customer=world.customer_a,
        visited_on=TODAY - datetime.timedelta(days=400),
    )
    CareVisit.objects.create(
        recorded_by=world.users["clerk_a"],
        customer=world.customer_a,
        visited_on=TODAY - datetime.timedelta(days=3),
    )
    CareVisit.objects.create(
        recorded_by=world.users["clerk_b"],
        customer=world.customer_b,
        visited_on=TODAY - datetime.timedelta(days=200),
    )
    care_schedule_sync()  # the visits above were written outside the services: the sync job
    for who in ("manager", "clerk_a", "clerk_b", "crew_a"):
        user = world.users[who]
        assert selectors.care_summary_counts(user, today=TODAY) == _listed(user)
    assert selectors.care_summary_counts(
        world.users["manager"], today=TODAY, station_id=world.station_b.pk
    ).keys() == {world.station_b.pk}
