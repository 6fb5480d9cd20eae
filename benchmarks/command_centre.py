"""Command centre and KPI pages at two county sizes, side by side: server time per page (median,
min–max over the runs) and the number of SQL queries, through Django's test client in-process.

Each size is a demo county built in its own data directory, e.g.:

    POWEREXPRESS_DATA_DIR=/tmp/county-50k  .venv/bin/powerexpress migrate
    POWEREXPRESS_DATA_DIR=/tmp/county-50k  .venv/bin/powerexpress demo --households 50000
    POWEREXPRESS_DATA_DIR=/tmp/county-200k .venv/bin/powerexpress migrate
    POWEREXPRESS_DATA_DIR=/tmp/county-200k .venv/bin/powerexpress demo --households 200000

Usage:  .venv/bin/python benchmarks/command_centre.py /tmp/county-50k /tmp/county-200k [--runs 5] [--rounds 3]

Every size runs in a child process (Django is set up once per process); the pages only read
(the sign-in writes a session row). Figures depend on the machine: compare the two columns of
one run, not runs on different machines.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    ("scoreboard, manager, 3 months", "manager", "/command/"),
    ("scoreboard, manager, 12 months", "manager", "/command/?months=12"),
    ("scoreboard, Xindian clerk", "xindian_clerk", "/command/"),
    ("scoreboard table as Excel", "manager", "/command/export/repair.xlsx"),
    ("power map data", "manager", "/command/map/data.json"),
    ("station ranking (frozen month)", "manager", "/command/scores/"),
    ("score drill-down XD", "manager", "/command/scores/{last_month}/XD/"),
    ("monthly reports", "manager", "/command/reports/"),
    ("billing KPIs", "manager", "/billing/kpis/"),
    ("outreach overview", "manager", "/outreach/"),
    ("care due list", "manager", "/outreach/care/"),
    ("bills list, first page", "manager", "/billing/bills/"),
    # Three quarters down the list: `page` for the OFFSET pager it replaced, `after` for the cursor.
    ("bills list, 3/4 down", "manager", "/billing/bills/?page={deep_page}&after={deep_cursor}"),
]


def measure(runs: int) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from powerexpress.accounts.models import User
    from powerexpress.billing.models import Bill
    from powerexpress.command.score_selectors import last_complete_month
    from powerexpress.registry.models import Customer

    households = Customer.objects.count()
    last_month = f"{last_complete_month():%Y-%m}"
    deep_offset = Bill.objects.count() * 3 // 4
    deep_month, deep_id = Bill.objects.order_by("-month", "-id").values_list("month", "id")[deep_offset]
    deep = {"deep_page": deep_offset // 50 + 1, "deep_cursor": f"{deep_month:%Y-%m-%d}_{deep_id}"}
    clients = {}
    results = []
    for label, username, path in PAGES:
        if username not in clients:
            clients[username] = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        url = path.format(last_month=last_month, **deep)
        client.get(url)  # warm caches (templates, plotly file lookups)
        times, queries, status = [], 0, 0
        for _run in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                times.append((time.perf_counter() - started) * 1000)
            queries, status = len(captured), response.status_code
        results.append(
            {
                "page": label,
                "times_ms": times,
                "queries": queries,
                "status": status,
            }
        )
    return {"households": households, "pages": results}


def run_child(data_dir: str, runs: int) -> dict:
    env = {**os.environ, "POWEREXPRESS_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    child = subprocess.run(
        [sys.executable, __file__, "--child", "--runs", str(runs)],
        env=env,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        sys.exit(f"{data_dir}: {child.stderr.strip().splitlines()[-1]} (run `powerexpress migrate` there?)")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dirs", nargs="*")
    parser.add_argument("--runs", type=int, default=5, help="requests per page in each round")
    parser.add_argument("--rounds", type=int, default=1, help="rounds; the sizes alternate")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerexpress.settings")
        print(json.dumps(measure(args.runs)))
        return
    if not args.data_dirs:
        parser.error("give one or more data directories, each holding a demo county")
    sizes = [None] * len(args.data_dirs)
    for _round in range(args.rounds):  # sizes take turns, so a burst of load hits both alike
        for index, data_dir in enumerate(args.data_dirs):
            size = run_child(data_dir, args.runs)
            if sizes[index] is None:
                sizes[index] = size
            else:
                for row, more in zip(sizes[index]["pages"], size["pages"], strict=True):
                    row["times_ms"] += more["times_ms"]
    for size in sizes:
        for row in size["pages"]:
            times = row.pop("times_ms")
            row.update(median_ms=statistics.median(times), min_ms=min(times), max_ms=max(times))
    header = f"{'page':<34}" + "".join(
        f" | {s['households']:>7} households: median (min–max) ms, SQL" for s in sizes
    )
    print(header)
    print("-" * len(header))
    for index, (label, _user, _path) in enumerate(PAGES):
        cells = []
        for size in sizes:
            row = size["pages"][index]
            flag = "" if row["status"] == 200 else f" [{row['status']}]"
            cells.append(
                f" | {row['median_ms']:>8.0f} ({row['min_ms']:.0f}–{row['max_ms']:.0f}) ms, {row['queries']:>3} SQL{flag}".ljust(
                    48
                )
            )
        ratio = ""
        if len(sizes) > 1 and sizes[0]["pages"][index]["median_ms"]:
            ratio = (
                f" | ×{sizes[-1]['pages'][index]['median_ms'] / sizes[0]['pages'][index]['median_ms']:.2f}"
            )
        print(f"{label:<34}" + "".join(cells) + ratio)


if __name__ == "__main__":
    main()
