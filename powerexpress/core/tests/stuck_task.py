"""A task for test_jobs only: it starts an export job, shows one sign of life and then hangs, so
that the test can kill its worker process mid-job."""

import time

from celery import shared_task


@shared_task(name="powerexpress.core.tests.stuck_task.export_that_hangs")
def export_that_hangs(job_id: int) -> None:
    from powerexpress.core.jobs import job_heartbeat
    from powerexpress.core.models import ExportJob, ExportStatus

    job = ExportJob.objects.get(pk=job_id)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, total_rows=10, processed_rows=3)
    job_heartbeat(job=job)
    time.sleep(3600)
