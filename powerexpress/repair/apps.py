from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairConfig(AppConfig):
    name = "powerexpress.repair"
    label = "repair"
    verbose_name = _("Fault repair")
    nav_items = ()
