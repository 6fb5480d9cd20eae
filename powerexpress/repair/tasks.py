from celery import shared_task

from powerexpress.repair.services import fault_escalation_run


@shared_task
def fault_escalate() -> int:
    """Every minute: mark tickets near or past their deadlines and notify the station heads."""
    return fault_escalation_run()
