from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "powerexpress.outreach"
    label = "outreach"
    verbose_name = _("Outreach")
    nav_items = ((_("Outreach"), "outreach:home", None),)
