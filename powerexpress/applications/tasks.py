from celery import shared_task

from powerexpress.applications.services import overdue_digest_send


@shared_task
def applications_overdue_digest() -> int:
    """Every morning: tell station heads how many applications are overdue or due soon."""
    return overdue_digest_send()
