"""Background jobs of the registry: thin shells over services."""

from celery import shared_task
from django.utils import timezone

from powerexpress.core.audit import audit_record
from powerexpress.core.errors import ApiError
from powerexpress.core.models import AuditAction, ImportJob, ImportStatus
from powerexpress.registry.services import registry_import


@shared_task
def run_import_job(job_id: int) -> str:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)

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
