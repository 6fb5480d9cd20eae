"""Line loss for the demo county (deterministic from a seed), on top of grid's demo data.

- **Supply**: the district meters' active energy per 15-minute step, ``energy_kwh`` =
  apparent power × 0.95 × 0.25 h, added to grid's transformer partitions of the last 13 months.
- **Sales**: each district's households use its supply minus a technical loss of 3–5 % (a few
  districts lose 9–15 %: simulated theft or an old line), shared by household weights with
  day-to-day noise. Households get daily kWh; in the last complete month, the districts of the
  villages with mis-registered households or high loss get hourly kWh (where the
  household-to-transformer check runs; hourly data for the whole county would make the demo slow).
  Days already covered by grid's own festival household data are left to it.
- **Mis-registered households**: a few households of villages with two or more districts are
  registered in the registry to the neighbouring district of the same village, while their energy
  still flows through their real one — giving the registered district negative loss.
- **Low coverage**: in two districts a fifth of the households have no data for the last month.
Then every station's months are computed as the upload task would.
"""

import datetime as dt
import json

import numpy as np
import polars as pl
from django.db import transaction
from django.utils import timezone

from powerexpress.grid import storage
from powerexpress.grid.choices import DataKind
from powerexpress.lineloss.models import LineLoss, LossSuspect, PlanItem, TransformerMove
from powerexpress.lineloss.services import partition_compute
from powerexpress.registry.models import Customer, SupplyStation, TransformerDistrict

POWER_FACTOR = 0.95
STEP_H = storage.STEP_MIN / 60
MONTHS = 13
HIGH_LOSS_DISTRICTS = 6
MISREGISTERED_PAIRS = 3
LOW_COVERAGE_DISTRICTS = 2
PART_NAME = "lineloss-demo"


def _months(today: dt.date) -> list[dt.date]:
    months = [today.replace(day=1)]
    while len(months) < MONTHS:
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    return months


def _scenario(rng) -> dict:
    """Loss rate per district, the true district of every household, and the mis-registrations:
    in ``MISREGISTERED_PAIRS`` villages with two districts A and B, about 8 % of A's households
    (at least three) are registered to B, whose technical loss is 3 %: B shows negative loss."""
    districts = list(TransformerDistrict.objects.order_by("code").values_list("code", "village_id"))
    codes = [c for c, _v in districts]
    rate = dict(zip(codes, rng.uniform(0.03, 0.05, len(codes)), strict=True))
    people = list(
        Customer.objects.filter(transformer__isnull=False)
        .order_by("account_no")
        .values_list("pk", "account_no", "transformer__code")
    )
    members: dict = {}
    for pk, account, code in people:
        members.setdefault(code, []).append((pk, account))
    by_village: dict = {}
    for code, village in districts:
        by_village.setdefault(village, []).append(code)
    pairs = [
        v[:2]
        for v in by_village.values()
        if len(v) >= 2 and all(len(members.get(c, ())) >= 20 for c in v[:2])
    ]
    moves = []
    for index in rng.choice(len(pairs), min(MISREGISTERED_PAIRS, len(pairs)), replace=False):
        a, b = pairs[int(index)]
        rate[b] = 0.03
        count = max(3, round(0.08 * len(members[a])))
        for k in rng.choice(len(members[a]), count, replace=False):
            pk, account = members[a][int(k)]
            moves.append((pk, account, b))
    involved = {code for _pk, _a, code in moves} | {
        code for code in codes if any(p[0] in {m[0] for m in moves} for p in members.get(code, ()))
    }
    others = [c for c in codes if c not in involved and members.get(c)]
    for code in rng.choice(others, min(HIGH_LOSS_DISTRICTS, len(others)), replace=False):
        rate[str(code)] = float(rng.uniform(0.09, 0.15))
    low = [str(c) for c in rng.choice(others, LOW_COVERAGE_DISTRICTS, replace=False)]
    true_district = {account: code for _pk, account, code in people}
    weight = dict(zip(true_district, rng.lognormal(0, 0.5, len(true_district)).tolist(), strict=True))
    village_of = dict(districts)
    hourly_villages = {village_of[c] for _pk, _a, c in moves} | {
        village_of[c] for c in codes if rate[c] > 0.05
    }
    hourly = {c for c in codes if village_of[c] in hourly_villages}
    return {
        "rate": rate,
        "true": true_district,
        "moves": moves,
        "low": low,
        "weight": weight,
        "hourly": hourly,
    }


def _supply(station_code: str, month: dt.date) -> pl.DataFrame | None:
    """Add ``energy_kwh`` to grid's transformer partition of the month; (transformer, ts, energy)."""
    folder = storage.partition_dir(DataKind.TRANSFORMER, station_code, month)
    path = folder / "demo.parquet"
    if not path.exists():
        return None
    frame = pl.read_parquet(path).with_columns(
        (pl.col("s_kva") * POWER_FACTOR * STEP_H).round(4).alias("energy_kwh")
    )
    frame.write_parquet(path, compression="lz4", statistics=False)
    return frame.select("transformer", "ts", "energy_kwh")


def _split(supply: pl.DataFrame, unit: str, scenario: dict, rng) -> pl.DataFrame:
    """Each slot's supply less the district's loss, shared by the true households' stable weights
    and noise (normalised so that the shares add up to exactly the district's sales)."""
    local = pl.col("ts").dt.convert_time_zone(storage.LOCAL_TZ).dt.truncate(unit)
    per_slot = supply.group_by("transformer", local.alias("slot")).agg(pl.col("energy_kwh").sum())
    people = pl.DataFrame(
        [(a, t) for a, t in scenario["true"].items()],
        schema={"account_no": pl.String, "transformer": pl.String},
        orient="row",
    ).join(per_slot.select("transformer").unique(), on="transformer")
    weights = people.with_columns(
        pl.col("account_no").replace_strict(scenario["weight"], return_dtype=pl.Float64).alias("weight")
    )
    weights = weights.with_columns(
        (pl.col("weight") / pl.col("weight").sum().over("transformer")).alias("share")
    )
    rates = pl.DataFrame({"transformer": list(scenario["rate"]), "rate": list(scenario["rate"].values())})
    frame = per_slot.join(rates, on="transformer", how="left").join(weights, on="transformer")
    noise = rng.lognormal(0, 0.3, frame.height)
    frame = frame.with_columns(pl.Series("noise", noise)).with_columns(
        (pl.col("noise") / (pl.col("noise") * pl.col("share")).sum().over("transformer", "slot")).alias(
            "noise"
        )
    )
    return frame.select(
        "account_no",
        pl.col("slot").dt.convert_time_zone("UTC").alias("ts"),
        (pl.col("energy_kwh") * (1 - pl.col("rate")) * pl.col("share") * pl.col("noise"))
        .round(4)
        .alias("energy_kwh"),
    )


def _households(supply, scenario, station_code, month, hourly, rng) -> pl.DataFrame:
    """Households' kWh that add up to each district's supply minus its loss: hourly for the
    districts in ``scenario["hourly"]`` when ``hourly``, daily otherwise."""
    in_hourly = pl.col("transformer").is_in(list(scenario["hourly"]) if hourly else [])
    frame = pl.concat(
        [
            _split(supply.filter(in_hourly), "1h", scenario, rng),
            _split(supply.filter(~in_hourly), "1d", scenario, rng),
        ]
    )
    existing = storage.scan(DataKind.HOUSEHOLD, station_code=station_code, months=[month])
    if existing is not None:
        covered = (
            existing.select(
                "account_no", pl.col("ts").dt.convert_time_zone(storage.LOCAL_TZ).dt.date().alias("day")
            )
            .unique()
            .collect()
        )
        frame = (
            frame.with_columns(pl.col("ts").dt.convert_time_zone(storage.LOCAL_TZ).dt.date().alias("day"))
            .join(covered, on=["account_no", "day"], how="anti")
            .drop("day")
        )
    return frame


def lineloss_demo_build(*, seed: int = 20261127, today: dt.date | None = None, progress=None) -> dict:
    """Add supply and sales to the demo's interval data, mis-register a few households, compute."""
    rng = np.random.default_rng(seed)
    today = today or timezone.localdate()
    months = _months(today)
    with transaction.atomic():
        PlanItem.objects.filter(work_order__isnull=True).delete()
        TransformerMove.objects.all().delete()
        LossSuspect.objects.all().delete()
        LineLoss.objects.all().delete()
    for old in (storage.root() / DataKind.HOUSEHOLD).glob(f"station=*/month=*/{PART_NAME}.parquet"):
        old.unlink()
    _undo_earlier_moves()
    scenario = _scenario(rng)
    station_of = dict(
        Customer.objects.filter(transformer__isnull=False).values_list("account_no", "village__station__code")
    )
    low = set(scenario["low"])
    for station_code in SupplyStation.objects.order_by("code").values_list("code", flat=True):
        for month in months:
            supply = _supply(station_code, month)
            if supply is None:
                continue
            hourly = month == months[-2]
            homes = _households(supply, scenario, station_code, month, hourly, rng)
            if month == months[-2]:
                dropped = [a for a, t in scenario["true"].items() if t in low and rng.random() < 0.2]
                homes = homes.filter(~pl.col("account_no").is_in(dropped))
            homes = homes.with_columns(
                pl.col("account_no").replace_strict(station_of, default=station_code).alias("station")
            )
            storage.write_parts(DataKind.HOUSEHOLD, homes, PART_NAME)
    _register_moves(scenario["moves"])
    computed = 0
    for station_code in SupplyStation.objects.order_by("code").values_list("code", flat=True):
        for month in months:
            computed += partition_compute(station_code=station_code, month=month)
            if progress:
                progress(station_code, month)
    return {
        "months": len(months),
        "figures": computed,
        "high_loss": HIGH_LOSS_DISTRICTS,
        "misregistered": len(scenario["moves"]),
        "moved_accounts": sorted(account for _pk, account, _code in scenario["moves"]),
        "suspects": LossSuspect.objects.count(),
    }


def _truth_file():
    return storage.root() / "lineloss-demo-moves.json"


def _register_moves(moves) -> None:
    """Register each chosen household to the neighbouring district (the registry's mistake), and
    keep the true district in the data directory so that a rebuild can undo it first."""
    ids = dict(TransformerDistrict.objects.values_list("code", "pk"))
    truth = dict(
        Customer.objects.filter(pk__in=[pk for pk, _a, _c in moves]).values_list("pk", "transformer__code")
    )
    with transaction.atomic():
        for pk, _account, code in moves:
            Customer.objects.filter(pk=pk).update(transformer_id=ids[code])
    _truth_file().write_text(json.dumps({str(pk): code for pk, code in truth.items()}), encoding="utf-8")


def _undo_earlier_moves() -> None:
    path = _truth_file()
    if not path.exists():
        return
    ids = dict(TransformerDistrict.objects.values_list("code", "pk"))
    with transaction.atomic():
        for pk, code in json.loads(path.read_text(encoding="utf-8")).items():
            if code in ids:
                Customer.objects.filter(pk=int(pk)).update(transformer_id=ids[code])
    path.unlink()
