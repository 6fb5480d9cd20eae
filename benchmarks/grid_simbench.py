"""Grid analytics on SimBench LV grids (a full year of 15-minute profiles, 2016; dev extra ``simbench``).

For each grid: households, their phase split (seeded 50/30/20, see ``powerexpress/testing/simbench_grids.py``),
the transformer rating, the year-peak load rate and the detection over the whole year (events by kind),
as SimBench gives it and with every load scaled so that the year peak reaches ``--surge-peak-rate`` (a
festival-like surge). Then phase balancing on the grid's peak day (96 steps) for 1, 2, 3, 5, 8 and 10
moves: the peak phase load and the unbalance at the peak before/after, the solver and the time, how
the plan does on the rest of the year (held-out days) and on the year's unbalance events, and with
``--milp-nodes`` the MILP's answer (bounded by that many branch-and-bound nodes) and lower bound for comparison.

    .venv/bin/python benchmarks/grid_simbench.py
    .venv/bin/python benchmarks/grid_simbench.py --grids 1-LV-rural2--0-sw --moves 1 3
"""

import argparse
import dataclasses
import time

import numpy as np

from powerexpress.analytics.balancing import balance_phases, solve_milp
from powerexpress.analytics.loading import EVENT_KINDS, UNBALANCE, detect, unbalance
from powerexpress.testing.simbench_grids import (
    LV_GRIDS,
    balancing_case,
    day_steps,
    load_grid,
    load_rate,
    peak_date,
    phase_kw,
    transformer_arrays,
    unavailable_reason,
)


def event_counts(events) -> str:
    counts = {kind: int((events.kind == kind).sum()) for kind in EVENT_KINDS}
    return ", ".join(f"{kind} {count}" for kind, count in counts.items())


def surged(grid, peak_rate: float):
    """The grid with every load scaled so that its year-peak load rate is ``peak_rate``."""
    scale = peak_rate / load_rate(transformer_arrays(grid)["s_kva"], [grid.rated_kva]).max()
    return dataclasses.replace(grid, household_kw=grid.household_kw * scale, other_kw=grid.other_kw * scale)


def year(grid, surge_peak_rate: float):
    arrays = transformer_arrays(grid)
    rate = load_rate(arrays["s_kva"], arrays["rated_kva"])[0]
    spread = unbalance(arrays["i_a"], arrays["i_b"], arrays["i_c"])[0]
    step = int(np.argmax(rate))
    minute = 15 * int(np.searchsorted(day_steps(grid, grid.step_date[step]), step))
    a, b, c = grid.phase_counts
    print(
        f"{grid.code}: {len(grid.names)} households (A/B/C {a}/{b}/{c}), "
        f"other (three-phase) loads {grid.other_kw.max():.1f} kW at their peak, "
        f"{grid.rated_kva:.0f} kVA; year peak load rate {100 * rate.max():.1f} % on {grid.step_date[step]} "
        f"{minute // 60:02d}:{minute % 60:02d}, unbalance there {100 * spread[step]:.0f} %"
    )
    started = time.process_time()
    events = detect(**arrays)
    print(
        f"  detection, {rate.size} steps ({1000 * (time.process_time() - started):.1f} ms CPU): "
        f"{event_counts(events)}; unbalance {int((events.end - events.start)[events.kind == UNBALANCE].sum()) / 4:.0f} h"
    )
    print(
        f"  surge to {100 * surge_peak_rate:.0f} % at the year peak: "
        f"{event_counts(detect(**transformer_arrays(surged(grid, surge_peak_rate))))}"
    )


def balancing(grid, moves: list[int], milp_nodes: int):
    date = peak_date(grid)
    steps = day_steps(grid, date)
    profiles, phases, fixed = balancing_case(grid, steps)
    rest = np.ones(grid.step_date.size, dtype=bool)
    rest[steps] = False
    rest_before = phase_kw(grid)[:, rest].max()
    unbalance_events_before = int((detect(**transformer_arrays(grid)).kind == UNBALANCE).sum())
    print(f"  phase balancing on the peak day {date} ({steps.size} steps; other loads as fixed thirds):")
    print(
        "  moves | used | peak phase kW before → after | unbalance at peak | solver, time | "
        "rest of year peak phase kW | unbalance events/yr"
        + (" | MILP kW (proven, bound)" if milp_nodes else "")
    )
    for k in moves:
        started = time.perf_counter()
        result = balance_phases(profiles, phases, k, fixed)
        seconds = time.perf_counter() - started
        after = result.phases_after[: len(grid.names)]
        rest_after = phase_kw(grid, after)[:, rest].max()
        events_after = int((detect(**transformer_arrays(grid, after)).kind == UNBALANCE).sum())
        exact = ""
        if milp_nodes:
            milp = solve_milp(profiles, phases, k, fixed, node_limit=milp_nodes, warm_start=result)
            exact = f" | {milp.peak_after_kw:6.2f} ({milp.optimal}, {milp.lower_bound_kw or milp.peak_after_kw:.2f})"
        print(
            f"  {k:5d} | {len(result.moves):4d} | {result.peak_before_kw:6.2f} → {result.peak_after_kw:6.2f} "
            f"({100 * (result.peak_after_kw / result.peak_before_kw - 1):+.1f} %) | "
            f"{100 * result.unbalance_before:3.0f} % → {100 * result.unbalance_after:3.0f} % | "
            f"{result.solver}{' (proven)' if result.optimal else ''}, {seconds:.1f} s | {rest_before:6.2f} → {rest_after:6.2f} | "
            f"{unbalance_events_before} → {events_after}{exact}"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", nargs="+", default=list(LV_GRIDS))
    parser.add_argument("--moves", nargs="+", type=int, default=[1, 2, 3, 5, 8, 10])
    parser.add_argument("--surge-peak-rate", type=float, default=1.3)
    parser.add_argument(
        "--milp-nodes", type=int, default=0, help="also run the MILP with this node limit per case"
    )
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        print(f"SimBench grids not available: {reason}: skipped")
        return
    for code in args.grids:
        grid = load_grid(code)
        year(grid, args.surge_peak_rate)
        balancing(grid, args.moves, args.milp_nodes)


if __name__ == "__main__":
    main()
