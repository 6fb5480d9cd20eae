"""Background jobs that never stay stuck.

Each job model (``core.ImportJob``, ``core.ExportJob``, ``billing.BillingRun`` …) registers a
``JobKind`` once: which statuses mean "not finished", and how to mark a job failed with a reason.
Then three helpers serve every job the same way:

- ``job_dispatch()`` sends the job's task; when the broker cannot be reached the job is marked failed
  at once, with the reason, instead of waiting forever;
- ``job_heartbeat()`` records that a worker is still working on a job (called from progress updates);
- ``jobs_reap()`` (a beat task, every minute) marks failed every unfinished job without a sign of life
  for ``JOB_STALE_SECONDS`` — its worker died, or the message was lost.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from powerexpress.core.models import JobHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    model: type[models.Model]
    unfinished: tuple[str, ...]  # statuses of a job that is waiting or running
    started_field: str  # when the job was created: the reference before its first heartbeat
    fail: Callable[[models.QuerySet, str], int]  # marks the given (unfinished) jobs failed with a reason

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


JOB_KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: JobKind) -> JobKind:
    JOB_KINDS[kind.label] = kind
    return kind


def _kind_of(job: models.Model) -> JobKind:
    return JOB_KINDS[job._meta.label_lower]


def job_fail(*, job: models.Model, reason: str) -> bool:
    """Mark one job failed with ``reason`` unless it has finished meanwhile; True if it was marked."""
    kind = _kind_of(job)
    with transaction.atomic():
        marked = kind.fail(kind.model.objects.filter(pk=job.pk, status__in=kind.unfinished), reason)
        JobHeartbeat.objects.filter(job_type=kind.label, job_id=job.pk).delete()
    if marked:
        logger.warning("job %s#%s failed: %s", kind.label, job.pk, reason)
    return bool(marked)


def job_dispatch(*, job: models.Model, task, args: tuple = (), kwargs: dict | None = None) -> bool:
    """Send ``task`` for ``job``. If the broker is unreachable the job is marked failed with the reason
    and False is returned; the caller shows the job's page either way. With eager tasks (tests) the
    task runs here and its own errors propagate: they are not a dispatch failure."""
    if task.app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception as exc:  # any error here means the message was not queued (broker down, refused …)
        logger.exception("dispatch of %s#%s failed", job._meta.label_lower, job.pk)
        # Reasons are stored once, in the site's language: they are shown on the job's page.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _(
                "The background worker could not be reached, so the job was not started: %(error)s. "
                "Try again later or tell the administrator."
            ) % {"error": str(exc) or exc.__class__.__name__}
        job_fail(job=job, reason=reason)
        return False
    return True


def job_heartbeat(*, job: models.Model) -> None:
    """Record that a worker is alive and working on ``job``."""
    kind = _kind_of(job)
    JobHeartbeat.objects.update_or_create(
        job_type=kind.label, job_id=job.pk, defaults={"beat_at": timezone.now()}
    )


def job_is_unfinished(*, job: models.Model) -> bool:
    """True while the job may still be worked on (a task for a job already reaped does nothing)."""
    kind = _kind_of(job)
    return kind.model.objects.filter(pk=job.pk, status__in=kind.unfinished).exists()


def jobs_reap(*, now: datetime.datetime | None = None) -> int:
    """Mark failed every unfinished job with no sign of life for ``JOB_STALE_SECONDS``; returns how
    many. Heartbeats of finished jobs are removed."""
    stale_seconds = settings.JOB_STALE_SECONDS
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=stale_seconds)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _(
            "No progress for %(minutes)s minutes: the background worker stopped or never received the "
            "job. Nothing was saved for an unfinished step; start the job again."
        ) % {"minutes": max(1, round(stale_seconds / 60))}
    reaped = 0
    for kind in JOB_KINDS.values():
        candidates = kind.model.objects.filter(
            status__in=kind.unfinished, **{f"{kind.started_field}__lt": cutoff}
        )
        alive = JobHeartbeat.objects.filter(job_type=kind.label, beat_at__gte=cutoff).values("job_id")
        with transaction.atomic():
            stale = list(candidates.exclude(pk__in=alive).values_list("pk", flat=True))
            if stale:
                reaped += kind.fail(
                    kind.model.objects.filter(pk__in=stale, status__in=kind.unfinished), reason
                )
                logger.warning("reaped %s jobs of %s without a worker: %s", len(stale), kind.label, stale)
            unfinished = kind.model.objects.filter(status__in=kind.unfinished).values("pk")
            JobHeartbeat.objects.filter(job_type=kind.label).exclude(job_id__in=unfinished).delete()
    return reaped


def _fail_import_jobs(queryset, reason: str) -> int:
    from powerexpress.core.models import ImportStatus

    return queryset.update(
        status=ImportStatus.FAILED,
        errors=[{"row": "", "column": "", "message": reason}],
        finished_at=timezone.now(),
    )


def _fail_export_jobs(queryset, reason: str) -> int:
    from powerexpress.core.models import ExportStatus

    return queryset.update(status=ExportStatus.FAILED, error=reason, finished_at=timezone.now())


def _register_core_kinds() -> None:
    from powerexpress.core.models import ExportJob, ExportStatus, ImportJob, ImportStatus

    job_kind_register(
        JobKind(
            model=ImportJob,
            unfinished=(ImportStatus.PENDING, ImportStatus.RUNNING),
            started_field="created_at",
            fail=_fail_import_jobs,
        )
    )
    job_kind_register(
        JobKind(
            model=ExportJob,
            unfinished=(ExportStatus.PENDING, ExportStatus.RUNNING),
            started_field="created_at",
            fail=_fail_export_jobs,
        )
    )


def job_files_expire(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Personal data does not linger: an export's file is deleted ``EXPORT_RETENTION_HOURS`` after it
    was ready (the job row stays as the record of who exported what; its page says the file is gone),
    an uploaded import file's content is cleared ``IMPORT_RETENTION_HOURS`` after the import finished
    (its outcome and row errors stay), and temporary ``.part`` files a dead worker left behind are
    removed after a day. Returns how many of each."""
    from powerexpress.core.models import ExportJob, ExportStatus, ImportJob, ImportStatus

    now = now or timezone.now()
    export_cutoff = now - datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    import_cutoff = now - datetime.timedelta(hours=settings.IMPORT_RETENTION_HOURS)
    expired = ExportJob.objects.filter(status=ExportStatus.SUCCEEDED, finished_at__lt=export_cutoff).exclude(
        file_path=""
    )
    exports = 0
    for pk, relative in expired.values_list("pk", "file_path").iterator():
        # The row first, then the file: a download that read the row before finds the file gone
        # and answers "export again" (404), never a half-deleted file.
        if ExportJob.objects.filter(pk=pk, file_path=relative).update(file_path=""):
            (settings.DATA_DIR / relative).unlink(missing_ok=True)
            exports += 1
    imports = (
        ImportJob.objects.filter(
            status__in=(ImportStatus.SUCCEEDED, ImportStatus.FAILED), finished_at__lt=import_cutoff
        )
        .exclude(content=b"")
        .update(content=b"")
    )
    partials = 0
    folder = settings.DATA_DIR / "exports"
    stale_before = (now - datetime.timedelta(days=1)).timestamp()
    if folder.is_dir():
        for partial in folder.glob("*/*.part"):
            if partial.stat().st_mtime < stale_before:
                partial.unlink(missing_ok=True)
                partials += 1
    if exports or imports or partials:
        logger.info("expired %s export files, %s import files, %s partial files", exports, imports, partials)
    return {"exports": exports, "imports": imports, "partials": partials}
