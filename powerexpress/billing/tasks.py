"""Background jobs of billing: thin shells over services."""

from celery import shared_task
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from powerexpress.billing.choices import RunStatus
from powerexpress.billing.models import BillingRun
from powerexpress.billing.services import billing_run_chunk
from powerexpress.core.jobs import JobKind, job_dispatch, job_heartbeat, job_is_unfinished, job_kind_register


def _fail_billing_runs(queryset, reason: str) -> int:
    return queryset.update(status=RunStatus.FAILED, message=reason[:300], finished_at=timezone.now())


job_kind_register(
    JobKind(
        model=BillingRun, unfinished=(RunStatus.RUNNING,), started_field="started_at", fail=_fail_billing_runs
    )
)


def billing_run_dispatch(*, run: BillingRun, chunks: list[list[int]]) -> bool:
    """Queue one task per chunk; if the broker is down the run is marked failed at once (re-running
    the month later bills nothing twice)."""
    return all(job_dispatch(job=run, task=billing_run_chunk_task, args=(run.pk, chunk)) for chunk in chunks)


@shared_task(
    autoretry_for=(OperationalError, IntegrityError), retry_backoff=0.2, retry_jitter=True, max_retries=8
)
def billing_run_chunk_task(run_id: int, customer_ids: list[int]) -> dict:
    """Bill one chunk. A chunk that met a locked database (SQLite under several workers) or a
    bill written meanwhile by a concurrent run of the same month is retried as a whole: its
    writes are one transaction and billing is idempotent, so the retry bills only the rest.
    A chunk of a run already marked failed (its worker was lost) does nothing."""
    run = BillingRun.objects.get(pk=run_id)
    if not job_is_unfinished(job=run):
        return {"skipped": len(customer_ids)}
    job_heartbeat(job=run)
    outcome = billing_run_chunk(run=run, customer_ids=customer_ids)
    job_heartbeat(job=run)
    return outcome
