"""Residential tiered tariffs (阶梯电价): schedule parsing, a Decimal reference quote and a
vectorised kernel in integer fen.

A schedule is plain data (the shape of ``POST /api/v1/billing/quote``'s inline ``tariff``)::

    {"cycle": "annual", "cycle_start_month": 1,
     "tiers": [{"up_to_kwh": "2040", "price_yuan_per_kwh": "0.4556"}, ...,
               {"up_to_kwh": null, "price_yuan_per_kwh": "0.7556"}],
     "seasons": [{"months": [5, 6, 7, 8, 9, 10], "tiers": [...]}],
     "free_kwh_per_month": {"low_income": "10"},
     "shared_meter_price_yuan_per_kwh": "0.4556",
     "large_household": {"min_size": 5, "extra_kwh": "100"}}

Tier bounds are cumulative within the cycle and inclusive: with bounds 2040/3120 the 2040th
kWh of the cycle is tier 1 and the 2041st tier 2. The kernel works in milli-kWh and in
micro-yuan prices so that every line is rounded half-up to the fen exactly as the Decimal
reference rounds it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np

CYCLES = ("annual", "monthly")
KWH_SCALE = 1000  # milli-kWh per kWh: kWh carry at most 3 decimals
PRICE_SCALE = 1_000_000  # micro-yuan per yuan: prices carry at most 6 decimals
MAX_BILL_KWH = Decimal("10000000")  # keeps the kernel's products inside int64
MAX_BOUND_KWH = Decimal("100000000")  # tier bounds, extras and cycle totals: int64-safe in milli-kWh
MAX_PRICE_YUAN_PER_KWH = Decimal("100")  # with MAX_BILL_KWH: milli × micro × 2 < 2**63
FEN = Decimal("0.01")
BLOCK = 1 << 15  # accounts per block: the working arrays stay in the CPU cache


# Machine-readable error codes → English text (the app translates the codes, never the text).
ERROR_TEXTS = {
    "not_a_number": "Enter a number.",
    "negative": "Must not be negative.",
    "too_many_places": "At most {places} decimal places.",
    "too_large": "Must be at most {limit}.",
    "no_tiers": "Enter at least one tier.",
    "not_an_object": "Enter an object.",
    "last_tier_bounded": "The last tier has no upper bound (null).",
    "only_last_unbounded": "Only the last tier may have no upper bound.",
    "bounds_not_increasing": "Tier bounds must increase.",
    "required": "This field is required.",
    "bad_month": "Enter a month from 1 to 12.",
    "not_a_schedule": "Enter a schedule object.",
    "bad_cycle": "Choose one of: annual, monthly.",
    "not_a_list": "Enter a list.",
    "not_a_month_list": "Enter a list of months.",
    "month_in_two_seasons": "A month belongs to one season only.",
    "not_a_tag_object": "Enter an object of tag → kWh.",
    "bad_large_household": "Enter an object with min_size and extra_kwh.",
    "bad_min_size": "Enter a whole number of at least 1.",
    "no_shared_meter_price": "This schedule has no shared-meter price.",
}


class ScheduleError(ValueError):
    """A schedule or quote input that is not valid: ``field`` names the offending key path,
    ``code`` (a key of ``ERROR_TEXTS``) and ``params`` say what is wrong; ``message`` is the
    English text for logs."""

    def __init__(self, field: str, code: str, **params: object) -> None:
        self.field = field
        self.code = code
        self.params = params
        self.message = ERROR_TEXTS[code].format(**params)
        super().__init__(f"{field}: {self.message}")


@dataclass(frozen=True)
class Tier:
    up_to_kwh: Decimal | None
    price_yuan_per_kwh: Decimal


@dataclass(frozen=True)
class Season:
    months: tuple[int, ...]
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class Schedule:
    cycle: str
    tiers: tuple[Tier, ...]
    cycle_start_month: int = 1
    seasons: tuple[Season, ...] = ()
    free_kwh_per_month: dict[str, Decimal] = field(default_factory=dict)
    shared_meter_price_yuan_per_kwh: Decimal | None = None
    large_household_min_size: int | None = None
    large_household_extra_kwh: Decimal = Decimal(0)


@dataclass(frozen=True)
class QuoteLine:
    tier: int
    kwh: Decimal
    price_yuan_per_kwh: Decimal
    amount_yuan: Decimal


@dataclass(frozen=True)
class Quote:
    amount_yuan: Decimal
    lines: tuple[QuoteLine, ...]
    free_kwh: Decimal
    tier_after: int
    kwh_left_in_tier: Decimal | None
    cycle_start: datetime.date


# Parsing and validation


def decimal_checked(value: object, path: str, *, places: int, limit: Decimal) -> Decimal:
    """A non-negative number of at most ``places`` decimals and at most ``limit``. The size is
    checked before the decimals, so no input is too long for the decimal context."""
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ScheduleError(path, "not_a_number")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ScheduleError(path, "not_a_number") from exc
    if not number.is_finite():
        raise ScheduleError(path, "not_a_number")
    if number < 0:
        raise ScheduleError(path, "negative")
    if number > limit:
        raise ScheduleError(path, "too_large", limit=limit)
    if -int(number.as_tuple().exponent) > places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise ScheduleError(path, "too_many_places", places=places)
    return number


def _decimal(value: object, path: str, *, places: int) -> Decimal:
    limit = MAX_PRICE_YUAN_PER_KWH if places == 6 else MAX_BOUND_KWH
    return decimal_checked(value, path, places=places, limit=limit)


def _tiers(raw: object, path: str) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        raise ScheduleError(path, "no_tiers")
    tiers = []
    previous = Decimal(0)
    for index, item in enumerate(raw):
        here = f"{path}.{index}"
        if not isinstance(item, dict):
            raise ScheduleError(here, "not_an_object")
        last = index == len(raw) - 1
        bound = item.get("up_to_kwh")
        if last:
            if bound is not None:
                raise ScheduleError(f"{here}.up_to_kwh", "last_tier_bounded")
        else:
            if bound is None:
                raise ScheduleError(f"{here}.up_to_kwh", "only_last_unbounded")
            bound = _decimal(bound, f"{here}.up_to_kwh", places=3)
            if bound <= previous:
                raise ScheduleError(f"{here}.up_to_kwh", "bounds_not_increasing")
            previous = bound
        if "price_yuan_per_kwh" not in item:
            raise ScheduleError(f"{here}.price_yuan_per_kwh", "required")
        price = _decimal(item["price_yuan_per_kwh"], f"{here}.price_yuan_per_kwh", places=6)
        tiers.append(Tier(bound, price))
    return tuple(tiers)


def _month(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise ScheduleError(path, "bad_month")
    return value


def schedule_from_dict(raw: object, path: str = "tariff") -> Schedule:
    """Validate and parse a schedule; raises ``ScheduleError`` naming the field (e.g.
    ``tariff.tiers.1.up_to_kwh``)."""
    if not isinstance(raw, dict):
        raise ScheduleError(path, "not_a_schedule")
    cycle = raw.get("cycle")
    if cycle not in CYCLES:
        raise ScheduleError(f"{path}.cycle", "bad_cycle")
    start = _month(raw.get("cycle_start_month", 1), f"{path}.cycle_start_month")
    tiers = _tiers(raw.get("tiers"), f"{path}.tiers")
    seasons = []
    seen: set[int] = set()
    raw_seasons = raw.get("seasons") or []
    if not isinstance(raw_seasons, list):
        raise ScheduleError(f"{path}.seasons", "not_a_list")
    for index, season in enumerate(raw_seasons):
        here = f"{path}.seasons.{index}"
        if not isinstance(season, dict) or not isinstance(season.get("months"), list) or not season["months"]:
            raise ScheduleError(f"{here}.months", "not_a_month_list")
        months = tuple(_month(m, f"{here}.months") for m in season["months"])
        if seen & set(months):
            raise ScheduleError(f"{here}.months", "month_in_two_seasons")
        seen |= set(months)
        season_tiers = _tiers(season.get("tiers"), f"{here}.tiers")
        seasons.append(Season(months, season_tiers))
    free_raw = raw.get("free_kwh_per_month") or {}
    if not isinstance(free_raw, dict):
        raise ScheduleError(f"{path}.free_kwh_per_month", "not_a_tag_object")
    free = {
        str(tag): _decimal(v, f"{path}.free_kwh_per_month.{tag}", places=3) for tag, v in free_raw.items()
    }
    shared_raw = raw.get("shared_meter_price_yuan_per_kwh")
    shared = None
    if shared_raw is not None:
        shared = _decimal(shared_raw, f"{path}.shared_meter_price_yuan_per_kwh", places=6)
    large = raw.get("large_household")
    min_size, extra = None, Decimal(0)
    if large is not None:
        if not isinstance(large, dict):
            raise ScheduleError(f"{path}.large_household", "bad_large_household")
        min_size = large.get("min_size")
        if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
            raise ScheduleError(f"{path}.large_household.min_size", "bad_min_size")
        extra = _decimal(large.get("extra_kwh"), f"{path}.large_household.extra_kwh", places=3)
    return Schedule(
        cycle=cycle,
        tiers=tiers,
        cycle_start_month=start,
        seasons=tuple(seasons),
        free_kwh_per_month=free,
        shared_meter_price_yuan_per_kwh=shared,
        large_household_min_size=min_size,
        large_household_extra_kwh=extra,
    )


def _tiers_out(tiers: Sequence[Tier]) -> list[dict[str, Any]]:
    return [
        {
            "up_to_kwh": None if t.up_to_kwh is None else str(t.up_to_kwh),
            "price_yuan_per_kwh": str(t.price_yuan_per_kwh),
        }
        for t in tiers
    ]


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """The export (and inline quote) format of a schedule."""
    out: dict[str, Any] = {
        "cycle": schedule.cycle,
        "cycle_start_month": schedule.cycle_start_month,
        "tiers": _tiers_out(schedule.tiers),
    }
    if schedule.seasons:
        out["seasons"] = [{"months": list(s.months), "tiers": _tiers_out(s.tiers)} for s in schedule.seasons]
    if schedule.free_kwh_per_month:
        out["free_kwh_per_month"] = {tag: str(v) for tag, v in schedule.free_kwh_per_month.items()}
    if schedule.shared_meter_price_yuan_per_kwh is not None:
        out["shared_meter_price_yuan_per_kwh"] = str(schedule.shared_meter_price_yuan_per_kwh)
    if schedule.large_household_min_size is not None:
        out["large_household"] = {
            "min_size": schedule.large_household_min_size,
            "extra_kwh": str(schedule.large_household_extra_kwh),
        }
    return out


# Cycle, season and household adjustments


def cycle_start(schedule: Schedule, on_date: datetime.date) -> datetime.date:
    """First day of the billing cycle containing ``on_date``."""
    if schedule.cycle == "monthly":
        return on_date.replace(day=1)
    year = on_date.year if on_date.month >= schedule.cycle_start_month else on_date.year - 1
    return datetime.date(year, schedule.cycle_start_month, 1)


def tiers_for(schedule: Schedule, on_date: datetime.date, household_size: int = 0) -> tuple[Tier, ...]:
    """The tiers that apply on ``on_date`` (season chosen by month), with the large-household
    extra added to every finite bound."""
    tiers = schedule.tiers
    for season in schedule.seasons:
        if on_date.month in season.months:
            tiers = season.tiers
            break
    min_size = schedule.large_household_min_size
    if min_size is not None and household_size >= min_size and schedule.large_household_extra_kwh:
        extra = schedule.large_household_extra_kwh
        tiers = tuple(
            Tier(None if t.up_to_kwh is None else t.up_to_kwh + extra, t.price_yuan_per_kwh) for t in tiers
        )
    return tiers


def prorated_tiers(tiers: Sequence[Tier], supply_months: int, cycle_months: int = 12) -> tuple[Tier, ...]:
    """Tiers whose cumulative bounds are scaled by the months of supply in the cycle (a household
    connected or closed mid-cycle), each rounded half-up to the milli-kWh."""
    milli = Decimal("0.001")
    return tuple(
        Tier(
            None
            if t.up_to_kwh is None
            else (t.up_to_kwh * supply_months / cycle_months).quantize(milli, rounding=ROUND_HALF_UP),
            t.price_yuan_per_kwh,
        )
        for t in tiers
    )


def free_allowance(schedule: Schedule, tags: Iterable[str]) -> Decimal:
    """The monthly free kWh of a household: the largest allowance among its tags."""
    return max((schedule.free_kwh_per_month.get(tag, Decimal(0)) for tag in tags), default=Decimal(0))


# Decimal reference


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def tier_of(tiers: Sequence[Tier], total_kwh: Decimal) -> int:
    """1-based tier of the kWh that brings the cycle total to ``total_kwh`` (bounds inclusive)."""
    for index, tier in enumerate(tiers):
        if tier.up_to_kwh is None or total_kwh <= tier.up_to_kwh:
            return index + 1
    return len(tiers)


def quote(
    schedule: Schedule,
    *,
    year_to_date_kwh: Decimal,
    kwh: Decimal,
    on_date: datetime.date,
    tags: Iterable[str] = (),
    shared_meter: bool = False,
    household_size: int = 0,
) -> Quote:
    """The Decimal reference: one bill's lines, rounded half-up to the fen per line."""
    start = cycle_start(schedule, on_date)
    if shared_meter:
        price = schedule.shared_meter_price_yuan_per_kwh
        if price is None:
            raise ScheduleError("shared_meter", "no_shared_meter_price")
        line = QuoteLine(1, kwh, price, _fen(kwh * price))
        return Quote(line.amount_yuan, (line,), Decimal(0), 1, None, start)
    tiers = tiers_for(schedule, on_date, household_size)
    free = min(free_allowance(schedule, tags), kwh)
    lines = []
    if free > 0:
        lines.append(QuoteLine(0, free, Decimal(0), Decimal("0.00")))
    paid_from = year_to_date_kwh + free
    end = year_to_date_kwh + kwh
    lower = Decimal(0)
    for index, tier in enumerate(tiers):
        upper = tier.up_to_kwh
        in_tier = (end if upper is None else min(end, upper)) - max(paid_from, lower)
        if in_tier > 0:
            lines.append(
                QuoteLine(
                    index + 1, in_tier, tier.price_yuan_per_kwh, _fen(in_tier * tier.price_yuan_per_kwh)
                )
            )
        if upper is not None:
            lower = upper
    after = tier_of(tiers, end)
    bound = tiers[after - 1].up_to_kwh
    left = None if bound is None else bound - end
    total = sum((line.amount_yuan for line in lines), Decimal("0.00"))
    return Quote(total, tuple(lines), free, after, left, start)


# Vectorised kernel (integer fen)


def tier_arrays(tiers: Sequence[Tier]) -> tuple[np.ndarray, np.ndarray]:
    """Finite bounds in milli-kWh and prices in micro-yuan of a tier list."""
    finite = [t.up_to_kwh for t in tiers[:-1]]
    if any(bound is None for bound in finite):  # schedule_from_dict never makes such a list
        raise ValueError("only the last tier may be open-ended")
    bounds = np.array([int(bound * KWH_SCALE) for bound in finite if bound is not None], dtype=np.int64)
    prices = np.array([int(t.price_yuan_per_kwh * PRICE_SCALE) for t in tiers], dtype=np.int64)
    return bounds, prices


@dataclass(frozen=True)
class KernelResult:
    amount_fen: np.ndarray  # (n,) bill totals
    kwh_milli: np.ndarray  # (n, tiers) paid milli-kWh per tier
    line_fen: np.ndarray  # (n, tiers) rounded amount per tier line
    tier_after: np.ndarray  # (n,) 1-based tier of the bill's last kWh
    left_milli: np.ndarray  # (n,) milli-kWh left in that tier, -1 in the last tier


def bill_kernel(
    ytd_milli: np.ndarray,
    kwh_milli: np.ndarray,
    free_milli: np.ndarray,
    bounds_milli: np.ndarray,
    prices_micro: np.ndarray,
) -> KernelResult:
    """Split each account's bill across the tiers and price it: every line rounded half-up to the
    fen, the bill's total, the tier of its last kWh and the kWh left in that tier.

    ``bounds_milli`` (tiers-1,) are the cumulative finite bounds and ``prices_micro`` (tiers,) the
    prices of one tier table for all accounts; ``free_milli`` is each account's free allowance
    (capped at its bill here). The work goes block by block (``BLOCK`` accounts) through a few
    reused buffers, writing each result in place, so that the working set stays in the CPU cache;
    the per-tier results are tier-major rows, returned as (accounts, tiers) views. No input array
    is modified."""
    n, count = ytd_milli.shape[0], prices_micro.shape[0]
    bounds = [int(b) for b in bounds_milli]
    doubled_prices = [int(p) * 2 for p in prices_micro]
    denominator = KWH_SCALE * PRICE_SCALE // 100  # fen = milli × micro-yuan / 1e7, half-up
    bound_of_tier = np.array([*bounds, 0], dtype=np.int64)
    split = np.empty((count, n), dtype=np.int64)
    lines = np.empty((count, n), dtype=np.int64)
    amount = np.zeros(n, dtype=np.int64)
    tier_after = np.ones(n, dtype=np.int64)
    left = np.empty(n, dtype=np.int64)
    size = min(BLOCK, n)
    start, end, cut = (np.empty(size, dtype=np.int64) for _ in range(3))
    above = np.empty(size, dtype=bool)
    for first in range(0, n, BLOCK):
        part = slice(first, min(first + BLOCK, n))
        m = part.stop - first
        s, e, c, over = start[:m], end[:m], cut[:m], above[:m]
        np.minimum(free_milli[part], kwh_milli[part], out=s)
        np.add(s, ytd_milli[part], out=s)  # the first paid milli-kWh of the cycle
        np.add(ytd_milli[part], kwh_milli[part], out=e)  # the cycle's total after the bill
        for index, price in enumerate(doubled_prices):
            row, line = split[index, part], lines[index, part]
            if index < len(bounds):
                np.minimum(e, bounds[index], out=c)
                np.subtract(c, s, out=row)
                np.maximum(s, c, out=s)  # the next tier starts where this one ends
            else:
                np.subtract(e, s, out=row)
            np.maximum(row, 0, out=row)
            np.multiply(row, price, out=line)
            np.add(line, denominator, out=line)
            np.floor_divide(line, 2 * denominator, out=line)
            np.add(amount[part], line, out=amount[part])
        after = tier_after[part]
        for bound in bounds:
            np.greater(e, bound, out=over)
            np.add(after, over, out=after)
        np.subtract(after, 1, out=c)
        np.take(bound_of_tier, c, out=left[part])
        np.subtract(left[part], e, out=left[part])
        np.equal(after, count, out=over)
        np.copyto(left[part], -1, where=over)
    return KernelResult(amount, split.T, lines.T, tier_after, left)
