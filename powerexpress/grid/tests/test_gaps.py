"""Missing readings inside a run (issue 13 part 1): bridged or marked "gap inside" (pure, no database).

Rule (docs/grid.md "Missing readings"): a missing reading never counts as a violation. One missing
reading between two steps in a condition, where the steps with readings on both sides together meet
the duration rule, is either bridged (bureau setting on: one event spanning the gap, marked "gap
inside") or left as no event with a "gap inside" mark (setting off, the default). Two missing
readings in a row never bridge. Expected values below are worked from that rule: 15-minute steps,
100 kVA rated, 120 % load (overload, and heavy load ≥ 80 %), 2 h = 8 steps.
"""

import numpy as np
import pytest

from powerexpress.analytics import loading
from powerexpress.analytics.loading import HEAVY_LOAD, OVERLOAD, detect

STEPS = 96
FIRST = 40  # the run's first step


def series(pattern: str) -> dict:
    """One transformer: 50 kVA everywhere, then from FIRST the pattern: "H" a step at 120 kVA,
    "." a missing reading (every column), "L" a reading at 50 kVA."""
    s = np.full((1, STEPS), 50.0)
    for k, mark in enumerate(pattern):
        s[0, FIRST + k] = {"H": 120.0, ".": np.nan, "L": 50.0}[mark]
    amps = np.where(np.isnan(s), np.nan, s * 1000 / 3 / 230)
    volts = np.where(np.isnan(s), np.nan, 225.0)
    return {"s_kva": s, "i_a": amps, "i_b": amps.copy(), "i_c": amps.copy(), "v_min": volts, "v_max": volts}


def found(events, kind):
    hit = events.kind == kind
    return list(
        zip(
            events.start[hit].tolist(), events.end[hit].tolist(), events.gap_inside[hit].tolist(), strict=True
        )
    )


def broken(events, kind):
    hit = events.broken.kind == kind
    return list(zip(events.broken.start[hit].tolist(), events.broken.end[hit].tolist(), strict=True))


def test_by_default_a_run_broken_by_one_missing_reading_is_no_event_but_is_marked_gap_inside():
    events = detect(rated_kva=np.array([100.0]), **series("HHHH.HHHH"))
    assert len(events) == 0
    assert broken(events, OVERLOAD) == [(FIRST, FIRST + 9)]
    assert broken(events, HEAVY_LOAD) == [(FIRST, FIRST + 9)]


def test_with_bridging_one_missing_reading_joins_the_run_into_one_event_marked_gap_inside():
    events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=True, **series("HHHH.HHHH"))
    assert found(events, OVERLOAD) == [(FIRST, FIRST + 9, True)]
    assert found(events, HEAVY_LOAD) == [(FIRST, FIRST + 9, True)]
    assert len(events.broken) == 0
    overload = events.kind == OVERLOAD
    assert events.peak[overload].tolist() == [1.2]
    # Energy above the limit over the 8 readings only: 8 × (120 − 100) kVA × 0.25 h = 40 kVAh.
    assert np.allclose(events.energy_above_kvah[overload], [40.0])
    heavy = events.kind == HEAVY_LOAD
    assert np.allclose(events.energy_above_kvah[heavy], [8 * 40 * 0.25])


def test_the_missing_reading_does_not_count_towards_the_duration():
    # 3 + 4 = 7 readings over the limit: short of 8 whether bridged or not, so neither event nor mark.
    for bridge in (False, True):
        events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=bridge, **series("HHH.HHHH"))
        assert len(events) == 0 and len(events.broken) == 0


def test_two_missing_readings_in_a_row_never_bridge():
    for bridge in (False, True):
        events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=bridge, **series("HHHHH..HHHHH"))
        assert len(events) == 0 and len(events.broken) == 0


def test_a_reading_below_the_limit_breaks_the_run_and_is_no_gap():
    for bridge in (False, True):
        events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=bridge, **series("HHHHLHHHH"))
        assert len(events) == 0 and len(events.broken) == 0


def test_an_event_on_one_side_of_the_gap_stays_an_event_and_the_whole_run_is_marked():
    events = detect(rated_kva=np.array([100.0]), **series("HHHHHHHH.HH"))
    assert found(events, OVERLOAD) == [(FIRST, FIRST + 8, False)]
    assert broken(events, OVERLOAD) == [(FIRST, FIRST + 11)]
    bridged = detect(rated_kva=np.array([100.0]), bridge_single_gaps=True, **series("HHHHHHHH.HH"))
    assert found(bridged, OVERLOAD) == [(FIRST, FIRST + 11, True)]


def test_several_single_gaps_bridge_one_run():
    events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=True, **series("HHH.HHH.HHH"))
    assert found(events, OVERLOAD) == [(FIRST, FIRST + 11, True)]


def test_a_run_without_a_gap_is_not_marked_gap_inside():
    events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=True, **series("HHHHHHHHH"))
    assert found(events, OVERLOAD) == [(FIRST, FIRST + 9, False)]


def pieces(a: dict, boundary: int, bridge: bool):
    """Detect as the service does month by month: the first piece, then the second with the
    carry-over before it; an event lying wholly in the carry belongs to the first piece."""
    carry = loading.carry_steps(loading.Thresholds(), 15)
    first = detect(
        rated_kva=np.array([100.0]), bridge_single_gaps=bridge, **{k: v[:, :boundary] for k, v in a.items()}
    )
    since = boundary - carry
    second = detect(
        rated_kva=np.array([100.0]), bridge_single_gaps=bridge, **{k: v[:, since:] for k, v in a.items()}
    )
    events = {
        (str(kind), int(s) + since, int(e) + since, bool(g))
        for kind, s, e, g in zip(second.kind, second.start, second.end, second.gap_inside, strict=True)
        if e > carry
    }
    events |= {
        (str(kind), int(s), int(e), bool(g))
        for kind, s, e, g in zip(first.kind, first.start, first.end, first.gap_inside, strict=True)
        if e < boundary  # an event cut at the boundary is replaced by the one found across it
    }
    marks = {
        (str(kind), int(s) + since, int(e) + since)
        for kind, s, e in zip(second.broken.kind, second.broken.start, second.broken.end, strict=True)
        if e > carry
    }
    marks |= {
        (str(kind), int(s), int(e))
        for kind, s, e in zip(first.broken.kind, first.broken.start, first.broken.end, strict=True)
        if e < boundary
    }
    return events, marks


def test_a_gap_at_a_month_boundary_is_bridged_or_marked_as_over_the_whole_series():
    # Over the limit on 3 steps, the month's last reading missing, then 5 steps over the limit in
    # the next month: 3 + 5 = 8 readings, one run broken only by the missing reading.
    a = series("HHH.HHHHH")
    boundary = FIRST + 4  # the next month starts at the step after the gap
    for bridge in (False, True):
        events, marks = pieces(a, boundary, bridge)
        if bridge:
            assert (OVERLOAD, FIRST, FIRST + 9, True) in events and not marks
        else:
            assert not events and (OVERLOAD, FIRST, FIRST + 9) in marks


def test_a_long_gapped_run_before_the_boundary_is_found_whole_with_the_carry():
    # Single gaps lengthen a run: 7 readings and 6 gaps before the boundary (13 steps), 1 after.
    a = series("H.H.H.H.H.H.HH")
    boundary = FIRST + 13
    events, _marks = pieces(a, boundary, True)
    assert (OVERLOAD, FIRST, FIRST + 14, True) in events
    whole = detect(rated_kva=np.array([100.0]), bridge_single_gaps=True, **a)
    assert found(whole, OVERLOAD) == [(FIRST, FIRST + 14, True)]


def reference(values: list[float], limit: float, min_steps: int, bridge: bool):
    """The rule, step by step: runs of readings over ``limit``, joined across one missing reading
    between two readings over it; a joined run counts its readings only. Returns (events as
    (start, end, gap inside), marks as (start, end))."""
    over = [v == v and v > limit for v in values]
    joined = []  # (start, end, readings, gaps)
    k = 0
    while k < len(values):
        if not over[k]:
            k += 1
            continue
        start, readings, gaps = k, 0, 0
        while k < len(values):
            if over[k]:
                readings += 1
                k += 1
            elif values[k] != values[k] and 0 < k < len(values) - 1 and over[k - 1] and over[k + 1]:
                gaps += 1
                k += 1
            else:
                break
        joined.append((start, k, readings, gaps))
    plain = []
    for k, flag in enumerate(over):
        if flag and (k == 0 or not over[k - 1]):
            end = k
            while end < len(over) and over[end]:
                end += 1
            if end - k >= min_steps:
                plain.append((k, end, False))
    long_enough = [(s, e, g) for s, e, r, g in joined if r >= min_steps]
    if bridge:
        return [(s, e, g > 0) for s, e, g in long_enough], []
    return plain, [(s, e) for s, e, g in long_enough if g > 0]


@pytest.mark.parametrize("bridge", [False, True])
def test_random_series_with_missing_readings_give_the_events_and_marks_of_the_rule(bridge):
    rng = np.random.default_rng(7)
    m, steps = 40, 300
    s = rng.choice([120.0, 50.0, np.nan], size=(m, steps), p=[0.8, 0.08, 0.12])
    amps = np.where(np.isnan(s), np.nan, s * 1000 / 3 / 230)
    volts = np.where(np.isnan(s), np.nan, 225.0)
    events = detect(
        rated_kva=np.full(m, 100.0),
        s_kva=s,
        i_a=amps,
        i_b=amps.copy(),
        i_c=amps.copy(),
        v_min=volts,
        v_max=volts,
        bridge_single_gaps=bridge,
    )
    seen_gaps = 0
    for row in range(m):
        expected_events, expected_marks = reference(s[row].tolist(), 100.0, 8, bridge)
        hit = (events.kind == OVERLOAD) & (events.row == row)
        got = list(
            zip(
                events.start[hit].tolist(),
                events.end[hit].tolist(),
                events.gap_inside[hit].tolist(),
                strict=True,
            )
        )
        marked = (events.broken.kind == OVERLOAD) & (events.broken.row == row)
        got_marks = list(
            zip(events.broken.start[marked].tolist(), events.broken.end[marked].tolist(), strict=True)
        )
        assert got == expected_events and got_marks == expected_marks
        seen_gaps += sum(g for *_x, g in expected_events) + len(expected_marks)
    assert seen_gaps > 10  # the series do exercise the rule


def test_an_idle_step_with_no_current_is_not_a_missing_reading():
    a = series("HHHHHHHHH")
    a["i_a"][0, FIRST + 4] = a["i_b"][0, FIRST + 4] = a["i_c"][0, FIRST + 4] = 0.0
    a["i_a"][0, FIRST : FIRST + 9] *= 3  # unbalanced: 300 % / 100 % / 100 % shares
    events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=True, **a)
    assert (
        not (events.kind == loading.UNBALANCE).any() and not (events.broken.kind == loading.UNBALANCE).any()
    )
    a["i_a"][0, FIRST + 4], a["i_b"][0, FIRST + 4], a["i_c"][0, FIRST + 4] = np.nan, np.nan, np.nan
    events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=True, **a)
    assert events.gap_inside[events.kind == loading.UNBALANCE].tolist() == [True]  # a missing one bridges


def test_a_single_missing_voltage_reading_bridges_a_low_voltage_run_when_bridging_is_on():
    a = series("")
    a["v_min"][0, FIRST : FIRST + 3] = 190.0
    a["v_min"][0, FIRST + 1] = np.nan  # 2 readings below 198 V around one missing: 30 min ≥ 15 min
    events = detect(rated_kva=np.array([100.0]), bridge_single_gaps=True, **a)
    hit = events.kind == loading.LOW_VOLTAGE
    assert list(zip(events.start[hit].tolist(), events.end[hit].tolist(), strict=True)) == [
        (FIRST, FIRST + 3)
    ]
    assert events.gap_inside[hit].tolist() == [True] and events.peak[hit].tolist() == [190.0]
    off = detect(rated_kva=np.array([100.0]), **a)
    # Off: each side alone is one reading of 15 min, already an event (the rule is ≥ 15 min).
    assert (off.kind == loading.LOW_VOLTAGE).sum() == 2 and len(off.broken) == 1
