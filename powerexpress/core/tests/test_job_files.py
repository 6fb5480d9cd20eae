"""Personal data does not linger on disk: export files and uploaded import files are removed after
their retention period; the job rows stay as the record."""

import datetime
import os

import pytest
from django.conf import settings
from django.utils import timezone

from powerexpress.core.jobs import job_files_expire
from powerexpress.core.models import ExportJob, ExportStatus, ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

READY_AT = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def ready_export(user, name: str) -> ExportJob:
    relative = f"exports/{user.pk}/{name}.csv"
    path = settings.DATA_DIR / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"account_no\n0602000001\n")
    return ExportJob.objects.create(
        user=user,
        kind="customers",
        file_format="csv",
        status=ExportStatus.SUCCEEDED,
        file_path=relative,
        finished_at=READY_AT,
    )


def test_an_export_file_is_deleted_when_its_retention_has_passed_and_not_a_second_before(world, settings):
    settings.EXPORT_RETENTION_HOURS = 24
    job = ready_export(world.users["clerk_a"], "1")
    path = settings.DATA_DIR / job.file_path
    at_the_limit = READY_AT + datetime.timedelta(hours=24)  # across the year end, 2027-01-01 23:30
    assert job_files_expire(now=at_the_limit)["exports"] == 0 and path.exists()
    assert job_files_expire(now=at_the_limit + datetime.timedelta(seconds=1))["exports"] == 1
    job.refresh_from_db()
    assert not path.exists() and job.file_path == "" and job.status == ExportStatus.SUCCEEDED
    assert job_files_expire(now=at_the_limit + datetime.timedelta(hours=1))["exports"] == 0  # once


def test_the_page_of_an_expired_export_says_so_and_its_download_is_gone(world, settings):
    settings.EXPORT_RETENTION_HOURS = 1
    job = ready_export(world.users["clerk_a"], "2")
    job_files_expire(now=READY_AT + datetime.timedelta(hours=2))
    client = world.web("clerk_a")
    page = client.get(f"/registry/exports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "保留期" in page and f"/registry/exports/{job.pk}/download/" not in page
    assert client.get(f"/registry/exports/{job.pk}/download/").status_code == 404


def test_a_finished_import_loses_its_file_after_retention_and_keeps_its_outcome(world, settings):
    settings.IMPORT_RETENTION_HOURS = 168
    user = world.users["clerk_a"]
    errors = [{"row": 2, "column": "村", "message": "未找到"}]
    failed = ImportJob.objects.create(
        user=user,
        kind="customers",
        file_name="a.csv",
        content=b"x",
        status=ImportStatus.FAILED,
        errors=errors,
        finished_at=READY_AT,
    )
    running = ImportJob.objects.create(
        user=user, kind="customers", file_name="b.csv", content=b"y", status=ImportStatus.RUNNING
    )
    assert job_files_expire(now=READY_AT + datetime.timedelta(hours=168))["imports"] == 0
    assert job_files_expire(now=READY_AT + datetime.timedelta(hours=168, seconds=1))["imports"] == 1
    failed.refresh_from_db(), running.refresh_from_db()
    assert bytes(failed.content) == b"" and failed.errors == errors and failed.status == ImportStatus.FAILED
    assert bytes(running.content) == b"y"


def test_a_partial_file_a_dead_worker_left_is_removed_after_a_day(world, settings):
    folder = settings.DATA_DIR / "exports" / "7"
    folder.mkdir(parents=True)
    old, fresh = folder / "1.csv.part", folder / "2.csv.part"
    old.write_bytes(b"a"), fresh.write_bytes(b"b")
    now = timezone.now()
    day_and_a_minute = (now - datetime.timedelta(days=1, minutes=1)).timestamp()
    os.utime(old, (day_and_a_minute, day_and_a_minute))
    assert job_files_expire(now=now)["partials"] == 1
    assert not old.exists() and fresh.exists()


def test_the_expiry_is_on_the_beat_schedule_every_hour():
    from powerexpress.celery_app import app

    entry = app.conf.beat_schedule["core-job-files-expire"]
    assert (entry["task"], entry["schedule"]) == ("powerexpress.core.tasks.job_files_expire_task", 3600.0)
