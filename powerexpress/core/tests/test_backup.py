"""Backup and restore: a set holds every row and every file, is consistent while the app writes,
and a damaged set is refused before anything is touched. Runs on the configured database (SQLite,
or PostgreSQL when DATABASE_URL points to it)."""

import io
import json
import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction

from conftest import build_world
from powerexpress.core import backup
from powerexpress.grid import services as grid_services
from powerexpress.grid.choices import DataKind, FileStatus
from powerexpress.grid.tests.conftest import transformer_csv
from powerexpress.registry.models import Customer, Meter, Village

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHOTO_BYTES = b"\xff\xd8\xff\xe0 a photo of a fallen pole \xff\xd9"


def needs_pg_tools():
    if connection.vendor == "postgresql" and not backup.shutil.which("pg_dump"):
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client)")


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def all_counts() -> dict[str, int]:
    return backup.table_counts(connection.introspection.table_names())


def file_bytes(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def make_world_with_files():
    world = build_world()
    record = grid_services.interval_file_ingest(
        user=world.users["clerk_a"], kind=DataKind.TRANSFORMER, file_name="t.csv", content=transformer_csv()
    )
    assert record.status == FileStatus.ACCEPTED
    default_storage.save("repair/2026/12/pole.jpg", ContentFile(PHOTO_BYTES))
    return world


def empty_installation(settings, tmp_path, name: str) -> None:
    call_command("flush", interactive=False, verbosity=0)
    settings.DATA_DIR = tmp_path / f"{name}-data"
    settings.MEDIA_ROOT = tmp_path / f"{name}-media"


def test_a_restore_into_an_empty_database_and_data_directory_finds_every_row_and_file(settings, tmp_path):
    needs_pg_tools()
    make_world_with_files()
    counts, data, media = all_counts(), file_bytes(settings.DATA_DIR), file_bytes(settings.MEDIA_ROOT)
    assert any(name.endswith(".parquet") for name in data) and "repair/2026/12/pole.jpg" in media
    assert "verified" in run("backup", str(tmp_path / "set"))
    empty_installation(settings, tmp_path, "new")
    assert not Customer.objects.exists()
    assert "row counts match" in run("restore", str(tmp_path / "set"))
    assert all_counts() == counts
    assert file_bytes(settings.DATA_DIR) == data and file_bytes(settings.MEDIA_ROOT) == media
    customer = Customer.objects.get(account_no="0602000001")
    assert (customer.phone, customer.transformer.code) == ("13812345678", "XD001-01")


def test_the_manifest_lists_files_with_sizes_and_checksums_and_rows_per_table(settings, tmp_path):
    needs_pg_tools()
    make_world_with_files()
    run("backup", str(tmp_path / "set"))
    manifest = json.loads((tmp_path / "set" / "manifest.json").read_text())
    assert manifest["database"]["tables"]["registry_customer"] == 3
    assert {"created_at", "app_version", "files"} <= set(manifest)
    photo = next(f for f in manifest["files"] if f["path"].endswith("pole.jpg"))
    assert photo["size"] == len(PHOTO_BYTES)
    assert photo["sha256"] == backup.file_sha256(tmp_path / "set" / photo["path"])


def test_a_backup_taken_while_rows_are_written_restores_to_a_consistent_set(settings, tmp_path):
    needs_pg_tools()
    world = build_world()
    village_pk = world.village_a.pk
    written, enough, stop, failures = [0], threading.Event(), threading.Event(), []

    def writer():
        """Each transaction writes a household and its meter: a consistent set has both or neither."""
        try:
            while not stop.is_set():
                try:
                    with transaction.atomic():
                        customer = Customer.objects.create(
                            account_no=f"09{written[0]:08d}", name="并发户", village_id=village_pk, phase="A"
                        )
                        Meter.objects.create(customer=customer, meter_no=f"W{written[0]:08d}")
                except OperationalError:  # SQLite: the table is locked while the backup reads
                    continue
                written[0] += 1
                if written[0] >= 20:
                    enough.set()
        except Exception as exc:  # reported by the test below
            failures.append(exc)
            enough.set()
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert enough.wait(120)
        run("backup", str(tmp_path / "set"))
        at_backup_end = written[0]
        while written[0] < at_backup_end + 5 and thread.is_alive():
            thread.join(0.05)
    finally:
        stop.set()
        thread.join()
    assert not failures
    empty_installation(settings, tmp_path, "new")
    run("restore", str(tmp_path / "set"))
    restored = Customer.objects.filter(account_no__startswith="09").count()
    assert 20 <= restored < written[0]
    assert Meter.objects.filter(meter_no__startswith="W").count() == restored
    assert not Customer.objects.filter(account_no__startswith="09", meters__isnull=True).exists()
    assert Village.objects.get(code="XD001").customers.count() == restored + 2


def test_a_tampered_file_makes_restore_refuse_before_touching_anything(settings, tmp_path):
    needs_pg_tools()
    make_world_with_files()
    run("backup", str(tmp_path / "set"))
    photo = next((tmp_path / "set").rglob("pole.jpg"))
    photo.write_bytes(PHOTO_BYTES.replace(b"pole", b"tree"))
    Customer.objects.filter(account_no="0602000001").update(name="改过的名字")
    with pytest.raises(CommandError, match="does not match its checksum"):
        run("restore", "--force", str(tmp_path / "set"))
    assert Customer.objects.get(account_no="0602000001").name == "改过的名字"


def test_a_file_added_to_the_set_makes_restore_refuse(settings, tmp_path):
    needs_pg_tools()
    make_world_with_files()
    run("backup", str(tmp_path / "set"))
    (tmp_path / "set" / "data" / "stray.txt").write_text("not from the backup")
    with pytest.raises(CommandError, match="not in its manifest"):
        run("restore", "--force", str(tmp_path / "set"))


def test_restore_refuses_a_database_or_data_directory_holding_data_unless_forced(settings, tmp_path):
    needs_pg_tools()
    make_world_with_files()
    run("backup", str(tmp_path / "set"))
    with pytest.raises(CommandError, match="--force"):
        run("restore", str(tmp_path / "set"))
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="data directory"):
        run("restore", str(tmp_path / "set"))
    assert "row counts match" in run("restore", "--force", str(tmp_path / "set"))


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        run("backup", str(tmp_path / "set"))


def test_without_the_postgresql_client_tools_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="postgresql-client"):
        backup._pg_backup(tmp_path / "database.pgdump")
