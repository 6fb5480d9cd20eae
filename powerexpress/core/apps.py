from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "powerexpress.core"
    verbose_name = _("Core")
    nav_items = ((_("Audit log"), "core:audit_log", "core.view_auditentry"),)

    def ready(self):
        # Make the project's Celery app the current one in every Django process, so that
        # ``shared_task`` sends through its broker settings.
        from powerexpress import celery_app  # noqa: F401
