"""Outreach programme: demo data build, the care due list, hazard list, notice-board pages and
the station batch print.

Runs in-process on a throw-away copy of the dev database (var/powerexpress.sqlite3, never
modified; migrated first) and prints the figures side by side in one table.

Usage:  .venv/bin/python benchmarks/outreach_bench.py [--runs 3]
"""

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch_db import scratch_database  # noqa: E402 (beside this script)


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = scratch_database("outreach", require_demo=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import RequestFactory
    from django.utils import timezone

    from powerexpress.accounts.models import User
    from powerexpress.outreach import selectors
    from powerexpress.outreach.board import board_pdf
    from powerexpress.outreach.demo import outreach_demo_build, outreach_demo_exists, outreach_demo_reset
    from powerexpress.outreach.views import report_url
    from powerexpress.registry.models import Customer, SupplyStation

    call_command("migrate", verbosity=0)
    if outreach_demo_exists():
        outreach_demo_reset()
    rows = []
    started = time.perf_counter()
    counts = outreach_demo_build()
    rows.append(
        (
            "outreach_demo build (all stations)",
            f"{time.perf_counter() - started:.2f} s",
            f"{counts['visits']} visits, {counts['activities']} activities, {counts['hazards']} hazards",
        )
    )
    today = timezone.localdate()
    manager = User.objects.get(username="manager")
    clerk = User.objects.get(username="xindian_clerk")
    tagged = Customer.objects.exclude(tags="").count()
    seconds, result = timed(lambda: selectors.care_households(manager, today=today), args.runs)
    rows.append(
        ("care due list, bureau-wide", f"{seconds * 1000:.0f} ms", f"{len(result)} of {tagged} tagged")
    )
    seconds, result = timed(lambda: selectors.care_households(clerk, today=today), args.runs)
    rows.append(("care due list, one station (XD)", f"{seconds * 1000:.0f} ms", f"{len(result)} households"))
    seconds, result = timed(lambda: list(selectors.hazard_list(manager, today=today)), args.runs)
    rows.append(("hazard list, bureau-wide", f"{seconds * 1000:.1f} ms", f"{len(result)} hazards"))
    station = SupplyStation.objects.get(code="XD")
    request = RequestFactory().get("/outreach/boards/XD/print/")
    villages = list(station.villages.select_related("station__bureau"))
    seconds, result = timed(lambda: [selectors.notice_board(v) for v in villages], args.runs)
    rows.append(("board data, every XD village", f"{seconds * 1000:.0f} ms", f"{len(villages)} villages"))
    seconds, pdf = timed(
        lambda: board_pdf([(selectors.notice_board(v), report_url(request, v)) for v in villages]), args.runs
    )
    rows.append(
        (
            "batch print A3 PDF, station XD",
            f"{seconds:.2f} s",
            f"{len(villages)} pages, {len(pdf) // 1024} KiB ({seconds / len(villages) * 1000:.0f} ms/page)",
        )
    )
    width = max(len(name) for name, _t, _n in rows)
    print(f"{'measure':<{width}}  {'median':>10}  notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")
    shutil.rmtree(path.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
