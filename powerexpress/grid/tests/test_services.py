"""Ingestion, detection per partition, the measured-peak selector, forecasts and plans (database)."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
import time_machine

from powerexpress.grid import selectors, services, storage
from powerexpress.grid.choices import Action, DataKind, EventKind, FileStatus
from powerexpress.grid.models import FestivalForecast, IntervalFile, LoadEvent, Partition
from powerexpress.grid.tests.conftest import household_csv, transformer_csv
from powerexpress.workorders.choices import WorkOrderKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def ingest(world, data_dir, django_capture_on_commit_callbacks):
    """Ingest a file as a user and run the detection queued on commit."""

    def run(world, who="clerk_a", kind=DataKind.TRANSFORMER, content=None, name="t.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.interval_file_ingest(
                user=world.users[who], kind=kind, file_name=name, content=content or transformer_csv()
            )

    return run


def test_a_clean_file_is_stored_as_parquet_partitions_with_metadata_in_the_database(world, data_dir, ingest):
    record = ingest(world)
    assert record.status == FileStatus.ACCEPTED and record.rows == 288 and record.step_min == 15
    files = list((data_dir / "grid" / "transformer" / "station=XD" / "month=2026-01").glob("*.parquet"))
    assert len(files) == 1
    stored = pl.read_parquet(files[0])
    assert stored.height == 288 and "s_kva" in stored.columns
    partition = Partition.objects.get(
        kind=DataKind.TRANSFORMER, station=world.station_a, month=dt.date(2026, 1, 1)
    )
    assert partition.rows == 288 and partition.detected_at is not None


def test_the_same_file_twice_is_accepted_once(world, data_dir, ingest):
    first = ingest(world)
    assert ingest(world).pk == first.pk
    assert IntervalFile.objects.count() == 1


def test_readings_already_loaded_from_another_file_reject_the_new_file(world, data_dir, ingest):
    ingest(world)
    again = ingest(world, content=transformer_csv(volts=226.0), name="again.csv")
    assert again.status == FileStatus.REJECTED
    assert [item["code"] for item in again.report] == ["already_loaded"]


def test_a_bad_file_is_rejected_whole_with_its_report_and_nothing_is_stored(world, data_dir, ingest):
    record = ingest(world, content=transformer_csv(volts=0.225), name="kv.csv")
    assert record.status == FileStatus.REJECTED
    assert "unit_kv" in [item["code"] for item in record.report]
    assert "kV" in services.issue_message(record.report[0])
    assert not (data_dir / "grid" / "transformer").exists()


def test_another_stations_transformer_is_unknown_to_a_station_clerk(world, data_dir, ingest):
    record = ingest(world, who="clerk_b")
    assert record.status == FileStatus.REJECTED
    assert record.report[0]["code"] == "unknown_series"


def test_an_unreadable_file_is_rejected(world, data_dir, ingest):
    record = ingest(world, content=b"\x00\x01garbage", name="x.parquet")
    assert record.status == FileStatus.REJECTED and record.report[0]["code"] == "unreadable"


def test_detection_runs_on_ingest_and_stores_events_with_peak_and_energy(world, data_dir, ingest):
    ingest(world, content=transformer_csv(overload_hours=(18, 21)))
    overload = LoadEvent.objects.get(transformer=world.transformer_a, kind=EventKind.OVERLOAD)
    assert overload.start_at == dt.datetime(2026, 1, 10, 10, 0, tzinfo=dt.UTC)
    assert overload.duration_min == 180
    assert overload.peak == Decimal("114.8")
    assert overload.energy_above_kvah > 0
    assert LoadEvent.objects.filter(kind=EventKind.UNBALANCE).exists()


def test_detection_again_replaces_the_partitions_events(world, data_dir, ingest):
    ingest(world, content=transformer_csv(overload_hours=(18, 21)))
    count = LoadEvent.objects.count()
    services.partition_detect(station_code="XD", month=dt.date(2026, 1, 1))
    assert LoadEvent.objects.count() == count


def test_thresholds_come_from_the_bureau_settings(world, data_dir, ingest):
    services.grid_settings_update(user=world.users["manager"], values={"load_min_duration_min": 240})
    ingest(world, content=transformer_csv(overload_hours=(18, 21)))
    assert not LoadEvent.objects.filter(kind=EventKind.OVERLOAD).exists()


def test_only_a_manager_changes_the_settings_and_bad_values_are_refused(world, data_dir, ingest):
    from powerexpress.core.errors import ApiError, FieldError

    with pytest.raises(ApiError):
        services.grid_settings_update(user=world.users["clerk_a"], values={"heavy_load_pct": 70})
    with pytest.raises(FieldError):
        services.grid_settings_update(user=world.users["manager"], values={"heavy_load_pct": 120})


def test_measured_peak_is_the_highest_apparent_power_of_the_last_twelve_months(world, data_dir, ingest):
    assert selectors.measured_peak_kva(world.transformer_a) is None
    ingest(world, content=transformer_csv(overload_hours=(18, 21)))
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)):
        assert selectors.measured_peak_kva(world.transformer_a) == Decimal("114.8")
    with time_machine.travel(dt.datetime(2027, 3, 1, tzinfo=dt.UTC)):
        assert selectors.measured_peak_kva(world.transformer_a) is None
    assert selectors.measured_peak_kva(world.transformer_b) is None


def daily_history(codes=("XD001-01", "ZJC001-01")):
    from powerexpress.grid.tests.test_forecast import synthetic_daily

    return synthetic_daily(growth=(1.1, 1.0), surge=4.0, codes=codes, unbalance=0.3)


def write_daily(frame):
    for code, station in (("XD001-01", "XD"), ("ZJC001-01", "ZJC")):
        part = frame.filter(pl.col("transformer") == code).with_columns(pl.lit(0.0).alias("peak_kva"))
        folder = storage.root() / "daily" / f"station={station}" / "month=2026-01"
        folder.mkdir(parents=True, exist_ok=True)
        part.write_parquet(folder / "daily.parquet")


def test_the_forecast_ranks_districts_with_risk_and_action(world, data_dir, ingest):
    write_daily(daily_history())
    assert services.forecast_run(user=world.users["manager"], festival_year=2026) == 2
    top = FestivalForecast.objects.order_by("-forecast_rate_pct").first()
    assert top.transformer == world.transformer_a
    assert top.forecast_rate_pct == Decimal("132.0")
    assert top.risk == "overload" and top.action == Action.REPLACE_UNIT
    assert top.peak_on == dt.date(2026, 2, 16)
    listed = list(selectors.risk_list(world.users["clerk_b"], 2026))
    assert [item.transformer for item in listed] == [world.transformer_b]


def test_the_returnee_factor_raises_the_forecast(world, data_dir, ingest):
    write_daily(daily_history())
    services.forecast_run(user=world.users["manager"], festival_year=2026, returnee=Decimal("1.1"))
    item = FestivalForecast.objects.get(transformer=world.transformer_b)
    assert item.forecast_rate_pct == Decimal("132.0") and item.returnee_factor == Decimal("1.10")


def test_a_chosen_action_becomes_one_work_order_for_the_station(world, data_dir, ingest):
    write_daily(daily_history())
    services.forecast_run(user=world.users["manager"], festival_year=2026)
    item = FestivalForecast.objects.get(transformer=world.transformer_a)
    services.forecast_issue(user=world.users["clerk_a"], item=item, action=Action.EXTRA_CAPACITY)
    again = services.forecast_issue(user=world.users["clerk_a"], item=item, action=Action.EXTRA_CAPACITY)
    order = again.work_order
    assert order.kind == WorkOrderKind.EXTRA_CAPACITY and order.station == world.station_a
    assert order.team == world.team_a and order.due_on == dt.date(2026, 2, 5)
    services.forecast_run(user=world.users["manager"], festival_year=2026)
    assert FestivalForecast.objects.get(transformer=world.transformer_a).work_order == order


def test_a_phase_plan_is_computed_from_household_data_and_issued_as_a_work_order(world, data_dir, ingest):
    accounts = ["0602000001", "0602000002"]
    record = ingest(world, kind=DataKind.HOUSEHOLD, name="h.csv", content=household_csv(accounts, days=4))
    assert record.status == FileStatus.ACCEPTED, record.report
    world.customer_a2.phase = "A"
    world.customer_a2.save()
    plan = services.phase_plan_create(
        user=world.users["clerk_a"],
        transformer=world.transformer_a,
        max_moves=1,
        start=dt.date(2026, 1, 10),
        end=dt.date(2026, 1, 13),
    )
    assert len(plan.moves) == 1 and plan.moves[0]["from"] == "A"
    assert plan.peak_phase_kw_after < plan.peak_phase_kw_before
    assert plan.holdout_kw_after < plan.holdout_kw_before
    assert plan.optimal
    plan = services.phase_plan_issue(user=world.users["clerk_a"], plan=plan)
    assert plan.work_order.kind == WorkOrderKind.PHASE_BALANCE
    assert plan.work_order.items == plan.moves


def test_a_plan_without_household_data_is_refused(world, data_dir, ingest):
    from powerexpress.core.errors import ApiError

    with pytest.raises(ApiError):
        services.phase_plan_create(
            user=world.users["clerk_a"],
            transformer=world.transformer_a,
            max_moves=1,
            start=dt.date(2026, 1, 10),
            end=dt.date(2026, 1, 13),
        )
