"""Distribution reliability indices from interruptions (DOMAIN.md §10).

IEEE 1366 (sustained interruptions only, i.e. longer than five minutes):

- SAIFI = Σ customers interrupted ÷ customers served (interruptions per customer);
- SAIDI = Σ customer-minutes of interruption ÷ customers served (minutes per customer);
- CAIDI = SAIDI ÷ SAIFI (minutes per interruption).

Chinese practice (DL/T 836):

- RS-1 供电可靠率 = (1 − customer-hours of interruption ÷ (customers served × hours in the
  period)) × 100 %;
- AIHC-1 用户平均停电时间 = customer-hours of interruption ÷ customers served (hours per customer).

Planned and unplanned interruptions are counted separately (and together). Pure: takes
``Interruption`` records, returns ``ReliabilityIndices``; an index with no customers served (or
CAIDI with no interruption) is None rather than a division error.
"""

from collections.abc import Iterable
from dataclasses import dataclass

SUSTAINED_ABOVE_MIN = 5.0
ALL, PLANNED, UNPLANNED = "all", "planned", "unplanned"


@dataclass(frozen=True)
class Interruption:
    """One interruption: how many customers lost supply, for how long, and whether announced."""

    customers: int
    duration_min: float
    planned: bool


@dataclass(frozen=True)
class ReliabilityIndices:
    customers_served: int
    period_hours: float
    interruptions: int
    customers_interrupted: int
    customer_minutes: float
    saifi: float | None
    saidi_min: float | None
    caidi_min: float | None
    rs1_pct: float | None
    aihc1_h: float | None


def is_sustained(interruption: Interruption, sustained_above_min: float = SUSTAINED_ABOVE_MIN) -> bool:
    return interruption.duration_min > sustained_above_min


def reliability_indices(
    interruptions: Iterable[Interruption],
    *,
    customers_served: int,
    period_hours: float,
    sustained_above_min: float = SUSTAINED_ABOVE_MIN,
) -> ReliabilityIndices:
    """The indices over ``interruptions`` (momentary ones, ≤ ``sustained_above_min``, are left out)."""
    sustained = [i for i in interruptions if is_sustained(i, sustained_above_min)]
    interrupted = sum(i.customers for i in sustained)
    customer_minutes = sum(i.customers * i.duration_min for i in sustained)
    served = customers_served if customers_served > 0 else 0
    saifi = interrupted / served if served else None
    saidi = customer_minutes / served if served else None
    customer_hours = customer_minutes / 60
    return ReliabilityIndices(
        customers_served=customers_served,
        period_hours=period_hours,
        interruptions=len(sustained),
        customers_interrupted=interrupted,
        customer_minutes=customer_minutes,
        saifi=saifi,
        saidi_min=saidi,
        caidi_min=saidi / saifi if saidi is not None and saifi else None,
        rs1_pct=(1 - customer_hours / (served * period_hours)) * 100 if served and period_hours > 0 else None,
        aihc1_h=customer_hours / served if served else None,
    )


def reliability_by_kind(
    interruptions: Iterable[Interruption],
    *,
    customers_served: int,
    period_hours: float,
    sustained_above_min: float = SUSTAINED_ABOVE_MIN,
) -> dict[str, ReliabilityIndices]:
    """The indices for all interruptions, the planned ones and the unplanned ones."""
    rows = list(interruptions)
    groups = {
        ALL: rows,
        PLANNED: [i for i in rows if i.planned],
        UNPLANNED: [i for i in rows if not i.planned],
    }
    return {
        kind: reliability_indices(
            group,
            customers_served=customers_served,
            period_hours=period_hours,
            sustained_above_min=sustained_above_min,
        )
        for kind, group in groups.items()
    }
