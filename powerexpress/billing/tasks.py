"""Background jobs of billing: thin shells over services."""

from celery import shared_task

from powerexpress.billing.models import BillingRun
from powerexpress.billing.services import billing_run_chunk


@shared_task
def billing_run_chunk_task(run_id: int, customer_ids: list[int]) -> dict:
    return billing_run_chunk(run=BillingRun.objects.get(pk=run_id), customer_ids=customer_ids)
