"""Line loss from real uploads and synthetic partitions, the check, moves and the plan."""

import datetime as dt
import io

import numpy as np
import polars as pl
import pytest
from django.test import TestCase
from django.utils import timezone

from powerexpress.grid import storage
from powerexpress.grid.choices import DataKind
from powerexpress.grid.services import interval_file_ingest
from powerexpress.grid.tests.conftest import household_csv, transformer_csv
from powerexpress.lineloss import selectors, services
from powerexpress.lineloss.choices import Cause, LossClass, SuspectStatus
from powerexpress.lineloss.models import LineLoss, LossSuspect, TransformerMove
from powerexpress.lineloss.tests.synthetic import make_world
from powerexpress.registry.models import Customer, TransformerDistrict
from powerexpress.workorders.models import WorkOrder

JAN = dt.date(2026, 1, 1)


def _with_energy(content: bytes, kwh_per_step: float) -> bytes:
    frame = pl.read_csv(io.BytesIO(content)).with_columns(pl.lit(kwh_per_step).alias("energy_kwh"))
    return frame.write_csv().encode()


def ingest(**kwargs):
    """Ingest as a request would: the commit hooks (detection, line loss) run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return interval_file_ingest(**kwargs)


def _upload(world, *, kwh_per_step=1.0, with_energy=True):
    user = world.users["clerk_a"]
    content = transformer_csv(days=3)
    if with_energy:
        content = _with_energy(content, kwh_per_step)
    record = ingest(user=user, kind=DataKind.TRANSFORMER, file_name="t.csv", content=content)
    assert record.status == "accepted", record.report
    homes = household_csv([world.customer_a.account_no, world.customer_a2.account_no], days=3)
    record = ingest(user=user, kind=DataKind.HOUSEHOLD, file_name="h.csv", content=homes)
    assert record.status == "accepted", record.report
    return float(pl.read_csv(io.BytesIO(homes))["energy_kwh"].sum())


def test_an_upload_computes_the_months_loss_at_once(world, data_dir):
    sales = _upload(world, kwh_per_step=sales_per_step_for(rate=0.10))
    row = LineLoss.objects.get(transformer=world.transformer_a, month=JAN)
    supply = 3 * 96 * sales_per_step_for(rate=0.10)
    assert row.supply_kwh == pytest.approx(supply)
    assert row.sales_kwh == pytest.approx(sales)
    assert row.loss_rate == pytest.approx((supply - sales) / supply)
    assert row.coverage == 1.0
    assert row.loss_class == LossClass.HIGH


def sales_per_step_for(rate: float) -> float:
    """Supply per 15-minute step giving ``rate`` against the households of ``household_csv``."""
    homes = household_csv(["0602000001", "0602000002"], days=3)
    sales = float(pl.read_csv(io.BytesIO(homes))["energy_kwh"].sum())
    return sales / (1 - rate) / (3 * 96)


def test_a_district_meter_without_energy_makes_the_district_uncomputable(world, data_dir):
    _upload(world, with_energy=False)
    row = LineLoss.objects.get(transformer=world.transformer_a, month=JAN)
    assert (row.loss_class, row.reason) == (LossClass.UNCOMPUTABLE, "no_supply_data")


def test_detection_still_reads_a_partition_mixing_files_with_and_without_energy(world, data_dir):
    from powerexpress.grid.services import _month_bounds, window_arrays

    user = world.users["clerk_a"]
    ingest(user=user, kind=DataKind.TRANSFORMER, file_name="a.csv", content=transformer_csv(days=2))
    later = _with_energy(transformer_csv(days=2, start=dt.datetime(2026, 1, 20)), 0.5)
    ingest(user=user, kind=DataKind.TRANSFORMER, file_name="b.csv", content=later)
    _transformers, arrays = window_arrays("XD", *_month_bounds(JAN))
    assert np.isfinite(arrays["s_kva"]).sum() == 4 * 96
    assert LineLoss.objects.get(transformer=world.transformer_a, month=JAN).supply_kwh == pytest.approx(96.0)


def test_register_readings_fill_in_for_households_without_interval_data(world, data_dir):
    from powerexpress.billing.models import MeterReading

    user = world.users["clerk_a"]
    interval_file_ingest(
        user=user,
        kind=DataKind.TRANSFORMER,
        file_name="t.csv",
        content=_with_energy(transformer_csv(days=3), 1.0),
    )
    homes = household_csv([world.customer_a.account_no], days=3)
    ingest(user=user, kind=DataKind.HOUSEHOLD, file_name="h.csv", content=homes)
    # 2025-12-17 → 2026-02-15 is 60 days for 600 kWh: 31 of them in January → 310 kWh.
    MeterReading.objects.create(customer=world.customer_a2, read_on=dt.date(2025, 12, 17), register_kwh=1000)
    MeterReading.objects.create(customer=world.customer_a2, read_on=dt.date(2026, 2, 15), register_kwh=1600)
    services.partition_compute(station_code="XD", month=JAN)
    row = LineLoss.objects.get(transformer=world.transformer_a, month=JAN)
    interval = float(pl.read_csv(io.BytesIO(homes))["energy_kwh"].sum())
    assert row.sales_kwh == pytest.approx(interval + 310.0)
    assert row.households_with_data == 2


def _synthetic_station(world, data_dir):
    """Three districts of station XD with 8 households each, hourly data for January, some
    households registered to the next district."""
    synthetic = make_world(districts=3, per_district=8, days=31, misregistered=2, seed=3)
    codes = [f"XD-S{k}" for k in range(3)]
    for code in codes:
        TransformerDistrict.objects.create(
            station=world.station_a, village=world.village_a, code=code, name=code, rated_kva=100
        )
    districts = dict(TransformerDistrict.objects.filter(code__in=codes).values_list("code", "pk"))
    accounts = [f"09{i:08d}" for i in range(synthetic.household_kwh.shape[0])]
    Customer.objects.bulk_create(
        [
            Customer(
                account_no=a,
                name=f"户{i}",
                village=world.village_a,
                transformer_id=districts[codes[synthetic.registered[i]]],
            )
            for i, a in enumerate(accounts)
        ]
    )
    start = timezone.make_aware(dt.datetime(2026, 1, 1), timezone.get_default_timezone()).astimezone(dt.UTC)
    steps = synthetic.household_kwh.shape[1]
    ts = pl.datetime_range(start, start + dt.timedelta(hours=steps - 1), "1h", eager=True)
    supply = pl.DataFrame(
        {
            "transformer": np.repeat(codes, steps),
            "ts": pl.concat([ts] * 3),
            "energy_kwh": synthetic.supply_kwh.reshape(-1),
            "station": "XD",
        }
    )
    homes = pl.DataFrame(
        {
            "account_no": np.repeat(accounts, steps),
            "ts": pl.concat([ts] * len(accounts)),
            "energy_kwh": synthetic.household_kwh.reshape(-1),
            "station": "XD",
        }
    )
    storage.write_parts(DataKind.TRANSFORMER, supply, "synthetic")
    storage.write_parts(DataKind.HOUSEHOLD, homes, "synthetic")
    services.partition_compute(station_code="XD", month=JAN)
    moved = {accounts[i]: codes[synthetic.true_district[i]] for i in synthetic.moved}
    return codes, moved


def test_the_check_suspects_the_misregistered_households_and_names_their_district(world, data_dir):
    codes, moved = _synthetic_station(world, data_dir)
    classes = dict(
        LineLoss.objects.filter(transformer__code__in=codes).values_list("transformer__code", "loss_class")
    )
    assert LossClass.NEGATIVE in classes.values()
    found = {
        s.customer.account_no: s.suggested.code
        for s in LossSuspect.objects.select_related("customer", "suggested")
    }
    assert found == moved


def test_confirming_a_suspect_moves_the_household_and_keeps_the_history(world, data_dir):
    _codes, moved = _synthetic_station(world, data_dir)
    suspect = LossSuspect.objects.select_related("customer").first()
    before = suspect.customer.transformer_id
    move = services.suspect_confirm(user=world.users["clerk_a"], suspect=suspect)
    customer = Customer.objects.get(pk=suspect.customer_id)
    assert customer.transformer.code == moved[customer.account_no]
    assert (move.from_transformer_id, move.to_transformer_id) == (before, customer.transformer_id)
    assert TransformerMove.objects.filter(customer=customer, moved_by=world.users["clerk_a"]).count() == 1
    suspect.refresh_from_db()
    assert suspect.status == SuspectStatus.CONFIRMED
    with pytest.raises(services.ApiError):
        services.suspect_confirm(user=world.users["clerk_a"], suspect=suspect)


def test_a_crew_member_may_not_move_a_household(world, data_dir):
    _synthetic_station(world, data_dir)
    suspect = LossSuspect.objects.first()
    with pytest.raises(services.ApiError):
        services.suspect_confirm(user=world.users["crew_a"], suspect=suspect)
    assert not TransformerMove.objects.exists()


def test_a_high_loss_district_goes_on_the_plan_with_a_work_order_once(world, data_dir):
    _upload(world, kwh_per_step=sales_per_step_for(rate=0.10))
    loss = LineLoss.objects.get(transformer=world.transformer_a, month=JAN)
    item = services.plan_item_add(user=world.users["clerk_a"], loss=loss, cause=Cause.OLD_WIRE, note="200 m")
    again = services.plan_item_add(user=world.users["clerk_a"], loss=loss, cause=Cause.OLD_WIRE)
    assert again.pk == item.pk
    assert WorkOrder.objects.filter(source_type="lineloss_plan").count() == 1
    assert item.work_order.team == world.team_a
    assert item.loss_rate_before == pytest.approx(loss.loss_rate)
    late = item.due_on + dt.timedelta(days=1)
    assert list(selectors.overdue_plan_items(world.users["clerk_a"], today=late)) == [item]
    assert list(selectors.overdue_plan_items(world.users["clerk_b"], today=late)) == []
    assert list(selectors.overdue_plan_items(world.users["clerk_a"], today=item.due_on)) == []


def test_a_qualified_district_is_not_put_on_the_plan(world, data_dir):
    _upload(world, kwh_per_step=sales_per_step_for(rate=0.03))
    loss = LineLoss.objects.get(transformer=world.transformer_a, month=JAN)
    assert loss.loss_class == LossClass.QUALIFIED
    with pytest.raises(services.ApiError):
        services.plan_item_add(user=world.users["clerk_a"], loss=loss, cause=Cause.THEFT)


def test_the_effect_review_shows_the_months_after_the_plan(world, data_dir):
    _upload(world, kwh_per_step=sales_per_step_for(rate=0.10))
    loss = LineLoss.objects.get(transformer=world.transformer_a, month=JAN)
    item = services.plan_item_add(user=world.users["clerk_a"], loss=loss, cause=Cause.THEFT)
    LineLoss.objects.create(
        transformer=world.transformer_a,
        month=dt.date(2026, 2, 1),
        supply_kwh=100,
        sales_kwh=96,
        loss_kwh=4,
        loss_rate=0.04,
        households=2,
        households_with_data=2,
        coverage=1,
        loss_class=LossClass.QUALIFIED,
    )
    assert [r.loss_rate for r in selectors.effect_review(item)] == [0.04]


def test_bands_are_edited_by_managers_only(world):
    with pytest.raises(services.ApiError):
        services.lineloss_settings_update(user=world.users["clerk_a"], values={"high_from_pct": "7"})
    with pytest.raises(services.FieldError):
        services.lineloss_settings_update(user=world.users["manager"], values={"negative_to_pct": "8"})
    updated = services.lineloss_settings_update(user=world.users["manager"], values={"high_from_pct": "7"})
    assert services.bands_from(updated).high_from == pytest.approx(0.07)


def test_the_district_page_shows_the_loss_day_by_day(world, data_dir):
    _upload(world, kwh_per_step=1.0)
    homes = pl.read_csv(io.BytesIO(household_csv(["0602000001", "0602000002"], days=3)))
    per_day = (
        homes.with_columns(pl.col("ts").str.slice(0, 10).alias("day"))
        .group_by("day")
        .agg(pl.col("energy_kwh").sum())
    )
    expected = {d: (96.0 - kwh) / 96.0 for d, kwh in per_day.iter_rows()}
    rows = selectors.district_daily(world.transformer_a, JAN)
    assert {f"{r['day']:%Y-%m-%d}": r["loss_rate"] for r in rows} == pytest.approx(expected)
    assert all(r["supply_kwh"] == pytest.approx(96.0) and r["coverage"] == 1.0 for r in rows)
    page = world.web("clerk_a").get("/lineloss/districts/XD001-01/")
    assert b"daily-table" in page.content
