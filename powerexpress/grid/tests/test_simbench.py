"""The grid analytics on a SimBench LV grid: a full year of 15-minute household profiles (pure, no database).

Needs the dev extra ``simbench`` (its grid data ships inside the package); skips with the reason without it.
"""

import dataclasses
import itertools

import numpy as np
import pytest

from powerexpress.analytics.balancing import balance_phases, phase_loads, solve_local_search
from powerexpress.analytics.loading import (
    HEAVY_LOAD,
    OVERLOAD,
    UNBALANCE,
    Thresholds,
    detect,
    unbalance,
)
from powerexpress.testing import simbench_grids
from powerexpress.testing.simbench_grids import (
    POWER_FACTOR,
    balancing_case,
    day_steps,
    load_rate,
    peak_date,
    phase_kw,
    split_phases,
    transformer_arrays,
)

GRID = "1-LV-rural2--0-sw"
UNAVAILABLE = simbench_grids.unavailable_reason()


def long_runs(mask, min_steps):
    """(start, end) of the runs of True lasting at least ``min_steps``, by plain iteration."""
    found, position = [], 0
    for value, group in itertools.groupby(mask.tolist()):
        length = len(list(group))
        if value and length >= min_steps:
            found.append((position, position + length))
        position += length
    return found


def test_the_phase_split_is_seeded_and_uneven():
    phases = split_phases(92)
    assert np.array_equal(phases, split_phases(92))
    assert np.bincount(phases).tolist() == [46, 28, 18]
    other_seed = split_phases(92, seed=7)
    assert np.bincount(other_seed).tolist() == [46, 28, 18] and not np.array_equal(phases, other_seed)


@pytest.mark.parametrize("n", range(0, 30))
def test_the_phase_counts_add_up_and_follow_the_shares(n):
    counts = np.bincount(split_phases(n), minlength=3)
    assert counts.sum() == n
    assert np.all(np.abs(counts - np.array([0.5, 0.3, 0.2]) * n) < 1)


@pytest.fixture(scope="module")
def grid():
    if UNAVAILABLE is not None:
        pytest.skip(f"SimBench grids not available: {UNAVAILABLE}")
    return simbench_grids.load_grid(GRID)


def test_a_year_is_35136_quarter_hours_of_the_leap_year_2016(grid):
    assert grid.household_kw.shape == (92, 366 * 96) == (92, 35_136)
    assert grid.other_kw.shape == (35_136,)
    assert str(grid.step_date[0]) == "2016-01-01" and str(grid.step_date[-1]) == "2016-12-31"
    steps_per_day = np.unique(grid.step_date, return_counts=True)[1]
    assert sorted(set(steps_per_day.tolist())) == [92, 96, 100]
    assert day_steps(grid, "2016-03-27").size == 92 and day_steps(grid, "2016-10-30").size == 100


def test_households_are_the_residential_loads_with_non_negative_profiles(grid):
    assert len(grid.names) == 92 and grid.rated_kva == 250.0
    assert grid.household_kw.min() >= 0.0 and grid.other_kw.min() >= 0.0
    assert 1.0 <= grid.household_kw.max(axis=1).min() and grid.household_kw.max() <= 10.0
    assert np.array_equal(grid.phases, split_phases(92)) and grid.phase_counts == (46, 28, 18)


def test_the_transformer_arrays_follow_from_the_phase_loads(grid):
    arrays = transformer_arrays(grid)
    s_phase_kva = np.vstack([arrays[key][0] for key in ("i_a", "i_b", "i_c")]) * 230.0 / 1000.0
    households_kw = phase_loads(grid.household_kw, grid.phases)
    assert np.allclose(s_phase_kva * POWER_FACTOR, households_kw + grid.other_kw / 3.0)
    assert np.allclose(arrays["s_kva"][0], s_phase_kva.sum(axis=0))
    assert np.isclose(arrays["s_kva"].sum() * POWER_FACTOR, grid.household_kw.sum() + grid.other_kw.sum())
    assert arrays["rated_kva"].tolist() == [250.0] and np.all(arrays["v_min"] == 230.0)


def test_the_unbalance_events_of_the_year_are_the_long_runs_found_by_plain_numpy(grid):
    arrays = transformer_arrays(grid)
    events = detect(**arrays)
    rate = load_rate(arrays["s_kva"], arrays["rated_kva"])[0]
    spread = unbalance(arrays["i_a"], arrays["i_b"], arrays["i_c"])[0]
    expected = long_runs((spread > 0.15) & (rate > 0.20), 8)
    mine = events.kind == UNBALANCE
    assert len(expected) > 20
    assert list(zip(events.start[mine].tolist(), events.end[mine].tolist(), strict=True)) == expected
    assert np.allclose(events.peak[mine], [spread[a:b].max() for a, b in expected])
    assert rate.max() < 0.8 and not np.isin(events.kind, [HEAVY_LOAD, OVERLOAD]).any()


def test_with_a_festival_surge_the_load_events_are_the_long_runs_and_peak_at_the_year_peak(grid):
    year_peak_rate = load_rate(transformer_arrays(grid)["s_kva"], [grid.rated_kva]).max()
    scale = 1.1 / year_peak_rate
    surged = dataclasses.replace(grid, household_kw=grid.household_kw * scale, other_kw=grid.other_kw * scale)
    arrays = transformer_arrays(surged)
    rate = load_rate(arrays["s_kva"], arrays["rated_kva"])[0]
    assert rate.max() == pytest.approx(1.1)
    events = detect(**arrays)
    for kind, mask in ((HEAVY_LOAD, rate >= 0.8), (OVERLOAD, rate > 1.0)):
        mine = events.kind == kind
        assert list(zip(events.start[mine].tolist(), events.end[mine].tolist(), strict=True)) == long_runs(
            mask, 8
        )
    heavy_runs = long_runs(rate >= 0.8, 8)
    heavy = events.kind == HEAVY_LOAD
    assert len(heavy_runs) >= 1
    assert np.allclose(events.peak[heavy], [rate[a:b].max() for a, b in heavy_runs])
    limit_kva = 0.8 * grid.rated_kva
    assert np.allclose(
        events.energy_above_kvah[heavy],
        [(arrays["s_kva"][0, a:b] - limit_kva).sum() * 0.25 for a, b in heavy_runs],
    )
    every_step = detect(**arrays, thresholds=Thresholds(load_min_duration_min=15))
    for kind in (HEAVY_LOAD, OVERLOAD):
        assert every_step.peak[every_step.kind == kind].max() == pytest.approx(rate.max())


@pytest.fixture(scope="module")
def peak_day(grid):
    steps = day_steps(grid, peak_date(grid))
    return (steps, *balancing_case(grid, steps))


def test_the_peak_day_is_the_winter_day_of_the_highest_phase_load(grid, peak_day):
    steps, profiles, phases, fixed = peak_day
    assert peak_date(grid).astype(object).month in (1, 2, 11, 12)
    assert profiles.shape == (95, 96) and fixed.tolist() == [False] * 92 + [True] * 3
    assert np.allclose(phase_loads(profiles, phases), phase_kw(grid)[:, steps])
    assert phase_loads(profiles, phases).max() == pytest.approx(phase_kw(grid).max())


@pytest.mark.parametrize("max_moves", [0, 1, 2, 3, 5, 8, 10])
def test_balancing_the_peak_day_never_raises_the_peak_and_respects_the_budget(peak_day, max_moves):
    _steps, profiles, phases, fixed = peak_day
    result = balance_phases(profiles, phases, max_moves, fixed)
    assert result.solver == "local-search"
    assert result.peak_after_kw <= result.peak_before_kw + 1e-9
    assert len(result.moves) <= max_moves
    assert all(i < 92 and a == phases[i] and b != a for i, a, b in result.moves)
    assert result.peak_after_kw == pytest.approx(phase_loads(profiles, result.phases_after).max())


@pytest.mark.parametrize("max_moves", [3, 5])
def test_a_few_moves_cut_the_peak_and_the_unbalance_and_hold_on_the_rest_of_the_year(
    grid, peak_day, max_moves
):
    steps, profiles, phases, fixed = peak_day
    result = balance_phases(profiles, phases, max_moves, fixed)
    assert result.peak_after_kw < 0.9 * result.peak_before_kw
    assert result.unbalance_after < result.unbalance_before
    before, after = phase_loads(profiles, phases), phase_loads(profiles, result.phases_after)
    assert np.average(unbalance(*after), weights=after.sum(axis=0)) < np.average(
        unbalance(*before), weights=before.sum(axis=0)
    )
    plan = result.phases_after[:92]
    rest = np.setdiff1d(np.arange(grid.step_date.size), steps)
    assert phase_kw(grid, plan)[:, rest].max() < 0.95 * phase_kw(grid)[:, rest].max()
    events_before, events_after = detect(**transformer_arrays(grid)), detect(**transformer_arrays(grid, plan))
    assert (events_after.kind == UNBALANCE).sum() < (events_before.kind == UNBALANCE).sum()


def test_fixed_households_stay_on_their_phase(peak_day):
    _steps, profiles, phases, fixed = peak_day
    free = solve_local_search(profiles, phases, 3, fixed)
    also_fixed = fixed.copy()
    also_fixed[[i for i, _a, _b in free.moves]] = True
    result = solve_local_search(profiles, phases, 3, also_fixed)
    assert free.moves and not any(also_fixed[i] for i, _a, _b in result.moves)
    assert result.peak_after_kw <= result.peak_before_kw + 1e-9
