"""Background jobs of core: thin shells over services."""

from celery import shared_task

from powerexpress.core.jobs import job_files_expire, jobs_reap


@shared_task
def jobs_reap_task() -> int:
    """Every minute: mark failed the jobs whose worker died (no heartbeat for JOB_STALE_SECONDS)."""
    from powerexpress.celery_app import app

    app.loader.import_default_modules()  # every app's tasks module registers its job kinds
    return jobs_reap()


@shared_task
def job_files_expire_task() -> dict[str, int]:
    """Every hour: delete export files and clear uploaded import files past their retention."""
    return job_files_expire()
