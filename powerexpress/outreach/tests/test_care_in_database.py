"""The care list decides who is due a visit in the database: the same rule as ``calc.visit_due``
(expected states below written from the rule: a household is due on the day its last visit plus
its interval falls, overdue the day after, due soon within 7 days before, never visited first)."""

import datetime

import pytest
import time_machine

from powerexpress.outreach import selectors, services
from powerexpress.outreach.calc import interval_for, visit_due
from powerexpress.outreach.care_schedule import care_schedule_rebuild
from powerexpress.outreach.choices import DUE_SOON_DAYS
from powerexpress.outreach.models import CareVisit
from powerexpress.registry.models import Customer

pytestmark = pytest.mark.django_db
D = datetime.date

# account suffix, tags, last visit (None: never), today, expected state. Intervals: empty_nest 30,
# low_income 90, hardship 45 (station B's own plan: hardship every 10 days).
CASES = [
    ("01", ["low_income"], None, D(2026, 11, 27), "never"),
    ("02", ["low_income"], D(2026, 8, 29), D(2026, 11, 27), "due"),  # 29 Aug + 90 days = 27 Nov
    ("03", ["low_income"], D(2026, 8, 28), D(2026, 11, 27), "overdue"),  # one day late
    ("04", ["low_income", "empty_nest"], D(2026, 10, 28), D(2026, 11, 27), "due"),  # tightest: 30
    ("05", ["low_income", "empty_nest"], D(2026, 10, 27), D(2026, 11, 27), "overdue"),
    ("06", ["empty_nest"], D(2026, 11, 4), D(2026, 11, 27), "soon"),  # due 4 Dec: 7 days left
    ("07", ["empty_nest"], D(2026, 11, 5), D(2026, 11, 27), "ok"),  # due 5 Dec: 8 days left
    ("08", ["empty_nest"], D(2026, 11, 30), D(2026, 11, 27), "ok"),  # recorded ahead of today
    ("09", ["empty_nest"], D(2028, 1, 31), D(2028, 3, 1), "due"),  # 31 Jan + 30 days, leap year
    ("10", ["empty_nest"], D(2028, 2, 29), D(2028, 3, 31), "overdue"),  # leap day + 30 = 30 Mar
    ("11", ["empty_nest"], D(2027, 1, 31), D(2027, 3, 1), "soon"),  # not a leap year: due 2 Mar
]


@pytest.fixture
def households(world):
    services.visit_plan_set(
        user=world.users["clerk_b"], station=world.station_b, tag="hardship", interval_days=10
    )
    Customer.objects.exclude(tags="").update(tags="")
    made = {}
    for suffix, tags, last_visit, _today, _state in CASES:
        for village, prefix in ((world.village_a, "0602"), (world.village_b, "0603")):
            customer = Customer.objects.create(
                account_no=f"{prefix}9900{suffix}",
                name=f"户{suffix}",
                village=village,
                tags=Customer.encode_tags(tags + (["hardship"] if prefix == "0603" else [])),
            )
            if last_visit:
                for days_before in (40, 0):  # an older visit too: the last one counts
                    CareVisit.objects.create(
                        customer=customer,
                        visited_on=last_visit - datetime.timedelta(days=days_before),
                        submission_key=f"{customer.account_no}-{days_before}",
                        recorded_by=world.users["clerk_a"],
                    )
            made[customer.account_no] = customer
    care_schedule_rebuild()  # rows written outside the services, as a bulk load: the job's rebuild
    return made


def db_states(user, today) -> dict[str, str]:
    queryset = selectors.care_queryset(user, today=today)
    return {c.account_no: selectors.STATES[c.care_rank] for c in queryset}


def test_the_database_state_follows_the_rule_in_every_case(world, households):
    manager = world.users["manager"]
    for suffix, _tags, _last, today, expected in CASES:
        assert db_states(manager, today)[f"06029900{suffix}"] == expected, suffix


def test_the_database_and_python_agree_on_every_household_and_day(world, households):
    """Station B's households carry hardship (every 10 days at B), so their interval differs;
    the Python rule: ``interval_for`` the station's plan, then ``visit_due``."""
    manager = world.users["manager"]
    for today in sorted({case[3] for case in CASES}):
        for customer in selectors.care_queryset(manager, today=today):
            interval = interval_for(customer.tag_list, selectors.visit_plan_days(customer.village.station_id))
            python = visit_due(
                last_visited_on=customer.last_visited_on,
                interval_days=interval,
                today=today,
                soon_days=DUE_SOON_DAYS,
            )
            assert customer.care_interval_days == interval
            assert selectors.STATES[customer.care_rank] == python.state, (customer.account_no, today)
    intervals = {c.account_no: c.care_interval_days for c in selectors.care_queryset(manager, today=today)}
    assert (intervals["0602990001"], intervals["0603990001"], intervals["0602990004"]) == (90, 10, 30)


def test_the_list_is_ordered_never_then_longest_overdue_then_due_soon_and_up_to_date(world, households):
    today = D(2026, 11, 27)
    rows = selectors.care_households(world.users["clerk_a"], today=today)
    keys = [
        (selectors.STATE_ORDER[r["due"].state], -r["due"].days_overdue, r["customer"].account_no)
        for r in rows
    ]
    assert keys == sorted(keys)
    assert rows[0]["due"].state == "never"
    assert {r["customer"].account_no[:4] for r in rows} == {"0602"}


def test_counts_and_state_filters_come_from_the_database(world, households):
    today = D(2026, 11, 27)
    queryset = selectors.care_queryset(world.users["clerk_a"], today=today)
    counts = selectors.care_counts(queryset)
    python = {state: 0 for state in selectors.STATES}
    for row in selectors.care_rows(queryset, today):
        python[row["due"].state] += 1
    assert counts == python and sum(counts.values()) == len(CASES)
    overdue = selectors.care_in_states(queryset, ["overdue"])
    assert {c.account_no for c in overdue} == {"0602990003", "0602990005"}


@time_machine.travel(
    datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
)
def test_the_care_page_pages_and_filters_in_the_database(world, households):
    web = world.web("manager")
    page = web.get("/outreach/care/?state=overdue").content.decode()
    assert "0602990003" in page and "0602990007" not in page
    assert web.get("/outreach/care/?state=nonsense").status_code == 200
