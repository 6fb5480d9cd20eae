from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "powerexpress.core"
    verbose_name = _("Core")
    nav_items = ((_("Audit log"), "core:audit_log", "core.view_auditentry"),)
