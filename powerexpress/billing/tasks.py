"""Background jobs of billing: thin shells over services."""

from celery import shared_task
from django.db import IntegrityError, OperationalError

from powerexpress.billing.models import BillingRun
from powerexpress.billing.services import billing_run_chunk


@shared_task(
    autoretry_for=(OperationalError, IntegrityError), retry_backoff=0.2, retry_jitter=True, max_retries=8
)
def billing_run_chunk_task(run_id: int, customer_ids: list[int]) -> dict:
    """Bill one chunk. A chunk that met a locked database (SQLite under several workers) or a
    bill written meanwhile by a concurrent run of the same month is retried as a whole: its
    writes are one transaction and billing is idempotent, so the retry bills only the rest."""
    return billing_run_chunk(run=BillingRun.objects.get(pk=run_id), customer_ids=customer_ids)
