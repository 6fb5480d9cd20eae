"""Detection over many transformers × one year of 15-minute data, next to a bare numpy pass.

Streams partitions of ``--per-partition`` transformers (so peak memory stays bounded), and for
each partition times (1) the baseline: daily maxima of the same six arrays with plain numpy, and
(2) the full detection kernel (heavy load, overload, unbalance, practice rule, low voltage,
over-voltage, the three emergency-overload limits, with durations, peaks and energy above the
limit) run as the service runs it: month by month, each month carrying the longest duration
rule's steps from the month before and dropping the events that lie wholly in that carry
(``--whole`` runs the year in one piece instead). The two alternate which goes first, so that neither
always finds the freshly generated arrays in the cache. Times are CPU time of this process, so
other load on the machine skews the ratio less. Prints both totals and their ratio (the figure the
target is about), the spread of the per-partition ratios, and the best-of ratio (fastest
detection partition over fastest baseline partition), the least sensitive to bursts of other load.

    .venv/bin/python benchmarks/grid_detection.py                 # 10,000 transformers
    .venv/bin/python benchmarks/grid_detection.py --transformers 1000
    .venv/bin/python benchmarks/grid_detection.py --transformers 1000 --missing 0.01 --bridge

``--missing`` blanks that share of the steps (every quantity of a transformer at once, as a lost
reading does), so that the missing-data path (runs joined across single missing readings, or
marked "gap inside") is measured too; ``--bridge`` bridges them.
"""

import argparse
import resource
import time

import numpy as np

from powerexpress.analytics import loading
from powerexpress.testing.baselines import daily_max

STEPS_PER_DAY = 96


def partition(rng, m, days):
    steps = days * STEPS_PER_DAY
    hours = (np.arange(steps) % STEPS_PER_DAY) / 4.0
    shape = 0.3 + 0.7 * np.exp(-((hours - 20) ** 2) / 6)
    level = rng.uniform(0.2, 0.9, (m, 1))
    s = level * 100 * shape[None, :] * rng.lognormal(0, 0.06, (m, steps))
    share = rng.dirichlet((8, 6, 5), m)[:, :, None]
    amps = s[:, None, :] * share * 1000 / 230 * rng.lognormal(0, 0.03, (m, 3, steps))
    v_min = 232 - 30 * s / 100 + rng.normal(0, 1, (m, steps))
    v_max = v_min + np.abs(rng.normal(2, 1, (m, steps)))
    return s, *(np.ascontiguousarray(amps[:, k]) for k in range(3)), v_min, v_max


def bare_pass(arrays) -> int:
    for values in arrays:
        daily_max(values, STEPS_PER_DAY)
    return 0


BRIDGE = {"bridge_single_gaps": False}


def with_missing(rng, arrays, share: float) -> tuple:
    """The arrays with ``share`` of the steps missing (NaN in every quantity at once)."""
    if share <= 0:
        return arrays
    lost = rng.random(arrays[0].shape) < share
    for values in arrays:
        values[lost] = np.nan
    return arrays


def detection_pass(arrays, rated) -> int:
    s, i_a, i_b, i_c, v_min, v_max = arrays
    return len(
        loading.detect(
            s_kva=s, rated_kva=rated, i_a=i_a, i_b=i_b, i_c=i_c, v_min=v_min, v_max=v_max, **BRIDGE
        )
    )


MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_windows(arrays) -> list[tuple[int, tuple]]:
    """The year cut as ``partition_detect`` reads it: one window per month, starting the longest
    duration rule's steps before the month (the carry-over), each a fresh contiguous array as
    read from its Parquet partitions (so made outside the timed detection, like the read)."""
    carry = loading.carry_steps(loading.Thresholds(), 15)
    steps = arrays[0].shape[1]
    windows, first = [], 0
    for days in MONTH_DAYS * (1 + steps // (365 * STEPS_PER_DAY)):
        if first >= steps:
            break
        since, until = max(first - carry, 0), min(first + days * STEPS_PER_DAY, steps)
        windows.append(
            (first - since, tuple(np.ascontiguousarray(values[:, since:until]) for values in arrays))
        )
        first = until
    return windows


def detection_by_month(windows, rated) -> int:
    """Detection over each month window; events lying wholly in the carry are the month before's."""
    found = 0
    for carry, (s, i_a, i_b, i_c, v_min, v_max) in windows:
        events = loading.detect(
            s_kva=s, rated_kva=rated, i_a=i_a, i_b=i_b, i_c=i_c, v_min=v_min, v_max=v_max, **BRIDGE
        )
        found += int((events.end > carry).sum())
    return found


def cpu_seconds(run, *args) -> tuple[float, int]:
    started = time.process_time()
    result = run(*args)
    return time.process_time() - started, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--transformers", type=int, default=10_000)
    parser.add_argument("--per-partition", type=int, default=250)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--whole", action="store_true", help="detect the whole year in one piece")
    parser.add_argument("--missing", type=float, default=0.0, help="share of steps with no reading")
    parser.add_argument("--bridge", action="store_true", help="bridge single missing readings")
    args = parser.parse_args()
    BRIDGE["bridge_single_gaps"] = args.bridge
    detect_run = detection_pass if args.whole else detection_by_month
    rng = np.random.default_rng(1)
    rated = np.full(args.per_partition, 100.0)
    baseline, detection = [], []
    events = 0
    done = 0
    while done < args.transformers:
        m = min(args.per_partition, args.transformers - done)
        arrays = with_missing(rng, partition(rng, m, args.days), args.missing)
        bare_first = len(baseline) % 2 == 0
        if bare_first:
            baseline.append(cpu_seconds(bare_pass, arrays)[0])
        pieces = arrays if args.whole else month_windows(arrays)
        seconds, found = cpu_seconds(detect_run, pieces, rated[:m])
        detection.append(seconds)
        events += found
        if not bare_first:
            baseline.append(cpu_seconds(bare_pass, arrays)[0])
        done += m
    values = args.transformers * args.days * STEPS_PER_DAY
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    ratios = np.array(detection) / np.array(baseline)
    print(
        f"transformers            {args.transformers:,} × {args.days} days × 96 steps = {values:,} values per quantity"
    )
    print(f"partitions              {len(baseline)} of {args.per_partition} transformers")
    print(f"bare numpy daily maxima {sum(baseline):8.1f} s   (6 quantities)")
    how = "whole year in one piece" if args.whole else "month by month with the carry-over"
    print(f"detection kernel        {sum(detection):8.1f} s   ({events:,} events; {how})")
    print(f"ratio                   {sum(detection) / sum(baseline):8.2f} ×  (target ≤ 3)")
    print(
        f"per-partition ratio     {np.median(ratios):8.2f} ×  median "
        f"(lowest {ratios.min():.2f}, highest {ratios.max():.2f})"
    )
    print(
        f"best-of ratio           {min(detection) / min(baseline):8.2f} ×  "
        f"(fastest partitions: {min(detection) * 1000:.0f} ms vs {min(baseline) * 1000:.0f} ms)"
    )
    print(f"peak memory (RSS)       {peak_gb:8.2f} GB  (target < 8)")


if __name__ == "__main__":
    main()
