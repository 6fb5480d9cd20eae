"""The phase-balancing engine (pure numpy/scipy, no database). No test here depends on the
machine's speed: the engine is bounded by work, so its answers are the same on any machine."""

import itertools
import multiprocessing

import numpy as np
import pytest

from powerexpress.analytics.balancing import (
    _MoveModel,
    balance_phases,
    peak_and_unbalance,
    phase_loads,
    solve_local_search,
    solve_milp,
)
from powerexpress.testing.reference_data import read_ieee_eulv, resample_mean, shared_data_dir

IEEE = shared_data_dir() / "ieee-eulv"
# Optimal peaks (kW) on the IEEE feeder at 15-minute resolution, each proven by HiGHS through
# benchmarks/grid_balancing.py (solve_milp with a large node limit; 10 moves took about 2 minutes).
IEEE_MILP_PEAK_KW = {
    1: 19.044,
    2: 17.8388,
    3: 16.2468,
    4: 15.2816,
    5: 15.1004,
    6: 14.4317,
    7: 14.3465,
    8: 14.219,
    9: 14.0853,
    10: 13.9045,
}


def brute_force(profiles, phases, max_moves, fixed=()):
    """Every assignment within the move budget: the least peak, then the fewest moves."""
    best = None
    n = len(phases)
    for assignment in itertools.product(range(3), repeat=n):
        after = np.array(assignment)
        moves = int((after != phases).sum())
        if moves > max_moves or any(after[i] != phases[i] for i in fixed):
            continue
        key = (round(float(phase_loads(profiles, after).max()), 9), moves)
        if best is None or key < best:
            best = key
    return best


def random_case(seed, n=6, steps=8):
    rng = np.random.default_rng(seed)
    return rng.gamma(2.0, 0.6, (n, steps)).round(2), rng.integers(0, 3, n)


def test_phase_loads_sum_the_profiles_on_each_phase():
    profiles = np.array([[1.0, 2.0], [3.0, 0.0], [0.5, 0.5]])
    loads = phase_loads(profiles, np.array([0, 0, 2]))
    assert loads.tolist() == [[4.0, 2.0], [0.0, 0.0], [0.5, 0.5]]


def test_unbalance_is_taken_at_the_time_step_of_the_peak():
    loads = np.array([[4.0, 2.0], [1.0, 2.0], [2.0, 2.0]])
    assert peak_and_unbalance(loads) == (4.0, 0.75)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("max_moves", [0, 1, 2, 3])
def test_the_milp_matches_the_brute_force_optimum_on_tiny_cases(seed, max_moves):
    profiles, phases = random_case(seed)
    result = solve_milp(profiles, phases, max_moves)
    assert result.optimal
    assert (round(result.peak_after_kw, 9), len(result.moves)) == brute_force(profiles, phases, max_moves)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_moves", [1, 2, 3])
def test_the_steps_left_out_of_the_milp_never_exceed_the_optimal_peak(seed, max_moves):
    profiles, phases = random_case(seed, steps=24)
    profiles[:, :12] *= 0.3
    model = _MoveModel(profiles, phases, np.zeros(len(phases), dtype=bool), max_moves)
    left_out = np.setdiff1d(np.arange(24), model.binding_steps())
    optimum, _moves = brute_force(profiles, phases, max_moves)
    assert left_out.size > 0
    for assignment in itertools.product(range(3), repeat=len(phases)):
        after = np.array(assignment)
        if (after != phases).sum() <= max_moves:
            assert phase_loads(profiles, after)[:, left_out].max(initial=0.0) <= optimum + 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_the_engine_respects_fixed_households_and_the_move_budget(seed):
    profiles, phases = random_case(seed, n=7)
    fixed = np.zeros(7, dtype=bool)
    fixed[[0, 3]] = True
    result = balance_phases(profiles, phases, 2, fixed)
    assert len(result.moves) <= 2
    assert all(i not in (0, 3) for i, _a, _b in result.moves)
    assert (round(result.peak_after_kw, 9), len(result.moves)) == brute_force(
        profiles, phases, 2, fixed=(0, 3)
    )


def test_the_heuristic_never_worsens_the_peak_and_stays_within_the_budget():
    for seed in range(10):
        profiles, phases = random_case(seed, n=9, steps=12)
        result = solve_local_search(profiles, phases, 3)
        assert result.peak_after_kw <= result.peak_before_kw + 1e-9
        assert len(result.moves) <= 3
        assert result.optimal is False and result.solver == "local-search"


def test_the_heuristic_finds_the_optimum_of_small_cases_with_its_default_work_bound():
    for seed in range(12):
        profiles, phases = random_case(100 + seed, n=7, steps=10)
        result = solve_local_search(profiles, phases, 2)
        assert round(result.peak_after_kw, 9) == brute_force(profiles, phases, 2)[0]


def test_the_heuristic_gives_the_same_plan_every_time():
    rng = np.random.default_rng(11)
    profiles, phases = rng.gamma(2.0, 0.5, (120, 48)), rng.integers(0, 3, 120)
    first, second = (solve_local_search(profiles, phases, 6) for _ in range(2))
    assert first.moves == second.moves and first.peak_after_kw == second.peak_after_kw
    assert not first.stopped_early


def test_the_heuristic_uses_no_more_moves_than_the_peak_needs():
    profiles = np.array([[5.0], [5.0], [1.0], [1.0]])
    result = solve_local_search(profiles, np.array([0, 0, 0, 0]), 3)
    assert result.peak_after_kw == 5.0
    assert len(result.moves) == 2


def test_a_large_case_goes_to_the_heuristic():
    """Its speed (under 200 ms for 200 households × 96 steps) is shown by
    benchmarks/grid_balancing.py, not asserted here."""
    rng = np.random.default_rng(7)
    profiles, phases = rng.gamma(2.0, 0.5, (200, 96)), rng.integers(0, 3, 200)
    result = balance_phases(profiles, phases, 10)
    assert result.solver == "local-search" and not result.optimal and not result.stopped_early
    assert result.peak_after_kw < 0.95 * result.peak_before_kw


def test_a_search_cut_short_by_the_callers_safety_stop_says_so():
    profiles, phases = random_case(3, n=9, steps=12)
    result = balance_phases(profiles, phases, 3, should_stop=lambda: True)
    assert result.stopped_early
    assert result.peak_after_kw <= result.peak_before_kw + 1e-9
    assert not balance_phases(profiles, phases, 3).stopped_early


def test_a_safety_stop_that_never_fires_changes_nothing_but_is_asked():
    profiles, phases = random_case(4, n=9, steps=12)
    asked = []
    watched = balance_phases(profiles, phases, 3, should_stop=lambda: asked.append(1) is not None)
    plain = balance_phases(profiles, phases, 3)
    assert asked and not watched.stopped_early
    assert watched.moves == plain.moves and watched.peak_after_kw == plain.peak_after_kw


def test_a_case_with_nothing_to_move_is_returned_unchanged():
    profiles = np.array([[1.0, 2.0], [2.0, 1.0]])
    result = balance_phases(profiles, np.array([0, 1]), 0)
    assert result.moves == [] and result.peak_after_kw == result.peak_before_kw


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        balance_phases(np.ones((2, 3)), np.array([0, 5]), 1)
    with pytest.raises(ValueError):
        balance_phases(np.ones((2, 3)), np.array([0, 1]), -1)


@pytest.fixture(scope="module")
def ieee():
    if not (IEEE / "Loads.txt").exists():
        pytest.skip(f"IEEE European LV feeder not found at {IEEE} (shared reference data absent)")
    _names, profiles, phases = read_ieee_eulv(IEEE)
    return profiles, phases


def test_the_ieee_feeder_reads_as_documented(ieee):
    profiles, phases = ieee
    assert profiles.shape == (55, 1440)
    assert np.bincount(phases).tolist() == [21, 19, 15]
    assert np.round(phase_loads(profiles, phases).max(axis=1), 1).tolist() == [23.4, 35.8, 20.0]
    assert round(float(profiles.sum(axis=1).mean() / 60), 2) == 8.80


@pytest.mark.parametrize("max_moves", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
def test_on_the_ieee_feeder_the_engine_stays_within_one_percent_of_the_optimum(ieee, max_moves):
    profiles, phases = ieee
    result = balance_phases(resample_mean(profiles, 15), phases, max_moves)
    assert result.peak_after_kw <= IEEE_MILP_PEAK_KW[max_moves] * 1.01
    assert result.peak_after_kw < 0.85 * result.peak_before_kw
    assert len(result.moves) <= max_moves and not result.stopped_early


def test_on_the_ieee_feeder_three_moves_cut_the_phase_spread_at_the_peak_by_more_than_half(ieee):
    profiles, phases = ieee
    result = balance_phases(resample_mean(profiles, 15), phases, 3)
    spread_before = result.unbalance_before * result.peak_before_kw
    spread_after = result.unbalance_after * result.peak_after_kw
    assert spread_after <= 0.5 * spread_before


def _spin(stop):
    while not stop.is_set():
        sum(range(10_000))


def test_the_same_request_gives_the_same_plan_while_two_processes_keep_the_cpus_busy(ieee):
    profiles, phases = ieee
    profiles = resample_mean(profiles, 15)
    rng = np.random.default_rng(5)
    large, large_phases = rng.gamma(2.0, 0.5, (200, 96)), rng.integers(0, 3, 200)
    idle = (balance_phases(profiles, phases, 4), balance_phases(large, large_phases, 10))
    stop = multiprocessing.Event()
    spinners = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True) for _ in range(2)]
    for spinner in spinners:
        spinner.start()
    try:
        loaded = (balance_phases(profiles, phases, 4), balance_phases(large, large_phases, 10))
    finally:
        stop.set()
        for spinner in spinners:
            spinner.join()
    for before, after in zip(idle, loaded, strict=True):
        assert after.moves == before.moves
        assert after.peak_after_kw == before.peak_after_kw
        assert not before.stopped_early and not after.stopped_early
