from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "powerexpress.workorders"
    label = "workorders"
    verbose_name = _("Work orders")
    nav_items = ((_("Work orders"), "workorders:list", None),)
