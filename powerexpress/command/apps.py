from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "powerexpress.command"
    label = "command"
    verbose_name = _("Command centre")
    nav_items = ((_("Command centre"), "command:home", None),)
