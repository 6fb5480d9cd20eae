"""Baselines of the tier kernel benchmark (``benchmarks/billing_kernel.py``), kept out of the
production core: the bill totals alone (no tier lines, no tier after the bill) and the same
arithmetic as a plain Python loop. The kernel's tests check all three agree to the fen."""

import numpy as np

from powerexpress.analytics.tariff import BLOCK, KWH_SCALE, PRICE_SCALE


def bill_amounts_fen(
    ytd_milli: np.ndarray,
    kwh_milli: np.ndarray,
    free_milli: np.ndarray,
    bounds_milli: np.ndarray,
    prices_micro: np.ndarray,
) -> np.ndarray:
    """Only the bill totals in fen (same arithmetic as ``bill_kernel`` with one tier table for
    all accounts), computed block by block in reused buffers."""
    n = ytd_milli.shape[0]
    total = np.zeros(n, dtype=np.int64)
    size = min(BLOCK, n)
    start, end, cut, work = (np.empty(size, dtype=np.int64) for _ in range(4))
    denominator = KWH_SCALE * PRICE_SCALE // 100
    bounds = [int(b) for b in bounds_milli]
    prices = [int(p) * 2 for p in prices_micro]
    for first in range(0, n, BLOCK):
        last = min(first + BLOCK, n)
        m = last - first
        s, e, c, w, out = start[:m], end[:m], cut[:m], work[:m], total[first:last]
        np.minimum(free_milli[first:last], kwh_milli[first:last], out=s)
        np.add(s, ytd_milli[first:last], out=s)  # first paid milli-kWh of the cycle
        np.add(ytd_milli[first:last], kwh_milli[first:last], out=e)  # cycle total after the bill
        for index, price in enumerate(prices):
            if index < len(bounds):
                np.minimum(e, bounds[index], out=c)
                np.subtract(c, s, out=w)
                np.maximum(s, c, out=s)  # the next tier starts where this one ends
            else:
                np.subtract(e, s, out=w)
            np.maximum(w, 0, out=w)
            np.multiply(w, price, out=w)
            np.add(w, denominator, out=w)
            np.floor_divide(w, 2 * denominator, out=w)
            np.add(out, w, out=out)
    return total


def python_loop_amounts_fen(ytd_milli, kwh_milli, free_milli, bounds_milli, prices_micro) -> list[int]:
    """The same computation as a plain Python loop (the benchmark's baseline)."""
    bounds = [int(b) for b in bounds_milli]
    prices = [int(p) for p in prices_micro]
    denominator = KWH_SCALE * PRICE_SCALE // 100
    out = []
    for ytd, kwh, allowance in zip(ytd_milli.tolist(), kwh_milli.tolist(), free_milli.tolist(), strict=True):
        paid_from = ytd + min(allowance, kwh)
        end = ytd + kwh
        lower = 0
        total = 0
        for index, price in enumerate(prices):
            upper = bounds[index] if index < len(bounds) else end
            in_tier = min(end, upper) - max(paid_from, lower)
            if in_tier > 0:
                total += (in_tier * price * 2 + denominator) // (2 * denominator)
            lower = upper
        out.append(total)
    return out
