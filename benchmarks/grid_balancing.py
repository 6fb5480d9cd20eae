"""Phase balancing: heuristic speed on 200 households × 96 steps, and before/after figures on the
IEEE European LV feeder (55 households, 15-minute means of the 1-minute day) for 1-10 moves:
the local search alone, the engine the API uses (local search, exact neighbourhoods, MILP with a
time limit), and the MILP given ``--milp-seconds`` to prove or improve its answer.

    .venv/bin/python benchmarks/grid_balancing.py --milp-seconds 300
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
    print(f"heuristic, 200 households × 96 steps, 10 moves: median {1000 * np.median(times):.0f} ms, "
          f"max {1000 * max(times):.0f} ms (target < 200 ms); peak cut {100 * np.mean(gains):.1f} % on average")


def ieee(milp_seconds: float):
    folder = shared_data_dir() / "ieee-eulv"
    if not (folder / "Loads.txt").exists():
        print(f"IEEE feeder not found at {folder}: skipped")
        return
    _names, profiles, phases = read_ieee_eulv(folder)
    profiles = resample_mean(profiles, 15)
    loads = phase_loads(profiles, phases)
    print(f"IEEE EU LV feeder: {len(phases)} households, per-phase peaks (15 min) "
          f"{', '.join(f'{p:.2f}' for p in loads.max(axis=1))} kW")
    print("moves | before kW | heuristic kW | engine kW (solver) | MILP kW (optimal, bound) | engine gap | unbalance")
    for k in range(1, 11):
        heuristic = solve_local_search(profiles, phases, k)
        started = time.perf_counter()
        engine = balance_phases(profiles, phases, k)
        engine_s = time.perf_counter() - started
        exact = solve_milp(profiles, phases, k, time_limit_s=milp_seconds, warm_start=engine)
        bound = exact.lower_bound_kw or exact.peak_after_kw
        gap = 100 * (engine.peak_after_kw / exact.peak_after_kw - 1)
        print(f"{k:5d} | {engine.peak_before_kw:9.2f} | {heuristic.peak_after_kw:12.2f} | "
              f"{engine.peak_after_kw:6.2f} ({engine.solver}, {engine_s:.1f} s) | "
              f"{exact.peak_after_kw:6.2f} ({exact.optimal}, {bound:.2f}) | {gap:5.2f} % | "
              f"{100 * engine.unbalance_before:.0f} % → {100 * engine.unbalance_after:.0f} %")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--milp-seconds", type=float, default=60.0)
    args = parser.parse_args()
    heuristic_speed()
    ieee(args.milp_seconds)


if __name__ == "__main__":
    main()
