"""After a work order is completed, the next detection and the next plan use the new state."""

import datetime as dt

import pytest

from powerexpress.grid import services
from powerexpress.grid.choices import DataKind, EventKind, FileStatus
from powerexpress.grid.models import LoadEvent
from powerexpress.grid.tests.conftest import household_csv, transformer_csv
from powerexpress.workorders.choices import WorkOrderKind
from powerexpress.workorders.services import work_order_complete, work_order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ingest(world, data_dir, django_capture_on_commit_callbacks):
    def run(world, content, kind=DataKind.TRANSFORMER):
        with django_capture_on_commit_callbacks(execute=True):
            return services.interval_file_ingest(
                user=world.users["clerk_a"], kind=kind, file_name=f"{kind}.csv", content=content
            )

    return run


def test_after_a_replaced_unit_the_next_detection_measures_against_the_new_rating(world, data_dir, ingest):
    ingest(world, content=transformer_csv(overload_hours=(18, 21)))  # 114.75 kVA on 100 kVA
    assert LoadEvent.objects.filter(kind=EventKind.OVERLOAD).exists()
    order = work_order_create(
        user=world.users["manager"],
        station=world.station_a,
        kind=WorkOrderKind.REPLACE_UNIT,
        title="更换变压器",
        transformer=world.transformer_a,
    )
    work_order_complete(user=world.users["crew_a"], order=order, rated_kva=160)
    services.partition_detect(station_code="XD", month=dt.date(2026, 1, 1))
    assert not LoadEvent.objects.filter(kind__in=[EventKind.OVERLOAD, EventKind.HEAVY_LOAD]).exists()


def test_after_a_completed_phase_order_the_next_plan_starts_from_the_moved_phases(world, data_dir, ingest):
    accounts = ["0602000001", "0602000002"]
    record = ingest(world, household_csv(accounts, days=4), kind=DataKind.HOUSEHOLD)
    assert record.status == FileStatus.ACCEPTED, record.report
    world.customer_a2.phase = "A"
    world.customer_a2.save()
    days = {"start": dt.date(2026, 1, 10), "end": dt.date(2026, 1, 13)}
    plan = services.phase_plan_create(
        user=world.users["clerk_a"], transformer=world.transformer_a, max_moves=1, **days
    )
    plan = services.phase_plan_issue(user=world.users["clerk_a"], plan=plan)
    [move] = plan.moves
    work_order_complete(user=world.users["crew_a"], order=plan.work_order, moved=[move["household"]])
    customers, _profiles = services.household_profiles(world.transformer_a, **days)
    assert dict(customers)[move["household"]] == move["to"]
    again = services.phase_plan_create(
        user=world.users["clerk_a"], transformer=world.transformer_a, max_moves=1, **days
    )
    assert again.peak_phase_kw_before == plan.peak_phase_kw_after
    assert again.moves == []
