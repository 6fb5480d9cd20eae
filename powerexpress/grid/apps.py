from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "powerexpress.grid"
    label = "grid"
    verbose_name = _("Grid analytics")
    nav_items = ((_("Grid"), "grid:risk", None),)

    def ready(self):
        from powerexpress.celery_app import app

        app.conf.beat_schedule["grid-detect-stale"] = {
            "task": "powerexpress.grid.tasks.detect_stale_partitions",
            "schedule": 900.0,
        }
