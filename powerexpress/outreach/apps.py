from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "powerexpress.outreach"
    label = "outreach"
    verbose_name = _("Outreach")
    nav_items = ((_("Outreach"), "outreach:home", None),)

    def ready(self):
        from powerexpress.core.worklist import worklist_register
        from powerexpress.outreach.worklist import outreach_overdue

        worklist_register("outreach", outreach_overdue, position=40)
        from celery.schedules import crontab

        from powerexpress.core.offline import offline_handler_register
        from powerexpress.outreach.offline import care_visit_offline, inspection_offline

        offline_handler_register("outreach.care_visit", care_visit_offline)
        offline_handler_register("outreach.inspection", inspection_offline)

        from powerexpress.celery_app import app

        app.conf.beat_schedule["outreach-overdue-reminders"] = {
            "task": "powerexpress.outreach.tasks.overdue_reminders",
            "schedule": crontab(hour=8, minute=0),
        }
        # Households and visits written outside the services (bulk loads, the admin) reach the
        # care schedule within a minute; the pages only read it.
        app.conf.beat_schedule["outreach-care-schedule-sync"] = {
            "task": "powerexpress.outreach.tasks.care_schedule_sync_task",
            "schedule": 60.0,
        }
