from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "powerexpress.registry"
    verbose_name = _("Registry")
    nav_items = (
        (_("Stations"), "registry:stations", None),
        (_("Villages"), "registry:villages", None),
        (_("Transformers"), "registry:transformers", None),
        (_("Households"), "registry:customers", None),
        (_("Teams"), "registry:teams", None),
    )
