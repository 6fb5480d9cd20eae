"""Full billing run for 50,000 households including the database writes, against bulk-inserting
the very same bill rows by the database's fastest path (COPY on PostgreSQL, executemany in one
transaction on SQLite), side by side in one run; ``BENCH_RUNS=10`` repeats the pair ten times
(wall and CPU seconds of this process each time).

    .venv/bin/python benchmarks/billing_run.py                 # SQLite scratch file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billing_bench .venv/bin/python benchmarks/billing_run.py

The scratch database is created and migrated on first use; never point it at real data.
"""

import datetime
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/billing_bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerexpress.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-a-real-site")
HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "50000"))
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
MONTH = datetime.date(2026, 10, 1)


def ensure_database() -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')


def build_households():
    from django.db import connection, transaction

    from powerexpress.billing.models import MeterReading
    from powerexpress.registry.models import Bureau, Customer, SupplyStation, Village

    station = SupplyStation.objects.filter(code="BENCH").first()
    if station and Customer.objects.filter(village__station=station).count() == HOUSEHOLDS:
        return station
    rng = random.Random(5)
    with transaction.atomic():
        bureau, _ = Bureau.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark bureau"})
        station, _ = SupplyStation.objects.get_or_create(
            code="BENCH", defaults={"bureau": bureau, "name": "Bench"}
        )
        village, _ = Village.objects.get_or_create(
            code="BENCH001", defaults={"station": station, "name": "Bench"}
        )
        Customer.objects.bulk_create(
            [
                Customer(
                    account_no=f"99{i:08d}",
                    name="户主",
                    village=village,
                    household_size=rng.choice((2, 3, 4, 6)),
                    tags=",low_income," if rng.random() < 0.05 else "",
                    shared_meter=rng.random() < 0.01,
                )
                for i in range(HOUSEHOLDS)
            ],
            batch_size=5000,
        )
        ids = list(Customer.objects.filter(village=village).values_list("pk", flat=True))
        columns = (
            "customer_id, read_on, revision, current, register_kwh, energy_kwh, estimated, rollover, status, "
            "problem, imported_at"
        )
        now = connection.ops.adapt_datetimefield_value(datetime.datetime.now(datetime.UTC))
        rows = []
        for pk in ids:
            before = Decimal(rng.randrange(0, 3_000_000)) / 1000
            energy = Decimal(rng.randrange(20_000, 900_000)) / 1000
            rows.append((pk, "2026-09-30", 1, True, str(before), None, False, False, "ok", "", now))
            rows.append(
                (pk, "2026-10-31", 1, True, str(before + energy), str(energy), False, False, "ok", "", now)
            )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {MeterReading._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * 11)})",
                rows,
            )
    return station


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call: on a shared machine the CPU time
    says what the work costs, the wall time what the clerk waits."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from powerexpress.billing.models import Bill
    from powerexpress.billing.services import BILL_COLUMNS, billing_run_now, bills_insert

    station = build_households()
    path = "COPY" if connection.vendor == "postgresql" else "executemany in one transaction"
    print(f"database: {connection.vendor}; households: {HOUSEHOLDS:,}; runs: {RUNS}")
    print(f"bulk insert: {path}; ratio: run wall / insert wall")
    print(f"{'#':<4}{'run wall s':>12}{'run cpu s':>12}{'insert wall s':>15}{'insert cpu s':>14}{'ratio':>8}")
    figures = []
    for number in range(1, RUNS + 1):
        Bill.objects.filter(station=station).delete()
        run_s = timed(lambda: billing_run_now(user=None, station=station, month=MONTH))
        rows = list(Bill.objects.filter(station=station).order_by("pk").values_list(*BILL_COLUMNS))
        rows = [tuple(json.dumps(v) if isinstance(v, list) else v for v in row) for row in rows]
        Bill.objects.filter(station=station).delete()

        def insert(rows=rows):
            with transaction.atomic():
                bills_insert(rows)

        insert_s = timed(insert)
        figures.append((run_s, insert_s))
        print(
            f"{number:<4}{run_s[0]:>12.2f}{run_s[1]:>12.2f}{insert_s[0]:>15.2f}{insert_s[1]:>14.2f}"
            f"{run_s[0] / insert_s[0]:>7.2f}x"
        )
    Bill.objects.filter(station=station).delete()
    walls = [run[0] for run, _insert in figures]
    ratios = sorted(run[0] / insert[0] for run, insert in figures)
    print(
        f"bills per run: {len(rows):,}; run wall: max {max(walls):.2f} s, median {sorted(walls)[len(walls) // 2]:.2f} s; "
        f"runs over 5 s: {sum(w > 5 for w in walls)} of {len(walls)}; "
        f"run / bulk insert: median {ratios[len(ratios) // 2]:.2f}x, max {ratios[-1]:.2f}x"
    )


if __name__ == "__main__":
    main()
