"""Background jobs of the registry: thin shells over services."""

import logging

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.core.audit import audit_record
from powerexpress.core.errors import ApiError
from powerexpress.core.jobs import job_heartbeat, job_is_unfinished
from powerexpress.core.models import AuditAction, ImportJob, ImportStatus
from powerexpress.registry.services import registry_import

logger = logging.getLogger(__name__)


@shared_task
def run_import_job(job_id: int) -> str:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not job_is_unfinished(job=job):  # reaped as failed while the message waited: do nothing
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    job_heartbeat(job=job)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)
        job_heartbeat(job=job)

    try:
        outcome = registry_import(
            user=job.user,
            kind=job.kind,
            file_name=job.file_name,
            content=bytes(job.content),
            progress=progress,
        )
    except ApiError as exc:
        job.errors = [{"row": "", "column": "", "message": str(exc.message)}]
        job.status = ImportStatus.FAILED
    else:
        job.errors = outcome.errors
        job.created_count, job.updated_count = outcome.created, outcome.updated
        job.status = ImportStatus.SUCCEEDED if outcome.ok else ImportStatus.FAILED
        job.total_rows = job.processed_rows = (
            max(outcome.total_rows * 2, 1) if outcome.ok else job.processed_rows
        )
        if outcome.ok:
            audit_record(
                user=job.user,
                action=AuditAction.IMPORT,
                object_type=job.kind,
                object_ref=job.file_name,
                detail=f"created={outcome.created} updated={outcome.updated}",
            )
    job.finished_at = timezone.now()
    job.save()
    return job.status


@shared_task
def run_export_job(job_id: int) -> str:
    """Write one registry export (a job with progress; see registry_export_job_run)."""
    from powerexpress.core.jobs import job_fail
    from powerexpress.core.models import ExportJob, ExportStatus
    from powerexpress.registry.services import registry_export_job_run

    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if not job_is_unfinished(job=job):
        return job.status
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    job_heartbeat(job=job)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(processed_rows=done)
        job_heartbeat(job=job)

    try:
        registry_export_job_run(job=job, progress=progress)
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        job_fail(job=job, reason=_("The export failed: %(error)s") % {"error": exc})
    return ExportJob.objects.values_list("status", flat=True).get(pk=job.pk)
