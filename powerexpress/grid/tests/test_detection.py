"""The detection kernel and the per-file checks (pure, no database)."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from powerexpress.analytics import loading
from powerexpress.analytics.loading import Thresholds, check_intervals, detect, runs, unbalance


def arrays(m=2, steps=96, kva=50.0, amps=60.0, volts=225.0):
    s = np.full((m, steps), kva)
    i = np.full((m, steps), amps)
    return {"s_kva": s, "i_a": i.copy(), "i_b": i.copy(), "i_c": i.copy(), "v_min": np.full((m, steps), volts)}


def run(a, rated=(100.0, 100.0), **kw):
    return detect(rated_kva=np.array(rated), **a, **kw)


def kinds(events):
    return sorted(events.kind.tolist())


def test_runs_finds_consecutive_steps_lasting_long_enough():
    mask = np.array([[0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1]], dtype=bool)
    rows, starts, ends = runs(mask, 3)
    assert starts.tolist() == [1, 8] and ends.tolist() == [4, 12] and rows.tolist() == [0, 0]


def test_a_quiet_transformer_has_no_event():
    assert len(run(arrays())) == 0


def test_an_overload_lasting_two_hours_is_an_event_with_its_peak_and_energy_above_the_limit():
    a = arrays()
    a["s_kva"][0, 40:48] = 120.0  # 8 steps = 120 min
    a["s_kva"][0, 44] = 130.0
    events = run(a)
    overload = [k for k in range(len(events)) if events.kind[k] == loading.OVERLOAD]
    assert len(overload) == 1
    k = overload[0]
    assert (events.row[k], events.start[k], events.end[k]) == (0, 40, 48)
    assert events.peak[k] == pytest.approx(1.3)
    assert events.energy_above_kvah[k] == pytest.approx((7 * 20 + 30) * 0.25)


def test_an_overload_shorter_than_two_hours_is_not_an_event():
    a = arrays()
    a["s_kva"][1, 10:17] = 120.0  # 105 min
    assert len(run(a)) == 0


def test_heavy_load_starts_at_eighty_percent_inclusive_and_overload_above_one_hundred():
    a = arrays()
    a["s_kva"][0, :] = 80.0
    a["s_kva"][1, :] = 100.0
    events = run(a)
    assert kinds(events) == [loading.HEAVY_LOAD, loading.HEAVY_LOAD]


def test_unbalance_is_max_minus_min_over_max():
    assert unbalance(np.array([100.0]), np.array([80.0]), np.array([50.0])).tolist() == [0.5]
    assert unbalance(np.array([0.0]), np.array([0.0]), np.array([0.0])).tolist() == [0.0]
    assert np.isnan(unbalance(np.array([np.nan]), np.array([1.0]), np.array([1.0]))[0])


def test_unbalance_above_the_limit_and_the_practice_rule_are_separate_events():
    a = arrays(kva=60.0)
    a["i_a"][0, 0:12] = 100.0  # unbalance 40 % for 3 h at 60 % load
    a["i_b"][1, 0:12] = 68.0  # unbalance ~12 %: below the limit
    events = run(a)
    assert kinds(events) == [loading.UNBALANCE, loading.UNBALANCE_PRACTICE]
    assert set(events.row.tolist()) == {0}
    assert events.peak[0] == pytest.approx(0.4)


def test_the_practice_rule_needs_the_load_above_half():
    a = arrays(kva=40.0)
    a["i_a"][0, 0:12] = 100.0
    assert kinds(run(a)) == [loading.UNBALANCE]


def test_low_voltage_reports_the_lowest_voltage():
    a = arrays()
    a["v_min"][1, 5:9] = [197.0, 190.5, 196.0, 197.9]
    events = run(a)
    assert kinds(events) == [loading.LOW_VOLTAGE]
    assert events.peak[0] == 190.5 and events.row[0] == 1


def test_missing_readings_never_count_as_a_violation():
    a = arrays()
    a["s_kva"][0, :] = np.nan
    a["v_min"][0, :] = np.nan
    assert len(run(a)) == 0


def test_thresholds_are_parameters():
    a = arrays(kva=70.0)
    assert kinds(run(a, thresholds=Thresholds(heavy_load_rate=0.7, load_min_duration_min=60))) == \
        [loading.HEAVY_LOAD, loading.HEAVY_LOAD]


def test_an_event_running_to_the_last_step_is_closed_there():
    a = arrays()
    a["s_kva"][1, 80:] = 110.0
    events = run(a)
    assert kinds(events) == [loading.HEAVY_LOAD, loading.OVERLOAD]
    assert events.end.tolist() == [96, 96]
    assert events.energy_above_kvah[1] == pytest.approx(16 * 10 * 0.25)


def test_daily_max_is_the_bare_baseline_pass():
    values = np.arange(2 * 192, dtype=float).reshape(2, 192)
    assert loading.daily_max(values, 96).tolist() == [[95.0, 191.0], [287.0, 383.0]]


# Per-file checks


def transformer_frame(days=4, step=15, start=dt.datetime(2026, 1, 1), shift_h=0, volts=225.0, codes=("T1",)):
    rows = []
    for code in codes:
        for k in range(days * 24 * 60 // step):
            ts = start + dt.timedelta(minutes=k * step)
            hour = (ts.hour + shift_h) % 24
            load = 20 + 30 * np.exp(-((hour - 20) ** 2) / 8) + (5 if 8 < hour < 22 else 0) - (hour in (3, 4)) * 5
            rows.append({"transformer": code, "ts": ts.strftime("%Y-%m-%d %H:%M:%S"), "i_a": load, "i_b": load * 0.9,
                         "i_c": load * 0.8, "v_a": volts, "v_b": volts, "v_c": volts})
    return pl.DataFrame(rows)


def codes(issues):
    return [issue.code for issue in issues]


def test_a_clean_file_passes_and_is_normalised_to_utc():
    frame, issues = check_intervals(transformer_frame(), "transformer")
    assert issues == [] and frame is not None
    assert str(frame["ts"].dtype.time_zone) == "UTC"
    assert frame["ts"][0] == dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC)


def test_missing_columns_reject_the_file():
    frame, issues = check_intervals(transformer_frame().drop("v_c"), "transformer")
    assert frame is None and codes(issues) == ["missing_columns"]


def test_duplicates_reject_the_file():
    raw = transformer_frame()
    frame, issues = check_intervals(pl.concat([raw, raw.head(3)]), "transformer")
    assert frame is None and "duplicates" in codes(issues)


def test_a_few_gaps_are_reported_but_many_reject():
    raw = transformer_frame()
    frame, issues = check_intervals(raw.filter(pl.arange(0, raw.height) % 50 != 7), "transformer")
    assert frame is not None and codes(issues) == ["gaps"] and not issues[0].fatal
    frame, issues = check_intervals(raw.filter(pl.arange(0, raw.height) % 3 != 0), "transformer")
    assert frame is None and issues[0].fatal


def test_timestamps_off_the_grid_are_a_clock_shift():
    raw = transformer_frame().with_columns(pl.col("ts").str.replace(":00:00$", ":07:00"))
    frame, issues = check_intervals(raw, "transformer")
    assert frame is None and "off_grid" in codes(issues)


def test_utc_timestamps_read_as_beijing_time_are_caught():
    frame, issues = check_intervals(transformer_frame(shift_h=8), "transformer")
    assert frame is None and codes(issues) == ["clock_shift_utc"]


@pytest.mark.parametrize(("volts", "code"), [(0.225, "unit_kv"), (390.0, "unit_line_voltage")])
def test_voltage_unit_mistakes_are_caught(volts, code):
    frame, issues = check_intervals(transformer_frame(volts=volts), "transformer")
    assert frame is None and code in codes(issues)


def test_apparent_power_in_va_is_caught_against_the_rating():
    raw = transformer_frame().with_columns((pl.col("i_a") * 1000).alias("s_kva"))
    frame, issues = check_intervals(raw, "transformer", rated_kva={"T1": 100.0})
    assert frame is None and "unit_w" in codes(issues)


def test_household_energy_in_wh_is_caught():
    raw = transformer_frame().select(pl.col("transformer").alias("account_no"), "ts",
                                     (pl.col("i_a") * 10).alias("energy_kwh"))
    frame, issues = check_intervals(raw, "household")
    assert frame is None and "unit_wh" in codes(issues)


def test_negative_readings_reject_the_file():
    raw = transformer_frame().with_columns(pl.when(pl.arange(0, pl.len()) == 5).then(-1.0)
                                           .otherwise(pl.col("i_b")).alias("i_b"))
    frame, issues = check_intervals(raw, "transformer")
    assert frame is None and "negative" in codes(issues)
