"""The pure line-loss kernel against hand-worked answers (no database)."""

import numpy as np
import polars as pl
import pytest

from powerexpress.analytics import lineloss
from powerexpress.lineloss.tests.synthetic import make_world, registered_sales


def _members(pairs):
    return pl.DataFrame(pairs, schema=["account_no", "transformer"], orient="row")


def _loss():
    supply = pl.DataFrame(
        {
            "transformer": ["T1", "T2", "T3", "T5", "T6", "T7", "T8"],
            "supply_kwh": [1000.0, 1000.0, 1000.0, 0.0, 500.0, 80.0, 1000.0],
        }
    )
    members = _members(
        [("a1", "T1"), ("a2", "T1"), ("a3", "T1"), ("b1", "T2"), ("c1", "T3"), ("d1", "T4"), ("e1", "T5")]
        + [(f"f{i}", "T6") for i in range(10)]
        + [("h1", "T8")]
    )
    sales = pl.DataFrame(
        {
            "account_no": ["a1", "a2", "a3", "b1", "c1", "d1", "e1", "h1", "h1"]
            + [f"f{i}" for i in range(8)],
            "sales_kwh": [300.0, 300.0, 340.0, 1015.0, 960.0, 50.0, 0.0, 500.0, 510.0] + [50.0] * 8,
        }
    )
    rows = lineloss.window_loss(supply, sales, members)
    return {row["transformer"]: row for row in rows.iter_rows(named=True)}, rows


def test_loss_is_supply_minus_sales_over_supply_and_six_percent_is_high():
    rows, _frame = _loss()
    assert rows["T1"]["loss_kwh"] == pytest.approx(60.0)
    assert rows["T1"]["loss_rate"] == pytest.approx(0.06)
    assert rows["T1"]["class"] == lineloss.HIGH
    assert rows["T1"]["coverage"] == 1.0


def test_negative_loss_below_minus_one_percent_and_qualified_between():
    rows, _frame = _loss()
    assert rows["T2"]["loss_rate"] == pytest.approx(-0.015)
    assert rows["T2"]["class"] == lineloss.NEGATIVE
    assert rows["T3"]["class"] == lineloss.QUALIFIED
    assert rows["T8"]["loss_rate"] == pytest.approx(-0.01)
    assert rows["T8"]["class"] == lineloss.NEGATIVE


def test_a_district_without_supply_data_cannot_be_computed_and_says_why():
    rows, _frame = _loss()
    assert (rows["T4"]["class"], rows["T4"]["reason"]) == (lineloss.UNCOMPUTABLE, lineloss.NO_SUPPLY_DATA)
    assert rows["T4"]["loss_rate"] is None


def test_a_meter_reporting_no_energy_means_the_district_is_stopped():
    rows, _frame = _loss()
    assert rows["T5"]["class"] == lineloss.STOPPED


def test_coverage_below_the_floor_makes_the_district_uncomputable():
    rows, _frame = _loss()
    assert rows["T6"]["coverage"] == pytest.approx(0.8)
    assert rows["T6"]["households_with_data"] == 8
    assert (rows["T6"]["class"], rows["T6"]["reason"]) == (lineloss.UNCOMPUTABLE, lineloss.LOW_COVERAGE)
    assert rows["T7"]["reason"] == lineloss.NO_HOUSEHOLDS


def test_bands_are_settings_not_constants():
    rows = lineloss.window_loss(
        pl.DataFrame({"transformer": ["T1"], "supply_kwh": [1000.0]}),
        pl.DataFrame({"account_no": ["a"], "sales_kwh": [950.0]}),
        _members([("a", "T1")]),
        lineloss.Bands(high_from=0.05),
    )
    assert rows["class"][0] == lineloss.HIGH


def test_totals_are_energy_weighted_not_a_mean_of_rates():
    frame = pl.DataFrame(
        {
            "supply_kwh": [1000.0, 100.0, 50.0],
            "sales_kwh": [900.0, 100.0, 0.0],
            "loss_kwh": [100.0, 0.0, 50.0],
            "loss_rate": [0.1, 0.0, None],
        }
    )
    total = lineloss.totals(frame)
    assert total["loss_rate"] == pytest.approx(100 / 1100)
    assert total["computable"] == 2


def test_register_readings_are_apportioned_linearly_to_the_window():
    readings = pl.DataFrame(
        {
            "account_no": ["a", "a", "b", "c", "c"],
            "day": [0, 30, 0, 5, 40],
            "register_kwh": [100.0, 400.0, 10.0, 1000.0, 1350.0],
        }
    )
    sales = lineloss.apportion_register(readings, 10, 20)
    got = dict(sales.iter_rows())
    assert got["a"] == pytest.approx(100.0)
    assert got["c"] == pytest.approx(100.0)
    assert "b" not in got


def test_a_reading_on_the_bound_is_used_as_it_is():
    readings = pl.DataFrame(
        {"account_no": ["a", "a", "a"], "day": [0, 10, 20], "register_kwh": [0.0, 7.0, 30.0]}
    )
    assert lineloss.apportion_register(readings, 10, 20)["sales_kwh"][0] == pytest.approx(23.0)


def test_the_check_finds_deliberately_misregistered_households():
    """Pooled over 20 synthetic sets of 12 districts × 40 households, 10 mis-registered in each
    (the figures reported in docs/line-loss.md)."""
    hits = flagged_count = truth_count = 0
    for seed in range(20):
        world = make_world(seed=seed)
        residual = lineloss.residuals(world.supply_kwh, registered_sales(world))
        found = lineloss.suspects(world.household_kwh, world.registered, residual)
        flagged = set(np.flatnonzero(found.suspected).tolist())
        right = {i for i in flagged & world.moved if found.best[i] == world.true_district[i]}
        hits, flagged_count, truth_count = hits + len(right), flagged_count + len(flagged), truth_count + 10
    assert hits / flagged_count >= 0.95
    assert hits / truth_count >= 0.9


def test_the_check_flags_nobody_when_the_registry_is_right():
    world = make_world(misregistered=0)
    residual = lineloss.residuals(world.supply_kwh, registered_sales(world))
    found = lineloss.suspects(world.household_kwh, world.registered, residual)
    assert not found.suspected.any()


def test_candidates_limit_the_districts_a_household_may_move_to():
    world = make_world()
    residual = lineloss.residuals(world.supply_kwh, registered_sales(world))
    n, k = world.household_kwh.shape[0], world.supply_kwh.shape[0]
    none_allowed = np.zeros((n, k), dtype=bool)
    found = lineloss.suspects(world.household_kwh, world.registered, residual, none_allowed)
    assert not found.suspected.any()
    assert (found.best == -1).all()
