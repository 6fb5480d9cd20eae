"""Outreach background jobs (Celery): thin shells over services."""

from celery import shared_task

from powerexpress.outreach.services import overdue_reminders_send


@shared_task
def overdue_reminders() -> int:
    """Every morning: remind station heads of overdue care visits and hazards."""
    return overdue_reminders_send()
