"""Management commands and the per-partition Celery task."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from powerexpress.grid.choices import DataKind
from powerexpress.grid.models import IntervalFile, LoadEvent, Partition
from powerexpress.grid.tests.conftest import transformer_csv

pytestmark = pytest.mark.django_db


def test_the_balance_command_answers_like_the_api(tmp_path, capsys):
    body = {
        "profiles": {"a": [5.0], "b": [5.0], "c": [1.0]},
        "phases": {"a": "A", "b": "A", "c": "A"},
        "max_moves": 2,
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(body))
    call_command("grid_balance", "--json", str(path))
    out = json.loads(capsys.readouterr().out)
    assert out["peak_phase_kw_after"] == 5.0 and len(out["moves"]) == 2 and out["optimal"] is True
    assert out["stopped_early"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"profiles": {"a": [1.0], "b": [1.0, 2.0]}, "phases": {"a": "A", "b": "A"}, "max_moves": 1},
            "profiles",
        ),
        ({"profiles": {"a": [1.0]}, "phases": {"a": "D"}, "max_moves": 1}, "phases"),
        ({"profiles": {"a": [1.0]}, "phases": {"a": "A"}, "max_moves": -2}, "max_moves"),
        ({"profiles": {"a": ["x"]}, "phases": {"a": "A"}, "max_moves": 1}, "profiles"),
        ({"profiles": {"a": [1.0]}, "phases": {"a": "A"}}, "max_moves"),
        ({"profiles": {"a": [1.0]}, "phases": {"a": "A"}, "max_moves": 1, "fixed": ["z"]}, "fixed"),
    ],
)
def test_the_balance_command_validates_like_the_api(tmp_path, body, field):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(body))
    with pytest.raises(CommandError, match=f"{field}:"):
        call_command("grid_balance", "--json", str(path))


def test_the_ingest_command_loads_good_files_and_fails_on_bad_ones(world, data_dir, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(transformer_csv())
    call_command("grid_ingest", str(good))
    assert "(288 readings)" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(transformer_csv(volts=0.23, start=dt.datetime(2026, 2, 1)))
    with pytest.raises(CommandError):
        call_command("grid_ingest", str(bad))
    assert IntervalFile.objects.count() == 2


def test_the_detect_command_queues_one_task_per_partition(
    world, data_dir, tmp_path, capsys, django_capture_on_commit_callbacks
):
    good = tmp_path / "good.csv"
    good.write_bytes(transformer_csv(overload_hours=(18, 21)))
    with django_capture_on_commit_callbacks(execute=True):  # files are published on commit
        call_command("grid_ingest", str(good))
    LoadEvent.objects.all().delete()
    call_command("grid_detect")
    assert "1 partitions" in capsys.readouterr().out
    assert LoadEvent.objects.filter(kind="overload").count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_partition_is_detected_by_a_real_worker(celery_worker_redis, settings, tmp_path):
    import io

    import polars as pl

    from conftest import build_world
    from powerexpress.analytics import loading
    from powerexpress.grid import storage
    from powerexpress.grid.tasks import detect_partition

    settings.DATA_DIR = tmp_path
    world = build_world()
    raw = pl.read_csv(io.BytesIO(transformer_csv(overload_hours=(18, 21))), infer_schema_length=0)
    frame, _issues = loading.check_intervals(raw, "transformer")
    frame = frame.drop("step_min").with_columns(
        loading.apparent_power_kva(*(pl.col(c) for c in ("i_a", "i_b", "i_c", "v_a", "v_b", "v_c"))).alias(
            "s_kva"
        ),
        pl.lit("XD").alias("station"),
    )
    storage.write_parts(DataKind.TRANSFORMER, frame, "direct")
    Partition.objects.create(
        kind=DataKind.TRANSFORMER, station=world.station_a, month=dt.date(2026, 1, 1), rows=frame.height
    )
    detect_partition.delay("XD", "2026-01-01").get(timeout=60)  # waits in Redis, not on the worker's table
    assert Partition.objects.get().detected_at is not None
    assert LoadEvent.objects.filter(kind="overload").count() == 1
