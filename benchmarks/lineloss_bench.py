"""Monthly line loss of 10,000 districts × 300,000 households from Parquet, next to a bare polars
group-by of the same files.

Writes one month of synthetic data in the store's layout (``grid/<kind>/station=…/month=…``) under a
temporary DATA_DIR: every district meter's ``energy_kwh`` at 15-minute steps (10,000 × 2,976 rows)
and every household's daily kWh (300,000 × 31 rows), in ``--stations`` partitions. Then, station
by station as the Celery task runs, times

1. **ours**: ``lineloss.services.supply_monthly`` + ``households_monthly`` (the production readers,
   window filters included) + ``analytics.lineloss.window_loss`` (classes, coverage, reasons);
2. **bare**: ``pl.scan_parquet(files).group_by(key).sum()`` for both kinds, a join on the
   household-to-transformer relation and a group-by per district — nothing else.

The two alternate which goes first per station. The registry relation is given as a frame (the
database read is not part of either). Prints wall-clock totals and their ratio.

    .venv/bin/python benchmarks/lineloss_bench.py                       # 10,000 × 300,000
    .venv/bin/python benchmarks/lineloss_bench.py --districts 1000 --households 30000
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

MONTH = dt.date(2026, 1, 1)


def write_month(root: Path, districts: int, households: int, stations: int, seed: int) -> list[tuple]:
    """Write the month's files; return (station code, members frame) per station."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC)  # 2026-01-01 00:00 Beijing time
    steps, days = 31 * 96, 31
    ts15 = pl.datetime_range(start, start + dt.timedelta(minutes=15 * (steps - 1)), "15m", eager=True)
    tsday = pl.datetime_range(start, start + dt.timedelta(days=days - 1), "1d", eager=True)
    per_station_d, per_station_h = districts // stations, households // stations
    out = []
    for s in range(stations):
        code = f"S{s:03d}"
        codes = [f"{code}-T{k:04d}" for k in range(per_station_d)]
        accounts = [f"{code}-H{k:06d}" for k in range(per_station_h)]
        owner = rng.integers(0, per_station_d, per_station_h)
        daily = rng.lognormal(1.0, 0.5, (per_station_h, days))
        fed = np.zeros((per_station_d, days))
        np.add.at(fed, owner, daily)
        supply = np.repeat(fed * rng.uniform(1.03, 1.08, (per_station_d, 1)) / 96, 96, axis=1)
        for kind, frame in (
            (
                "transformer",
                pl.DataFrame(
                    {
                        "transformer": np.repeat(codes, steps),
                        "ts": pl.concat([ts15] * per_station_d),
                        "energy_kwh": supply.reshape(-1),
                    }
                ),
            ),
            (
                "household",
                pl.DataFrame(
                    {
                        "account_no": np.repeat(accounts, days),
                        "ts": pl.concat([tsday] * per_station_h),
                        "energy_kwh": daily.reshape(-1),
                    }
                ),
            ),
        ):
            folder = root / "grid" / kind / f"station={code}" / f"month={MONTH:%Y-%m}"
            folder.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(folder / "bench.parquet", compression="zstd")
        members = pl.DataFrame({"account_no": accounts, "transformer": [codes[i] for i in owner]})
        out.append((code, members))
    return out


def ours(code: str, members: pl.DataFrame) -> int:
    from powerexpress.analytics import lineloss
    from powerexpress.lineloss.services import households_monthly, supply_monthly

    supply = supply_monthly(code, MONTH)
    sales = households_monthly(code, MONTH)
    return lineloss.window_loss(supply, sales, members).height


def bare(root: Path, code: str, members: pl.DataFrame) -> int:
    files = {
        kind: sorted((root / "grid" / kind / f"station={code}").glob("month=*/*.parquet"))
        for kind in ("transformer", "household")
    }
    supply = (
        pl.scan_parquet(files["transformer"])
        .group_by("transformer")
        .agg(pl.col("energy_kwh").sum())
        .collect()
    )
    sales = (
        pl.scan_parquet(files["household"]).group_by("account_no").agg(pl.col("energy_kwh").sum()).collect()
    )
    per_district = (
        members.join(sales, on="account_no").group_by("transformer").agg(pl.col("energy_kwh").sum())
    )
    return supply.join(per_district, on="transformer", how="left").height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=10_000)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lineloss-bench-") as tmp:
        root = Path(tmp)
        os.environ["POWEREXPRESS_DATA_DIR"] = str(root)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerexpress.settings")
        import django

        django.setup()
        started = time.perf_counter()
        partitions = write_month(root, args.districts, args.households, args.stations, args.seed)
        print(
            f"wrote {args.districts:,} districts × {args.households:,} households in {time.perf_counter() - started:.1f} s"
        )
        totals = {"ours": 0.0, "bare": 0.0}
        rows = {"ours": 0, "bare": 0}
        for index, (code, members) in enumerate(partitions):
            order = ("ours", "bare") if index % 2 == 0 else ("bare", "ours")
            for name in order:
                begun = time.perf_counter()
                rows[name] += ours(code, members) if name == "ours" else bare(root, code, members)
                totals[name] += time.perf_counter() - begun
        print(f"ours (readers + classes): {totals['ours']:6.2f} s for {rows['ours']:,} districts")
        print(f"bare polars group-by:     {totals['bare']:6.2f} s for {rows['bare']:,} districts")
        print(
            f"ratio ours / bare:        {totals['ours'] / totals['bare']:6.2f}×  (target < 3×; ours < 30 s)"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
