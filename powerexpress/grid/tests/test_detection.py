"""The detection kernel and the per-file checks (pure, no database)."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from powerexpress.analytics import loading
from powerexpress.analytics.loading import Thresholds, check_intervals, detect, runs, unbalance
from powerexpress.testing.baselines import daily_max


def arrays(m=2, steps=96, kva=50.0, amps=60.0, volts=225.0):
    s = np.full((m, steps), kva)
    i = np.full((m, steps), amps)
    return {
        "s_kva": s,
        "i_a": i.copy(),
        "i_b": i.copy(),
        "i_c": i.copy(),
        "v_min": np.full((m, steps), volts),
    }


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
    assert kinds(run(a, thresholds=Thresholds(heavy_load_rate=0.7, load_min_duration_min=60))) == [
        loading.HEAVY_LOAD,
        loading.HEAVY_LOAD,
    ]


def test_an_event_running_to_the_last_step_is_closed_there():
    a = arrays()
    a["s_kva"][1, 80:] = 110.0
    events = run(a)
    assert kinds(events) == [loading.HEAVY_LOAD, loading.OVERLOAD]
    assert events.end.tolist() == [96, 96]
    assert events.energy_above_kvah[1] == pytest.approx(16 * 10 * 0.25)


def test_daily_max_is_the_bare_baseline_pass():
    values = np.arange(2 * 192, dtype=float).reshape(2, 192)
    assert daily_max(values, 96).tolist() == [[95.0, 191.0], [287.0, 383.0]]


# Per-file checks


def transformer_frame(days=4, step=15, start=dt.datetime(2026, 1, 1), shift_h=0, volts=225.0, codes=("T1",)):
    rows = []
    for code in codes:
        for k in range(days * 24 * 60 // step):
            ts = start + dt.timedelta(minutes=k * step)
            hour = (ts.hour + shift_h) % 24
            load = (
                20 + 30 * np.exp(-((hour - 20) ** 2) / 8) + (5 if 8 < hour < 22 else 0) - (hour in (3, 4)) * 5
            )
            rows.append(
                {
                    "transformer": code,
                    "ts": ts.strftime("%Y-%m-%d %H:%M:%S"),
                    "i_a": load,
                    "i_b": load * 0.9,
                    "i_c": load * 0.8,
                    "v_a": volts,
                    "v_b": volts,
                    "v_c": volts,
                }
            )
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
    raw = transformer_frame().select(
        pl.col("transformer").alias("account_no"), "ts", (pl.col("i_a") * 10).alias("energy_kwh")
    )
    frame, issues = check_intervals(raw, "household")
    assert frame is None and "unit_wh" in codes(issues)


def test_negative_readings_reject_the_file():
    raw = transformer_frame().with_columns(
        pl.when(pl.arange(0, pl.len()) == 5).then(-1.0).otherwise(pl.col("i_b")).alias("i_b")
    )
    frame, issues = check_intervals(raw, "transformer")
    assert frame is None and "negative" in codes(issues)


# The kernel against an obviously correct reference: a per-row, per-step loop


def reference_events(*, s_kva, rated_kva, i_a, i_b, i_c, v_min, step_min=15, thresholds=None):
    """{(kind, row, start, end): (peak, energy)} found one step at a time with plain Python."""
    t = thresholds or Thresholds()
    step_h = step_min / 60.0
    found = {}
    for row in range(s_kva.shape[0]):
        rated = float(rated_kva[row])
        s, v = s_kva[row].tolist(), v_min[row].tolist()
        unb = [
            reference_unbalance(a, b, c)
            for a, b, c in zip(i_a[row].tolist(), i_b[row].tolist(), i_c[row].tolist(), strict=True)
        ]
        conditions = {
            loading.HEAVY_LOAD: ([x >= t.heavy_load_rate * rated for x in s], t.load_min_duration_min),
            loading.OVERLOAD: ([x > t.overload_rate * rated for x in s], t.load_min_duration_min),
            loading.UNBALANCE: (
                [
                    u > t.unbalance_limit and x > t.unbalance_min_load_rate * rated
                    for u, x in zip(unb, s, strict=True)
                ],
                t.unbalance_min_duration_min,
            ),
            loading.UNBALANCE_PRACTICE: (
                [
                    u > t.practice_unbalance_limit and x > t.practice_load_rate * rated
                    for u, x in zip(unb, s, strict=True)
                ],
                t.practice_min_duration_min,
            ),
            loading.LOW_VOLTAGE: ([x < t.low_voltage_v for x in v], t.low_voltage_min_duration_min),
        }
        for kind, (flags, minutes) in conditions.items():
            for start, end in reference_runs(flags, max(-(-minutes // step_min), 1)):
                if kind in (loading.HEAVY_LOAD, loading.OVERLOAD):
                    limit = t.heavy_load_rate if kind == loading.HEAVY_LOAD else t.overload_rate
                    found[(kind, row, start, end)] = (
                        max(s[start:end]) / rated,
                        sum(x - limit * rated for x in s[start:end]) * step_h,
                    )
                elif kind == loading.LOW_VOLTAGE:
                    found[(kind, row, start, end)] = (min(v[start:end]), 0.0)
                else:
                    found[(kind, row, start, end)] = (max(unb[start:end]), 0.0)
    return found


def reference_unbalance(a, b, c):
    if any(np.isnan(x) for x in (a, b, c)):
        return np.nan
    high, low = max(a, b, c), min(a, b, c)
    return 0.0 if high <= 0 else (high - low) / high


def reference_runs(flags, min_steps):
    start = None
    for k, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            if k - start >= min_steps:
                yield start, k
            start = None


def random_arrays(seed, m=7, steps=192):
    """Piecewise-constant readings around every limit, with gaps (NaN), idle steps (all phases at
    0 A), one dead phase, and conditions that hold from the first step or up to the last."""
    rng = np.random.default_rng(seed)

    def pieces(low, high):
        values = np.empty((m, steps))
        for row in range(m):
            k = 0
            while k < steps:
                length = int(rng.integers(1, 14))
                values[row, k : k + length] = rng.uniform(low, high)
                k += length
        return values

    rated = rng.uniform(50, 200, m)
    s = pieces(0.0, 1.3) * rated[:, None]
    phases = [pieces(20, 100) * pieces(0.55, 1.0) for _ in range(3)]
    v = pieces(192, 204)
    s[0, :12] = s[0, -12:] = 1.2 * rated[0]
    phases[0][1, :12] = phases[0][1, -12:] = 3 * phases[1][1, :12].max()
    v[2, :3] = v[2, -2:] = 190.0
    for values in (s, v, *phases):
        values[rng.random((m, steps)) < 0.02] = np.nan
    idle = rng.random((m, steps)) < 0.03
    dead = rng.random((m, steps)) < 0.03
    for k, values in enumerate(phases):
        values[idle] = 0.0
        if k == 0:
            values[dead] = 0.0
    return {"s_kva": s, "rated_kva": rated, "i_a": phases[0], "i_b": phases[1], "i_c": phases[2], "v_min": v}


SUBSETS_HOLD = Thresholds()
SUBSETS_BROKEN = Thresholds(
    heavy_load_rate=1.25,
    overload_rate=0.85,
    load_min_duration_min=45,
    unbalance_limit=0.4,
    unbalance_min_load_rate=0.4,
    unbalance_min_duration_min=60,
    practice_unbalance_limit=0.05,
    practice_load_rate=0.3,
    practice_min_duration_min=30,
    low_voltage_min_duration_min=30,
)
PRACTICE_SHORTER = Thresholds(practice_min_duration_min=60)
PRACTICE_LOWER_LOAD = Thresholds(practice_load_rate=0.1)
NEGATIVE_LIMIT = Thresholds(unbalance_limit=-0.01, unbalance_min_load_rate=0.0)


def assert_same_events(events, expected):
    columns = (events.kind, events.row, events.start, events.end, events.peak, events.energy_above_kvah)
    got = {
        (str(k), int(r), int(s), int(e)): (float(p), float(en))
        for k, r, s, e, p, en in zip(*columns, strict=True)
    }
    assert len(got) == len(events)
    assert got.keys() == expected.keys()
    for key, (peak, energy) in expected.items():
        assert got[key][0] == peak, key
        assert got[key][1] == pytest.approx(energy, rel=1e-9, abs=1e-9), key


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "thresholds",
    [SUBSETS_HOLD, SUBSETS_BROKEN, PRACTICE_SHORTER, PRACTICE_LOWER_LOAD, NEGATIVE_LIMIT],
    ids=["subsets-hold", "subsets-broken", "practice-shorter", "practice-lower-load", "negative-limit"],
)
def test_detection_matches_a_step_by_step_reference(seed, thresholds):
    a = random_arrays(seed)
    rows_per_block = 1 + seed % 4
    events = detect(**a, thresholds=thresholds, rows_per_block=rows_per_block)
    assert len(events) > 0
    assert_same_events(events, reference_events(**a, thresholds=thresholds))


@pytest.mark.parametrize("seed", range(4))
def test_negative_currents_count_as_the_unbalance_function_says(seed):
    a = random_arrays(seed)
    rng = np.random.default_rng(seed)
    a["i_b"][rng.random(a["i_b"].shape) < 0.05] = -5.0
    a["i_a"][3, 20:40] = a["i_b"][3, 20:40] = a["i_c"][3, 20:40] = -1.0
    a["i_a"][4, 20:40], a["i_b"][4, 20:40], a["i_c"][4, 20:40] = 0.0, -3.0, 0.0
    a["s_kva"][3:5, 20:40] = a["rated_kva"][3:5, None]
    events = detect(**a, step_min=5)
    assert_same_events(events, reference_events(**a, step_min=5))


def test_the_block_size_does_not_change_the_events():
    a = random_arrays(99, m=9)
    expected = detect(**a, rows_per_block=9)
    for rows_per_block in (1, 2, 4, 5, 16):
        assert_same_events(detect(**a, rows_per_block=rows_per_block), reference_events(**a))
    assert len(expected) == len(reference_events(**a))


def test_overload_is_found_inside_heavy_load_only_where_heavy_load_was_found():
    a = arrays(m=3)
    a["s_kva"][2, 10:30] = 85.0
    a["s_kva"][2, 14:24] = 105.0
    events = detect(**a, rated_kva=np.full(3, 100.0), rows_per_block=3)
    found = sorted(
        zip(
            events.kind.tolist(), events.row.tolist(), events.start.tolist(), events.end.tolist(), strict=True
        )
    )
    assert found == [(loading.HEAVY_LOAD, 2, 10, 30), (loading.OVERLOAD, 2, 14, 24)]


def test_a_narrower_kind_with_lower_limits_is_looked_for_in_every_row():
    a = arrays(m=3, kva=60.0)
    a["i_a"][2, 0:12] = 68.0  # unbalance ~12 %: below the 15 % rule, above a 10 % practice rule
    a["s_kva"][1, 40:60] = 87.0  # above an 85 % overload line, below a 90 % heavy-load line
    lower = Thresholds(practice_unbalance_limit=0.10, heavy_load_rate=0.9, overload_rate=0.85)
    events = detect(**a, rated_kva=np.full(3, 100.0), thresholds=lower, rows_per_block=3)
    assert sorted(zip(events.kind.tolist(), events.row.tolist(), strict=True)) == [
        (loading.OVERLOAD, 1),
        (loading.UNBALANCE_PRACTICE, 2),
    ]
    assert kinds(detect(**a, rated_kva=np.full(3, 100.0))) == [loading.HEAVY_LOAD]


@pytest.mark.parametrize(
    ("kva", "steps", "thresholds"),
    [
        (60.0, 6, Thresholds(practice_min_duration_min=60)),  # 90 min: long enough for the practice rule only
        (15.0, 12, Thresholds(practice_load_rate=0.10)),  # 15 % load: under the unbalance rule's 20 % floor
    ],
)
def test_the_practice_rule_is_looked_for_where_unbalance_is_not_an_event(kva, steps, thresholds):
    a = arrays(m=3, kva=kva)
    a["i_a"][2, 30 : 30 + steps] = 100.0  # unbalance 40 %
    events = detect(**a, rated_kva=np.full(3, 100.0), thresholds=thresholds, rows_per_block=3)
    assert list(
        zip(
            events.kind.tolist(), events.row.tolist(), events.start.tolist(), events.end.tolist(), strict=True
        )
    ) == [(loading.UNBALANCE_PRACTICE, 2, 30, 30 + steps)]


@pytest.mark.parametrize(
    ("min_steps", "expected"),
    [
        (1, [(0, 0, 2), (0, 4, 5), (0, 7, 12), (1, 0, 12)]),
        (3, [(0, 7, 12), (1, 0, 12)]),
        (5, [(0, 7, 12), (1, 0, 12)]),
        (6, [(1, 0, 12)]),
        (12, [(1, 0, 12)]),
        (13, []),
    ],
)
def test_runs_touching_either_end_of_a_row_are_closed_there(min_steps, expected):
    mask = np.array([[1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1], [1] * 12], dtype=bool)
    rows, starts, ends = runs(mask, min_steps)
    assert list(zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True)) == expected


def test_runs_of_an_empty_or_quiet_mask_are_empty():
    for mask in (np.zeros((0, 10), dtype=bool), np.zeros((3, 10), dtype=bool), np.zeros((2, 0), dtype=bool)):
        rows, starts, ends = runs(mask, 4)
        assert rows.size == starts.size == ends.size == 0


def test_unbalance_keeps_the_input_precision_and_treats_every_idle_step_as_zero():
    i = np.array([[0.0, 10.0, np.nan]], dtype=np.float32)
    value = unbalance(i, i * 0.5, i)
    assert value.dtype == np.float32
    assert value[0, 0] == 0.0 and value[0, 1] == pytest.approx(0.5) and np.isnan(value[0, 2])
    assert unbalance(np.array([-1.0]), np.array([0.0]), np.array([-2.0])).tolist() == [0.0]
