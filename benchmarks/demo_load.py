"""How long `powerexpress demo` takes to build the demo county on SQLite.

Target (issue 2): 50,000 households in under 60 s on a 2-core machine. Runs the real command
against a fresh SQLite file in a temporary directory and prints the figures side by side with
the target. Usage: python benchmarks/demo_load.py [--households 50000] [--runs 2]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0


def run(households: int, workdir: Path) -> float:
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}", POWEREXPRESS_DATA_DIR=str(workdir)
    )
    manage = [sys.executable, "-P", "-m", "powerexpress.manage"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run(
        [*manage, "demo", "--households", str(households), "--registry-only", "-v0"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            times.append(run(args.households, Path(tmp)))
    best = min(times)
    print(f"demo county, {args.households:,} households on SQLite (nproc={os.cpu_count()})")
    print(f"{'run':>6} {'seconds':>9} {'households/s':>13}")
    for index, seconds in enumerate(times, start=1):
        print(f"{index:>6} {seconds:>9.1f} {args.households / seconds:>13,.0f}")
    print(f"best {best:.1f} s  vs target {TARGET_S:.0f} s  -> {'MET' if best < TARGET_S else 'MISSED'}")


if __name__ == "__main__":
    main()
