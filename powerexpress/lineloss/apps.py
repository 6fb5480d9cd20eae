from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinelossConfig(AppConfig):
    name = "powerexpress.lineloss"
    label = "lineloss"
    verbose_name = _("Line loss")
    nav_items = ((_("Line loss"), "lineloss:ranking", None),)

    def ready(self):
        from powerexpress.celery_app import app
        from powerexpress.core.worklist import worklist_register
        from powerexpress.lineloss.worklist import lineloss_overdue_plan_items

        worklist_register("lineloss", lineloss_overdue_plan_items)

        app.conf.beat_schedule["lineloss-recent-months"] = {
            "task": "powerexpress.lineloss.tasks.compute_recent_months",
            "schedule": 3600.0,
        }
