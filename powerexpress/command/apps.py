from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "powerexpress.command"
    label = "command"
    verbose_name = _("Command centre")
    nav_items = (
        (_("Scoreboard"), "command:home", "command.view_command_centre"),
        (_("Power map"), "command:map", "command.view_command_centre"),
        (_("Station ranking"), "command:scores", "command.view_command_centre"),
        (_("Monthly reports"), "command:reports", "command.view_command_centre"),
        (_("KPI registry"), "command:kpis", "command.view_command_centre"),
    )

    def ready(self):
        from celery.schedules import crontab

        from powerexpress.celery_app import app

        # Daily at 06:00 Beijing time; it freezes and reports last month on the KPIs' cut-off day
        # (the 1st by default) and does nothing on the other days.
        app.conf.beat_schedule["command-monthly-close"] = {
            "task": "powerexpress.command.tasks.monthly_close",
            "schedule": crontab(hour=6, minute=0),
        }
