"""No orphan data: files are published only for committed uploads; grid-check finds and repairs
what disagrees between the partitions' metadata and the files."""

import pytest
from django.core.management import call_command
from django.db import transaction

from powerexpress.grid import services, storage
from powerexpress.grid.choices import DataKind, FileStatus
from powerexpress.grid.integrity import grid_check
from powerexpress.grid.models import IntervalFile, Partition
from powerexpress.grid.tests.conftest import transformer_csv

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


def upload(world, content=None):
    return services.interval_file_ingest(
        user=world.users["clerk_a"],
        kind=DataKind.TRANSFORMER,
        file_name="t.csv",
        content=content or transformer_csv(),
    )


def parquet_files():
    return sorted(p.name for p in (storage.root() / DataKind.TRANSFORMER).rglob("*") if p.is_file())


def test_a_rolled_back_upload_leaves_no_file_and_the_same_data_can_be_uploaded_again(world, data_dir):
    with pytest.raises(Boom), transaction.atomic():
        upload(world)
        raise Boom
    assert not IntervalFile.objects.exists() and not Partition.objects.exists()
    assert [name for name in parquet_files() if name.endswith(".parquet")] == []
    record = upload(world)
    assert record.status == FileStatus.ACCEPTED, record.report
    assert parquet_files() == [f"file-{record.pk}.parquet"]


def test_a_committed_upload_is_published_and_read(world, data_dir):
    record = upload(world)
    assert parquet_files() == [f"file-{record.pk}.parquet"]
    assert storage.scan(DataKind.TRANSFORMER, station_code="XD").collect().height == 288
    assert grid_check() == []


def test_grid_check_lists_and_repairs_a_staged_file_an_orphan_and_a_wrong_count(world, data_dir, capsys):
    record = upload(world)
    folder = next((storage.root() / DataKind.TRANSFORMER).rglob("month=*"))
    (folder / f"file-{record.pk}.parquet").rename(folder / "file-999.parquet")  # its upload is gone
    (folder / "file-1000.parquet.staged").write_bytes(b"never committed")
    call_command("grid-check")
    out = capsys.readouterr().out
    assert "orphan_file" in out and "staged_file" in out and "rows_mismatch" in out
    assert {f.code for f in grid_check()} == {
        "orphan_file",
        "staged_file",
        "rows_mismatch",
        "empty_partition",
    } - {"empty_partition"}
    call_command("grid-check", "--repair")
    assert grid_check() == []
    assert parquet_files() == []
    assert Partition.objects.get().rows == 0 or not Partition.objects.exists()
