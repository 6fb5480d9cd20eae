"""Background jobs of core: thin shells over services."""

from celery import shared_task

from powerexpress.core.jobs import jobs_reap


@shared_task
def jobs_reap_task() -> int:
    """Every minute: mark failed the jobs whose worker died (no heartbeat for JOB_STALE_SECONDS)."""
    from powerexpress.celery_app import app

    app.loader.import_default_modules()  # every app's tasks module registers its job kinds
    return jobs_reap()
