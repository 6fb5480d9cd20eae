"""A throw-away copy of the dev database for benchmarks that run in-process (the original is never
modified), with the environment pointed at it before Django is set up."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_DATABASE = ROOT / "var" / "powerexpress.sqlite3"


def scratch_database(prefix: str, *, require_demo: bool) -> Path:
    """Copy ``var/powerexpress.sqlite3`` into a fresh temporary folder (or start empty there when it
    is absent and ``require_demo`` is False) and make it the database; returns its path."""
    if require_demo and not DEV_DATABASE.exists():
        sys.exit(f"{DEV_DATABASE.relative_to(ROOT)} is missing: run `powerexpress demo` first.")
    target = Path(tempfile.mkdtemp(prefix=f"{prefix}-bench-")) / "bench.sqlite3"
    if DEV_DATABASE.exists():
        shutil.copy(DEV_DATABASE, target)
    os.environ["DATABASE_URL"] = f"sqlite:///{target}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerexpress.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-a-real-site")
    return target
