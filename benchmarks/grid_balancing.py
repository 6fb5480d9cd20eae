"""Phase balancing: heuristic speed on 200 households × 96 steps, and before/after figures on the
IEEE European LV feeder (55 households, 15-minute means of the 1-minute day) for 1-10 moves:
the local search alone, the engine the API uses (a short local search, then the MILP, 10 s in
all), run ``--repeats`` times, against the MILP given ``--milp-seconds`` to prove the optimum.

    .venv/bin/python benchmarks/grid_balancing.py                      # about 20 minutes
    .venv/bin/python benchmarks/grid_balancing.py --moves 8 9 10 --repeats 5
"""

import argparse
import time

import numpy as np

from powerexpress.analytics.balancing import balance_phases, phase_loads, solve_local_search, solve_milp
from powerexpress.grid.reference import read_ieee_eulv, resample_mean, shared_data_dir


def heuristic_speed():
    times, gains = [], []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        profiles, phases = rng.gamma(2.0, 0.5, (200, 96)), rng.integers(0, 3, 200)
        started = time.perf_counter()
        result = balance_phases(profiles, phases, 10)
        times.append(time.perf_counter() - started)
        gains.append(1 - result.peak_after_kw / result.peak_before_kw)
    print(
        f"heuristic, 200 households × 96 steps, 10 moves: median {1000 * np.median(times):.0f} ms, "
        f"max {1000 * max(times):.0f} ms (target < 200 ms); peak cut {100 * np.mean(gains):.1f} % on average"
    )


def ieee(milp_seconds: float, repeats: int, moves: list[int]):
    folder = shared_data_dir() / "ieee-eulv"
    if not (folder / "Loads.txt").exists():
        print(f"IEEE feeder not found at {folder}: skipped")
        return
    _names, profiles, phases = read_ieee_eulv(folder)
    profiles = resample_mean(profiles, 15)
    loads = phase_loads(profiles, phases)
    print(
        f"IEEE EU LV feeder: {len(phases)} households, per-phase peaks (15 min) "
        f"{', '.join(f'{p:.2f}' for p in loads.max(axis=1))} kW"
    )
    print(
        f"engine = balance_phases with the API's budget, run {repeats} times; "
        f"reference = solve_milp given {milp_seconds:.0f} s"
    )
    print(
        "moves | before kW | local search alone kW | engine kW, worst of runs (solvers, slowest) | "
        "reference kW (proven) | engine gap, worst | unbalance at peak"
    )
    for k in moves:
        heuristic = solve_local_search(profiles, phases, k)
        runs, times = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            runs.append(balance_phases(profiles, phases, k))
            times.append(time.perf_counter() - started)
        worst = max(runs, key=lambda result: result.peak_after_kw)
        exact = solve_milp(profiles, phases, k, time_limit_s=milp_seconds, warm_start=worst)
        gap = 100 * (worst.peak_after_kw / exact.peak_after_kw - 1)
        solvers = "/".join(sorted({result.solver for result in runs}))
        print(
            f"{k:5d} | {worst.peak_before_kw:9.2f} | {heuristic.peak_after_kw:21.3f} | "
            f"{worst.peak_after_kw:7.3f} ({solvers}, {max(times):.1f} s) | "
            f"{exact.peak_after_kw:7.3f} ({'yes' if exact.optimal else 'no'}) | {gap:5.2f} % | "
            f"{100 * worst.unbalance_before:.0f} % → {100 * worst.unbalance_after:.0f} %",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--milp-seconds", type=float, default=180.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--moves", type=int, nargs="*", default=list(range(1, 11)))
    args = parser.parse_args()
    heuristic_speed()
    ieee(args.milp_seconds, args.repeats, args.moves)


if __name__ == "__main__":
    main()
