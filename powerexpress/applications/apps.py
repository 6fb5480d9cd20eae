from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "powerexpress.applications"
    label = "applications"
    verbose_name = _("Service applications")
    nav_items = ((_("Applications"), "applications:list", None),)

    def ready(self):
        from powerexpress.applications.worklist import applications_near_limit
        from powerexpress.core.worklist import worklist_register

        worklist_register("applications", applications_near_limit, position=30)
        from celery.schedules import crontab

        from powerexpress.celery_app import app

        app.conf.beat_schedule["applications-overdue-digest"] = {
            "task": "powerexpress.applications.tasks.applications_overdue_digest",
            "schedule": crontab(hour=8, minute=0),
        }
