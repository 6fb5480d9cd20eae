"""The whole path as the person running the server takes it, in separate processes on a file
SQLite database in WAL mode: migrate, setup, import, backup, then restore into a new data
directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs the commands against their own SQLite file; PostgreSQL is covered by test_backup.py",
)


def powerexpress(data_dir: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DB_NAME"}}
    env.update(POWEREXPRESS_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="powerexpress.settings")
    result = subprocess.run(
        [sys.executable, "-m", "powerexpress.manage", *args], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_new_installation_backs_up_and_restores_into_a_new_data_directory(tmp_path):
    old, new, backup_set = tmp_path / "old", tmp_path / "new", tmp_path / "set"
    powerexpress(old, "migrate", "--no-input", "-v0")
    powerexpress(old, "setup", "--bureau-code", "YP", "--bureau-name", "玉屏供电局", "--manager", "li")
    stations = tmp_path / "stations.csv"
    stations.write_text("编码,名称\nXD,新店供电所\n", encoding="utf-8")
    assert "imported 1 new" in powerexpress(old, "import", "stations", str(stations), "--user", "li", "-v0")
    (old / "media" / "repair").mkdir(parents=True)
    (old / "media" / "repair" / "pole.jpg").write_bytes(b"photo")
    powerexpress(old, "backup", str(backup_set))
    assert sorted(p.name for p in backup_set.iterdir()) == ["data", "database.sqlite3", "manifest.json"]
    manifest = json.loads((backup_set / "manifest.json").read_text())
    assert manifest["database"]["tables"]["registry_supplystation"] == 1
    assert "row counts match" in powerexpress(new, "restore", str(backup_set))
    assert (new / "media" / "repair" / "pole.jpg").read_bytes() == b"photo"
    assert "No migrations to apply" in powerexpress(new, "migrate", "--no-input")
    assert "nothing to change" in powerexpress(
        new, "setup", "--bureau-code", "YP", "--bureau-name", "玉屏供电局", "--manager", "li"
    )
