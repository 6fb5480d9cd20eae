"""Outreach background jobs (Celery): thin shells over services."""

from celery import shared_task

from powerexpress.outreach.services import overdue_reminders_send


@shared_task
def overdue_reminders() -> int:
    """Every morning: remind station heads of overdue care visits and hazards."""
    return overdue_reminders_send()


@shared_task
def care_schedule_sync_task() -> None:
    """Every minute: catch the care schedule up with households and visits written outside the
    services (a few small reads when nothing changed)."""
    from powerexpress.outreach.care_schedule import care_schedule_sync

    care_schedule_sync()
