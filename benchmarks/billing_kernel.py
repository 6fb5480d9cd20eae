"""Tier kernel throughput: the vectorised integer-fen kernel with its tier lines (``bill_kernel``,
the path the billing run uses), the totals-only variant and a plain Python loop on the same
accounts, side by side, and a check that all three agree to the fen.

    .venv/bin/python benchmarks/billing_kernel.py [--accounts 10000000] [--loop-accounts 1000000]
"""

import argparse
import time
from decimal import Decimal

import numpy as np
from tariff_baselines import bill_amounts_fen, python_loop_amounts_fen  # the script's own folder

from powerexpress.analytics import tariff

GUIZHOU = tariff.schedule_from_dict(
    {
        "cycle": "annual",
        "tiers": [
            {"up_to_kwh": "2040", "price_yuan_per_kwh": "0.4556"},
            {"up_to_kwh": "3120", "price_yuan_per_kwh": "0.5056"},
            {"up_to_kwh": None, "price_yuan_per_kwh": "0.7556"},
        ],
        "free_kwh_per_month": {"low_income": "10"},
    }
)


def accounts(n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    ytd = rng.integers(0, 4_000_000, n, dtype=np.int64)  # milli-kWh used before this bill
    kwh = rng.integers(0, 600_000, n, dtype=np.int64)
    free = np.where(rng.random(n) < 0.05, 10_000, 0).astype(np.int64)
    return ytd, kwh, free


def best_of(repeats: int, fn):
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000_000)
    parser.add_argument("--loop-accounts", type=int, default=1_000_000)
    args = parser.parse_args()
    bounds, prices = tariff.tier_arrays(GUIZHOU.tiers)
    ytd, kwh, free = accounts(args.accounts)
    totals_s, totals = best_of(3, lambda: bill_amounts_fen(ytd, kwh, free, bounds, prices))
    full_s, full = best_of(3, lambda: tariff.bill_kernel(ytd, kwh, free, bounds, prices))
    m = args.loop_accounts
    loop_s, loop = best_of(1, lambda: python_loop_amounts_fen(ytd[:m], kwh[:m], free[:m], bounds, prices))
    assert loop == totals[:m].tolist(), "kernel and loop disagree"
    assert (full.amount_fen == totals).all() and (full.line_fen.sum(axis=1) == totals).all()
    sample = np.random.default_rng(1).choice(args.accounts, 2000, replace=False)
    for i in sample.tolist():
        ref = tariff.quote(
            GUIZHOU,
            year_to_date_kwh=Decimal(int(ytd[i])) / 1000,
            kwh=Decimal(int(kwh[i])) / 1000,
            on_date=__import__("datetime").date(2026, 10, 31),
            tags=["low_income"] if free[i] else [],
        )
        assert int(ref.amount_yuan * 100) == int(totals[i]), i
    kernel_rate = args.accounts / totals_s
    loop_rate = m / loop_s
    print(f"{'method':<40}{'accounts':>12}{'seconds':>10}{'accounts/s':>16}")
    print(
        f"{'numpy kernel, totals (bill_amounts_fen)':<40}{args.accounts:>12,}{totals_s:>10.3f}{kernel_rate:>16,.0f}"
    )
    print(
        f"{'numpy kernel, lines (bill_kernel)':<40}{args.accounts:>12,}{full_s:>10.3f}"
        f"{args.accounts / full_s:>16,.0f}"
    )
    print(f"{'plain Python loop':<40}{m:>12,}{loop_s:>10.3f}{loop_rate:>16,.0f}")
    print(
        f"speed-up of the kernel over the loop: {kernel_rate / loop_rate:.1f}x; "
        f"exact to the fen against the Decimal reference on 2,000 sampled accounts and the loop on {m:,}"
    )


if __name__ == "__main__":
    main()
