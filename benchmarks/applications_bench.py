"""Service applications: working-day arithmetic, submission latency, station queues and PDFs.

Runs in-process on a throw-away copy of the dev database (var/powerexpress.sqlite3, never
modified) or, when that is absent, on a fresh database with a small demo county. Prints the
figures side by side in one table.

Usage:  .venv/bin/python benchmarks/applications_bench.py [--submissions 300]
"""

import argparse
import contextlib
import datetime
import io
import logging
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch_db import scratch_database  # noqa: E402 (beside this script)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round((len(ordered) - 1) * q / 100)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=300)
    args = parser.parse_args()
    path = scratch_database("applications", require_demo=False)
    os.environ["RATELIMIT_ENABLE"] = "false"
    import django

    django.setup()
    logging.disable(logging.CRITICAL)
    from django.core.management import call_command
    from django.test import Client

    from powerexpress.accounts.models import User
    from powerexpress.applications import pdfs
    from powerexpress.applications.demo import applications_demo_build
    from powerexpress.applications.models import Application
    from powerexpress.applications.selectors import station_queues
    from powerexpress.applications.services import application_submit
    from powerexpress.applications.workdays import add_working_days
    from powerexpress.core.validators import id_check_character
    from powerexpress.registry.models import Village

    quiet = contextlib.redirect_stdout(io.StringIO())
    with quiet:
        call_command("migrate", verbosity=0)
        if not Village.objects.exists():
            call_command("demo", households=2000, verbosity=0, registry_only=True)
        applications_demo_build(count=120)
    rows = []

    started = time.perf_counter()
    day, calls = datetime.date(2025, 1, 1), 0
    while day < datetime.date(2026, 12, 1):
        add_working_days(day, 7)
        day += datetime.timedelta(days=1)
        calls += 1
    seconds = time.perf_counter() - started
    rows.append(("add_working_days(+7) over 2025–2026", f"{calls / seconds:,.0f} calls/s", f"{calls} dates"))

    villages = list(Village.objects.values_list("code", flat=True)[:50])
    first17 = "52222319800101123"
    body = {
        "kind": "agricultural",
        "applicant_name": "杨永国",
        "id_number": first17 + id_check_character(first17),
        "phone": "13812345678",
        "address": "3组",
        "requested_kw": "6",
        "appliances": [
            {"name": "水泵", "quantity": 1, "kw": "5.5"},
            {"name": "灯", "quantity": 2, "kw": "0.05"},
        ],
    }
    service_ms = []
    with contextlib.redirect_stdout(io.StringIO()):
        for index in range(args.submissions):
            started = time.perf_counter()
            application_submit(raw={**body, "village": villages[index % len(villages)]})
            service_ms.append((time.perf_counter() - started) * 1000)
    rows.append(
        (
            "application_submit (service)",
            f"p50 {percentile(service_ms, 50):.1f} ms",
            f"p95 {percentile(service_ms, 95):.1f} ms, n={len(service_ms)}",
        )
    )

    client, api_ms, codes = Client(), [], set()
    with contextlib.redirect_stdout(io.StringIO()):
        for index in range(args.submissions):
            started = time.perf_counter()
            response = client.post(
                "/api/v1/applications",
                {**body, "village": villages[index % len(villages)]},
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"bench-{index}",
            )
            api_ms.append((time.perf_counter() - started) * 1000)
            codes.add(response.status_code)
    rows.append(
        (
            "POST /api/v1/applications (in-process)",
            f"p50 {percentile(api_ms, 50):.1f} ms",
            f"p95 {percentile(api_ms, 95):.1f} ms, statuses {sorted(codes)}",
        )
    )

    manager = User.objects.filter(role="manager").first()
    clerk = User.objects.filter(role="station_staff").first()
    for label, user in (("manager (all stations)", manager), ("station clerk", clerk)):
        if user is None:
            continue
        started = time.perf_counter()
        for _ in range(20):
            queues = station_queues(user)
            sizes = [len(list(queues[name][:200])) for name in ("overdue", "near_due", "open")]
        rows.append(
            (
                f"station_queues, {label}",
                f"{(time.perf_counter() - started) * 50:.1f} ms",
                f"overdue/near/open {sizes}",
            )
        )

    application = Application.objects.order_by("-id").first()
    for label, make in (
        ("receipt PDF (with QR)", lambda: pdfs.receipt_pdf(application, "http://x/track/Y/?t=z")),
        ("filled application PDF", lambda: pdfs.application_pdf(application)),
        ("blank form PDF", lambda: pdfs.blank_pdf("agricultural")),
    ):
        started = time.perf_counter()
        for _ in range(20):
            size = len(make())
        rows.append((label, f"{(time.perf_counter() - started) * 50:.1f} ms", f"{size / 1024:.0f} KiB"))

    total = Application.objects.count()
    print(f"\nService applications benchmark ({total} applications in {path.name}, {os.cpu_count()} CPUs)\n")
    width = max(len(name) for name, *_ in rows)
    print(f"{'measure':<{width}}  {'figure':>16}  detail")
    for name, figure, detail in rows:
        print(f"{name:<{width}}  {figure:>16}  {detail}")
    shutil.rmtree(path.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
