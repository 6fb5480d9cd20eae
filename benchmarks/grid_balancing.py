"""Phase balancing: heuristic speed on 200 households × 96 steps, and before/after figures on the
IEEE European LV feeder (55 households, 15-minute means of the 1-minute day) for 1-10 moves: the
local search alone and the engine the API uses (local search, then the MILP bounded by nodes),
against the MILP given ``--reference-nodes`` to prove the optimum. With ``--busy N`` the same runs
are repeated while N processes keep the CPUs busy, and the plans are compared: the engine is
bounded by work, so they must be identical (only the times change).

    .venv/bin/python benchmarks/grid_balancing.py                      # about 10 minutes
    .venv/bin/python benchmarks/grid_balancing.py --moves 8 9 10 --busy 2
"""

import argparse
import multiprocessing
import time

import numpy as np

from powerexpress.analytics.balancing import balance_phases, phase_loads, solve_local_search, solve_milp
from powerexpress.testing.reference_data import read_ieee_eulv, resample_mean, shared_data_dir


def _spin(stop):
    while not stop.is_set():
        sum(range(10_000))


class Busy:
    """``count`` processes spinning on the CPUs while the block runs."""

    def __init__(self, count: int):
        self.count = count

    def __enter__(self):
        self.stop = multiprocessing.Event()
        self.spinners = [multiprocessing.Process(target=_spin, args=(self.stop,)) for _ in range(self.count)]
        for spinner in self.spinners:
            spinner.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for spinner in self.spinners:
            spinner.join()


def heuristic_speed(label: str):
    times, cpu, gains, plans = [], [], [], []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        profiles, phases = rng.gamma(2.0, 0.5, (200, 96)), rng.integers(0, 3, 200)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = balance_phases(profiles, phases, 10)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        gains.append(1 - result.peak_after_kw / result.peak_before_kw)
        plans.append((tuple(result.moves), result.peak_after_kw))
    print(
        f"[{label}] heuristic, 200 households × 96 steps, 10 moves: median {1000 * np.median(times):.0f} ms, "
        f"max {1000 * max(times):.0f} ms (target < 200 ms); CPU time median {1000 * np.median(cpu):.0f} ms, "
        f"max {1000 * max(cpu):.0f} ms; peak cut {100 * np.mean(gains):.1f} % on average",
        flush=True,
    )
    return plans


def ieee(label: str, reference_nodes: int, moves: list[int], reference: dict):
    folder = shared_data_dir() / "ieee-eulv"
    if not (folder / "Loads.txt").exists():
        print(f"IEEE feeder not found at {folder}: skipped")
        return []
    _names, profiles, phases = read_ieee_eulv(folder)
    profiles = resample_mean(profiles, 15)
    loads = phase_loads(profiles, phases)
    print(
        f"[{label}] IEEE EU LV feeder: {len(phases)} households, per-phase peaks (15 min) "
        f"{', '.join(f'{p:.2f}' for p in loads.max(axis=1))} kW; reference = solve_milp with "
        f"{reference_nodes} nodes"
    )
    print(
        "moves | before kW | local search alone kW | engine kW (solver, time) | reference kW (proven) | gap"
    )
    plans = []
    for k in moves:
        heuristic = solve_local_search(profiles, phases, k)
        started = time.perf_counter()
        engine = balance_phases(profiles, phases, k)
        took = time.perf_counter() - started
        if k not in reference:
            reference[k] = solve_milp(profiles, phases, k, node_limit=reference_nodes, warm_start=engine)
        exact = reference[k]
        gap = 100 * (engine.peak_after_kw / exact.peak_after_kw - 1)
        print(
            f"{k:5d} | {engine.peak_before_kw:9.2f} | {heuristic.peak_after_kw:21.3f} | "
            f"{engine.peak_after_kw:7.3f} ({engine.solver}, {took:.1f} s) | "
            f"{exact.peak_after_kw:7.3f} ({'yes' if exact.optimal else 'no'}) | {gap:5.2f} %",
            flush=True,
        )
        plans.append((tuple(engine.moves), engine.peak_after_kw))
    return plans


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference-nodes", type=int, default=200_000)
    parser.add_argument("--moves", type=int, nargs="*", default=list(range(1, 11)))
    parser.add_argument("--busy", type=int, default=0, help="repeat with N busy processes and compare")
    args = parser.parse_args()
    reference: dict = {}
    idle = heuristic_speed("as is") + ieee("as is", args.reference_nodes, args.moves, reference)
    if args.busy:
        with Busy(args.busy):
            loaded = heuristic_speed(f"{args.busy} busy") + ieee(
                f"{args.busy} busy", args.reference_nodes, args.moves, reference
            )
        same = sum(a == b for a, b in zip(idle, loaded, strict=True))
        print(f"same plan (moves and peak) as is and under load: {same} of {len(idle)}")


if __name__ == "__main__":
    main()
