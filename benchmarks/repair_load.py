"""Fault-report submission under load, on loopback: latency percentiles at N concurrent clients.

Targets: POST /api/v1/faults p95 under 100 ms at 50 concurrent clients, 2 cores, PostgreSQL
(issue 4), and within 2x the p95 of a trivial GET (``--probe-path``, default ``/healthz``, answered
by the same server) measured during the same run (issue 11). A few probe clients send that GET
a few times a second while the phones report; both p95s and their ratio are printed. Each client is a keep-alive connection sending reports one after another, either
back to back (think 0 ms: a stress test, latency = queueing) or with a pause between reports
(think 1000 ms: 50 phones reporting every second, 3,000 reports a minute). Sends a bounded number of requests (every one with its own Idempotency-Key) to a
server on this machine only, checks that every report was stored, and prints the figures side
by side with the target.

Usage (the server must run with RATELIMIT_ENABLE=false, or every client past 30/min is refused):
    RATELIMIT_ENABLE=false DATABASE_URL=postgres://... gunicorn powerexpress.wsgi -w 2 -b 127.0.0.1:8705
    python benchmarks/repair_load.py --url http://127.0.0.1:8705 --clients 50 --requests 2000
"""

import argparse
import http.client
import json
import os
import statistics
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

TARGET_P95_MS = 100.0
TARGET_RATIO = 2.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


class Client:
    """One simulated villager's phone: a keep-alive connection sending reports one after another."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("this load script only targets a server on loopback")
        self.host, self.port = parts.hostname, parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def post(self, path: str, body: dict, key: str) -> tuple[int, float, dict]:
        payload = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key, "Accept-Language": "zh-hans"}
        started = time.perf_counter()
        try:
            self.connection.request("POST", path, payload, headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            return 0, (time.perf_counter() - started) * 1000, {}
        elapsed_ms = (time.perf_counter() - started) * 1000
        return response.status, elapsed_ms, json.loads(data or b"{}")

    def get(self, path: str) -> tuple[int, float]:
        started = time.perf_counter()
        try:
            self.connection.request("GET", path, headers={"Accept-Language": "zh-hans"})
            response = self.connection.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            return 0, (time.perf_counter() - started) * 1000
        return response.status, (time.perf_counter() - started) * 1000


def probe(url: str, path: str, stop: threading.Event, pause_s: float, samples: list) -> None:
    """A client sending a trivial GET every ``pause_s`` until ``stop`` is set."""
    client = Client(url)
    while not stop.is_set():
        samples.append(client.get(path))
        stop.wait(pause_s)


def run(
    url: str,
    clients: int,
    requests: int,
    villages: list[str],
    duration_limit_s: float,
    think_s: float,
    probe_path: str = "/healthz",
    probe_clients: int = 4,
) -> dict:
    local = threading.local()
    deadline = time.monotonic() + duration_limit_s
    run_id = uuid.uuid4().hex[:8]

    def one(index: int):
        if time.monotonic() > deadline:
            return None
        if not hasattr(local, "client"):
            local.client = Client(url)
        body = {
            "village": villages[index % len(villages)],
            "phone": f"139{index % 100_000_000:08d}",
            "description": f"负载测试 {index}: 停电",
        }
        result = local.client.post("/api/v1/faults", body, f"bench-{run_id}-{index}")
        time.sleep(think_s)
        return result

    stop, probes = threading.Event(), []
    probe_threads = [
        threading.Thread(target=probe, args=(url, probe_path, stop, 0.25, probes), daemon=True)
        for _ in range(probe_clients)
    ]
    for thread in probe_threads:
        thread.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for r in pool.map(one, range(requests)) if r is not None]
    wall_s = time.perf_counter() - started
    stop.set()
    for thread in probe_threads:
        thread.join()
    latencies = [ms for status, ms, _body in results if status == 201]
    numbers = {body.get("number") for status, _ms, body in results if status == 201}
    return {
        "sent": len(results),
        "created": len(latencies),
        "distinct_numbers": len(numbers),
        "errors": sum(1 for status, _ms, _body in results if status != 201),
        "wall_s": wall_s,
        "latencies": latencies,
        "probe_latencies": [ms for status, ms in probes if 200 <= status < 500],
        "probe_statuses": sorted({status for status, _ms in probes}),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8705")
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--requests", type=int, default=2000, help="per run (bounded)")
    parser.add_argument("--probe-path", default="/healthz", help="the trivial GET to compare with")
    parser.add_argument("--probe-clients", type=int, default=4)
    parser.add_argument("--villages", default="XD001,XD002,ZJC001,DL001")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="stop sending after this long")
    parser.add_argument(
        "--think-ms",
        type=float,
        nargs="+",
        default=[0, 1000],
        help="pause of each client between two reports (0 = back to back)",
    )
    args = parser.parse_args()
    villages = args.villages.split(",")
    Client(args.url).post(
        "/api/v1/faults",
        {"village": villages[0], "phone": "13900000000", "description": "warm-up"},
        f"bench-warmup-{uuid.uuid4().hex}",
    )
    print(f"POST /api/v1/faults on {args.url} (nproc={os.cpu_count()}), {args.requests} requests per run")
    print(
        f"{'think ms':>8} {'clients':>8} {'sent':>6} {'201':>6} {'errors':>7} {'lost':>5} {'req/s':>8} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'GET p95':>8} {'ratio':>6}  target p95 < {TARGET_P95_MS:.0f} ms "
        f"and < {TARGET_RATIO:.0f}x GET {args.probe_path}"
    )
    for think_ms, clients in [(t, c) for t in args.think_ms for c in args.clients]:
        result = run(
            args.url,
            clients,
            args.requests,
            villages,
            args.max_seconds,
            think_ms / 1000,
            args.probe_path,
            args.probe_clients,
        )
        latencies = result["latencies"] or [float("nan")]
        p95 = percentile(latencies, 95)
        probe_p95 = percentile(result["probe_latencies"] or [float("nan")], 95)
        ratio = p95 / probe_p95
        # a report is lost when it was sent but no distinct ticket number came back for it
        lost = result["sent"] - result["distinct_numbers"]
        verdict = "MET" if p95 < TARGET_P95_MS and ratio < TARGET_RATIO and not lost else "MISSED"
        print(
            f"{think_ms:>8.0f} {clients:>8} {result['sent']:>6} {result['created']:>6} {result['errors']:>7} "
            f"{lost:>5} {result['sent'] / result['wall_s']:>8.0f} {statistics.median(latencies):>8.1f} {p95:>8.1f} "
            f"{percentile(latencies, 99):>8.1f} {max(latencies):>8.1f} {probe_p95:>8.1f} {ratio:>6.2f}  "
            f"{verdict if clients == 50 else ''}  (GET answered {result['probe_statuses']})"
        )


if __name__ == "__main__":
    main()
