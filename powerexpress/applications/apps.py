from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "powerexpress.applications"
    label = "applications"
    verbose_name = _("Service applications")
    nav_items = ((_("Applications"), "applications:list", None),)
