"""Fault-repair KPIs from plain ticket times: on-time arrival, median and 90th percentile
arrival and restoration times, open and overdue counts, satisfaction.

Pure: takes ``TicketTimes`` records (zone-aware datetimes), returns ``RepairKpis``.
Arrival time = report → crew on site; restoration time = on site → restored (the commitment's
clock). Percentiles interpolate linearly between closest ranks (numpy's default).
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TicketTimes:
    reported_at: datetime.datetime
    arrival_due_at: datetime.datetime
    on_site_at: datetime.datetime | None
    restore_due_at: datetime.datetime | None
    restored_at: datetime.datetime | None
    is_open: bool
    awaiting_arrival: bool
    rating: int | None


@dataclass(frozen=True)
class RepairKpis:
    tickets: int
    open_count: int
    overdue_count: int
    arrived_count: int
    on_time_arrival_pct: float | None
    arrival_median_min: float | None
    arrival_p90_min: float | None
    restoration_median_min: float | None
    restoration_p90_min: float | None
    ratings_count: int
    satisfaction_avg: float | None


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _minutes(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end - start).total_seconds() / 60


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def repair_kpis(tickets: Iterable[TicketTimes], now: datetime.datetime) -> RepairKpis:
    rows = list(tickets)
    arrivals = [_minutes(t.reported_at, t.on_site_at) for t in rows if t.on_site_at]
    on_time = sum(1 for t in rows if t.on_site_at and t.on_site_at <= t.arrival_due_at)
    restorations = [_minutes(t.on_site_at, t.restored_at) for t in rows if t.on_site_at and t.restored_at]
    overdue = sum(
        1
        for t in rows
        if t.is_open
        and (
            (t.awaiting_arrival and now > t.arrival_due_at)
            or (not t.awaiting_arrival and t.restore_due_at is not None and now > t.restore_due_at)
        )
    )
    ratings = [t.rating for t in rows if t.rating is not None]
    return RepairKpis(
        tickets=len(rows),
        open_count=sum(1 for t in rows if t.is_open),
        overdue_count=overdue,
        arrived_count=len(arrivals),
        on_time_arrival_pct=_rounded(100 * on_time / len(arrivals)) if arrivals else None,
        arrival_median_min=_rounded(percentile(arrivals, 50)),
        arrival_p90_min=_rounded(percentile(arrivals, 90)),
        restoration_median_min=_rounded(percentile(restorations, 50)),
        restoration_p90_min=_rounded(percentile(restorations, 90)),
        ratings_count=len(ratings),
        satisfaction_avg=_rounded(sum(ratings) / len(ratings), 2) if ratings else None,
    )
