from celery import shared_task

from powerexpress.command.services import monthly_close as monthly_close_run


@shared_task
def monthly_close() -> str:
    """Freeze last month's scores and write its reports once the cut-off has passed (daily)."""
    score_month = monthly_close_run()
    return str(score_month) if score_month else ""
