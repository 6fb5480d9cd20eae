from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "powerexpress.command"
    label = "command"
    verbose_name = _("Command centre")
    nav_items = (
        (_("Scoreboard"), "command:home", "command.view_command_centre"),
        (_("Power map"), "command:map", "command.view_command_centre"),
    )
