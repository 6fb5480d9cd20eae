"""The stored care schedule: the next-due date per household and the per-day counts stay equal
to a fresh computation after every kind of change (a visit recorded, tags changed through the
registry, a plan changed, households bulk-loaded), and the states at month and year ends follow
the rule (written from it: due on last visit + interval, overdue the day after, due soon within 7
days before, never visited first)."""

import datetime

import pytest
import time_machine

from conftest import make_id_number
from powerexpress.outreach import care_schedule, selectors, services, tasks
from powerexpress.outreach.calc import visit_state
from powerexpress.outreach.models import CareDueCount, CareSchedule, CareVisit
from powerexpress.registry.models import Customer

pytestmark = pytest.mark.django_db
D = datetime.date


def snapshot():
    rows = sorted(
        CareSchedule.objects.values_list(
            "customer_id",
            "station_id",
            "village_id",
            "account_no",
            "interval_days",
            "last_visited_on",
            "next_due_on",
        )
    )
    counts = sorted(
        CareDueCount.objects.values_list("station_id", "next_due_on", "households"),
        key=lambda row: (row[0], row[1] or D.min),
    )
    return rows, counts


def assert_equal_to_a_fresh_build():
    care_schedule.care_schedule_sync()  # the world's households, created outside the services
    kept = snapshot()
    care_schedule.care_schedule_rebuild()
    assert kept == snapshot()


def state_of(user, account_no: str, today: datetime.date) -> str:
    states = {
        row["customer"].account_no: row["due"].state for row in selectors.care_households(user, today=today)
    }
    return states.get(account_no, "not scheduled")


def visit(world, customer, day: datetime.date):
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)):
        return services.care_visit_record(user=world.users["clerk_a"], customer=customer, visited_on=day)


@pytest.fixture
def empty_nest(world):
    """A household visited every 30 days (empty_nest) at station A, created outside the services
    and caught up by the sync job."""
    customer = Customer.objects.create(
        account_no="0602990100",
        name="户100",
        village=world.village_a,
        tags=Customer.encode_tags(["empty_nest"]),
    )
    care_schedule.care_schedule_sync()
    return customer


@pytest.mark.parametrize(
    "last_visit,today,expected",
    [
        (D(2026, 12, 1), D(2026, 12, 31), "due"),  # month and year end: 1 Dec + 30 = 31 Dec
        (D(2026, 12, 1), D(2027, 1, 1), "overdue"),  # the first day of the new year
        (D(2026, 12, 1), D(2026, 12, 24), "soon"),  # 7 days before
        (D(2026, 12, 1), D(2026, 12, 23), "ok"),  # 8 days before
        (D(2026, 12, 2), D(2026, 12, 31), "soon"),  # due 1 Jan, across the year end
        (D(2026, 12, 2), D(2027, 1, 1), "due"),
        (D(2027, 1, 31), D(2027, 3, 2), "due"),  # 31 Jan + 30 = 2 Mar (February of 28 days)
        (D(2027, 1, 31), D(2027, 2, 28), "soon"),  # month end, 2 days before
        (D(2028, 1, 31), D(2028, 3, 1), "due"),  # leap year: 31 Jan + 30 = 1 Mar
        (D(2028, 1, 31), D(2028, 3, 2), "overdue"),
    ],
)
def test_the_state_at_month_and_year_ends_follows_the_rule(world, empty_nest, last_visit, today, expected):
    visit(world, empty_nest, last_visit)
    schedule = CareSchedule.objects.get(customer=empty_nest)
    assert schedule.next_due_on == last_visit + datetime.timedelta(days=30)
    assert visit_state(next_due_on=schedule.next_due_on, today=today, soon_days=7) == expected
    assert state_of(world.users["manager"], empty_nest.account_no, today) == expected
    counts = selectors.care_summary_counts(world.users["manager"], today=today)[world.station_a.pk]
    fresh = selectors.care_counts(selectors.care_queryset(world.users["manager"], today=today), today)
    assert counts == fresh and counts[expected] >= 1


def test_a_household_never_visited_comes_first_and_a_visit_moves_it_and_its_count(world, empty_nest):
    manager, today = world.users["manager"], D(2026, 12, 31)
    assert state_of(manager, empty_nest.account_no, today) == "never"
    assert selectors.care_households(manager, today=today)[0]["due"].state == "never"
    before = selectors.care_summary_counts(manager, today=today)[world.station_a.pk]
    visit(world, empty_nest, D(2026, 12, 31))
    after = selectors.care_summary_counts(manager, today=today)[world.station_a.pk]
    assert state_of(manager, empty_nest.account_no, today) == "ok"
    assert (after["never"], after["ok"]) == (before["never"] - 1, before["ok"] + 1)
    assert_equal_to_a_fresh_build()


def test_an_older_visit_recorded_late_does_not_move_the_due_date_back(world, empty_nest):
    visit(world, empty_nest, D(2026, 12, 20))
    visit(world, empty_nest, D(2026, 12, 1))
    assert CareSchedule.objects.get(customer=empty_nest).next_due_on == D(2027, 1, 19)
    assert_equal_to_a_fresh_build()


def test_tags_changed_through_the_registry_add_and_remove_the_household(world):
    api, manager, today = world.api("clerk_a"), world.users["manager"], D(2026, 12, 31)
    household = {
        "account_no": "0602000099",
        "name": "姚春兰",
        "id_number": make_id_number("19850615", "321"),
        "phone": "13698765432",
        "village": "XD001",
        "transformer": "XD001-01",
        "phase": "B",
        "tags": ["low_income"],
    }
    assert api.post("/api/v1/customers", household).status_code == 201
    assert CareSchedule.objects.get(account_no="0602000099").interval_days == 90
    assert_equal_to_a_fresh_build()
    response = api.patch("/api/v1/customers/0602000099", {**household, "tags": ["low_income", "empty_nest"]})
    assert response.status_code == 200, response.content
    assert CareSchedule.objects.get(account_no="0602000099").interval_days == 30
    assert_equal_to_a_fresh_build()
    assert api.patch("/api/v1/customers/0602000099", {**household, "tags": []}).status_code == 200
    assert state_of(manager, "0602000099", today) == "not scheduled"
    assert_equal_to_a_fresh_build()


def test_a_plan_change_moves_every_household_of_the_station(world, empty_nest):
    visit(world, empty_nest, D(2026, 12, 1))
    services.visit_plan_set(
        user=world.users["clerk_a"], station=world.station_a, tag="empty_nest", interval_days=10
    )
    assert CareSchedule.objects.get(customer=empty_nest).next_due_on == D(2026, 12, 11)
    assert state_of(world.users["manager"], empty_nest.account_no, D(2026, 12, 12)) == "overdue"
    assert_equal_to_a_fresh_build()


def test_households_and_visits_loaded_in_bulk_are_caught_up_by_the_sync_job(world):
    manager = world.users["manager"]
    care_schedule.care_schedule_sync()  # the schedule is current
    Customer.objects.bulk_create(
        [
            Customer(
                account_no=f"06029902{n:02d}",
                name=f"户{n}",
                village=world.village_a,
                tags=Customer.encode_tags(["hardship"]),
            )
            for n in range(5)
        ]
    )
    loaded = list(Customer.objects.filter(account_no__startswith="06029902"))
    CareVisit.objects.bulk_create(
        [CareVisit(customer=loaded[0], visited_on=D(2026, 12, 1), recorded_by=world.users["clerk_a"])]
    )
    assert state_of(manager, loaded[1].account_no, D(2026, 12, 31)) == "not scheduled"  # reads only read
    tasks.care_schedule_sync_task()  # the beat job, every minute
    assert state_of(manager, loaded[0].account_no, D(2027, 1, 15)) == "due"  # 1 Dec + 45 days
    assert state_of(manager, loaded[1].account_no, D(2026, 12, 31)) == "never"
    assert_equal_to_a_fresh_build()


def test_another_stations_schedule_is_not_seen(world, empty_nest):
    rows = selectors.care_households(world.users["clerk_b"], today=D(2026, 12, 31))
    assert empty_nest.account_no not in {row["customer"].account_no for row in rows}
    assert world.station_a.pk not in selectors.care_summary_counts(
        world.users["clerk_b"], today=D(2026, 12, 31)
    )


def test_the_care_reads_only_read(world, empty_nest):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Customer.objects.create(  # a household the schedule has not caught up with yet
        account_no="0602990101",
        name="户101",
        village=world.village_a,
        tags=Customer.encode_tags(["hardship"]),
    )
    manager, today = world.users["manager"], D(2026, 12, 31)
    with CaptureQueriesContext(connection) as queries:
        selectors.care_households(manager, today=today)
        selectors.care_summary_counts(manager, today=today)
        selectors.station_overdue(world.station_a, today)
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_the_sync_job_is_on_the_beat_schedule_every_minute():
    from powerexpress.celery_app import app

    entry = app.conf.beat_schedule["outreach-care-schedule-sync"]
    assert (entry["task"], entry["schedule"]) == ("powerexpress.outreach.tasks.care_schedule_sync_task", 60.0)
