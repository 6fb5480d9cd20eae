"""Background jobs always run and never stay stuck: the embedded broker, dispatch with the broker
down, the reaper, and a worker killed mid-job."""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import build_world, embedded_broker_conf
from powerexpress.billing.choices import RunStatus
from powerexpress.billing.models import BillingRun
from powerexpress.core.jobs import job_dispatch, job_heartbeat, jobs_reap
from powerexpress.core.models import ExportJob, ExportStatus, ImportJob, ImportStatus, JobHeartbeat
from powerexpress.core.tasks import jobs_reap_task
from powerexpress.registry.tasks import run_export_job
from powerexpress.repair.models import FaultTicket
from powerexpress.repair.tests.factories import report

NOBODY_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: connection refused at once


@contextlib.contextmanager
def broker_down():
    from powerexpress.celery_app import app

    keys = ("broker_url", "task_always_eager")
    saved = {key: app.conf.get(key) for key in keys}
    app.conf.update(broker_url=NOBODY_LISTENS, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.update(**saved)
        app._pool = None
        app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_an_overdue_ticket_is_escalated_by_the_beat_job_on_a_real_worker_on_the_embedded_broker(
    celery_worker_embedded,
):
    world = build_world()
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2), tick=True):
        ticket = report(world)
    # One beat tick: send what the schedule names, as beat does, through the filesystem broker.
    entry = celery_worker_embedded.conf.beat_schedule["repair-escalate"]
    assert entry["schedule"] == 60.0
    result = celery_worker_embedded.send_task(entry["task"])
    assert result.get(timeout=120) >= 1
    assert FaultTicket.objects.get(pk=ticket.pk).arrival_escalation == "overdue"


def test_without_a_broker_url_the_settings_use_the_embedded_filesystem_broker():
    if os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is set in this environment")
    assert settings.CELERY_BROKER_URL == "filesystem://"
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]
        assert folder.startswith(str(settings.CELERY_DIR)) and os.path.isdir(folder)
    assert settings.CELERY_RESULT_BACKEND.startswith("file://")


def test_the_reaper_is_on_the_beat_schedule_every_minute():
    from powerexpress.celery_app import app

    entry = app.conf.beat_schedule["core-jobs-reap"]
    assert (entry["task"], entry["schedule"]) == ("powerexpress.core.tasks.jobs_reap_task", 60.0)


def test_an_import_started_while_the_broker_is_down_is_failed_at_once_with_the_reason(world):
    client = world.web("manager")
    content = "code,name\nXD,新店供电所\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with broker_down():
        response = client.post(
            "/registry/stations/import/", {"file": SimpleUploadedFile("stations.csv", content)}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/imports/{job.pk}/")
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert "后台任务进程无法连接" in job.errors[0]["message"]
    page = client.get(response["Location"]).content.decode()
    assert "后台任务进程无法连接" in page


def test_a_billing_run_started_while_the_broker_is_down_is_failed_at_once(world):
    from powerexpress.billing.services import billing_run_start

    with broker_down():
        run = billing_run_start(
            user=world.users["clerk_a"], station=world.station_a, month=datetime.date(2026, 10, 1)
        )
    assert run.status == RunStatus.FAILED and "后台任务进程无法连接" in run.message
    assert run.finished_at is not None
    page = world.web("clerk_a").get(reverse("billing:run", args=[run.pk])).content.decode()
    assert "后台任务进程无法连接" in page and "hx-get" not in page


def test_a_job_without_a_sign_of_life_for_the_configured_time_is_reaped_as_failed(world, settings):
    settings.JOB_STALE_SECONDS = 600
    start = timezone.now()
    user = world.users["manager"]
    with time_machine.travel(start, tick=False):
        lost = ExportJob.objects.create(user=user, kind="customers", status=ExportStatus.RUNNING)
        working = ExportJob.objects.create(user=user, kind="customers", status=ExportStatus.RUNNING)
        waiting = ImportJob.objects.create(user=user, kind="stations", file_name="a.csv", content=b"")
        done = ExportJob.objects.create(user=user, kind="customers", status=ExportStatus.SUCCEEDED)
        job_heartbeat(job=lost)
    with time_machine.travel(start + datetime.timedelta(seconds=400), tick=False):
        job_heartbeat(job=working)
    assert jobs_reap(now=start + datetime.timedelta(seconds=599)) == 0
    assert jobs_reap(now=start + datetime.timedelta(seconds=601)) == 2  # lost and waiting
    lost.refresh_from_db(), working.refresh_from_db(), waiting.refresh_from_db(), done.refresh_from_db()
    assert lost.status == ExportStatus.FAILED and "10 分钟没有进展" in lost.error
    assert waiting.status == ImportStatus.FAILED and "10 分钟没有进展" in waiting.errors[0]["message"]
    assert working.status == ExportStatus.RUNNING and done.status == ExportStatus.SUCCEEDED
    assert not JobHeartbeat.objects.filter(job_id=lost.pk, job_type="core.exportjob").exists()
    assert jobs_reap(now=start + datetime.timedelta(seconds=1001)) == 1  # working went quiet too


def test_the_reaper_task_fails_a_billing_run_whose_worker_died(world, settings):
    settings.JOB_STALE_SECONDS = 60
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=5), tick=False):
        run = BillingRun.objects.create(
            station=world.station_a, month=datetime.date(2026, 10, 1), total_count=3
        )
    assert jobs_reap_task() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "1 分钟没有进展" in run.message


def test_a_task_arriving_for_a_job_already_reaped_does_nothing(world, django_capture_on_commit_callbacks):
    job = ExportJob.objects.create(
        user=world.users["manager"], kind="customers", status=ExportStatus.FAILED, error="reaped"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert run_export_job(job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert job.error == "reaped" and job.file_path == ""
    assert not (settings.DATA_DIR / "exports").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_a_job_the_reaper_marks_failed(tmp_path):
    """A real worker process on the embedded broker takes the job, shows life, and is killed with
    SIGKILL; the job stays "running" until the reaper, once the stale time has passed, fails it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker process cannot open SQLite's in-memory test database")
    from powerexpress.celery_app import app
    from powerexpress.core.tests.stuck_task import export_that_hangs

    world = build_world()
    job = ExportJob.objects.create(user=world.users["manager"], kind="customers")
    data_dir = tmp_path / "data"
    conf = embedded_broker_conf(data_dir / "celery")
    db = connection.settings_dict
    env = dict(
        os.environ,
        POWEREXPRESS_DATA_DIR=str(data_dir),
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    env.pop("CELERY_BROKER_URL", None)
    env.pop("TEST_DB_NAME", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "powerexpress.celery_app",
            "worker",
            "-P",
            "solo",
            "-I",
            "powerexpress.core.tests.stuck_task",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    saved = {key: app.conf.get(key) for key in (*conf, "task_always_eager")}
    try:
        app.conf.update(**conf, task_always_eager=False)
        app._pool = None
        app.amqp._producer_pool = None
        assert job_dispatch(job=job, task=export_that_hangs, args=(job.pk,))
        for _ in range(600):  # the worker's start-up is slow on a loaded machine; no time is asserted
            if ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING:
                break
            time.sleep(0.5)
        else:
            pytest.fail("the worker never took the job")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        app.conf.update(**saved)
        app._pool = None
        app.amqp._producer_pool = None
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING
    later = timezone.now() + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    assert jobs_reap(now=later) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.finished_at is not None and job.error
