from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairConfig(AppConfig):
    name = "powerexpress.repair"
    label = "repair"
    verbose_name = _("Fault repair")
    nav_items = (
        (_("Fault repair"), "repair:list", None),
        (_("My repairs"), "repair:crew", None),
    )

    def ready(self):
        from powerexpress.core.worklist import worklist_register
        from powerexpress.repair.worklist import repair_near_deadline

        worklist_register("repair", repair_near_deadline, position=10)
        from powerexpress.core.offline import offline_handler_register
        from powerexpress.repair.offline import repair_note_offline, repair_step_offline

        offline_handler_register("repair.step", repair_step_offline)
        offline_handler_register("repair.note", repair_note_offline)
        from powerexpress.celery_app import app

        app.conf.beat_schedule["repair-escalate"] = {
            "task": "powerexpress.repair.tasks.fault_escalate",
            "schedule": 60.0,
        }
