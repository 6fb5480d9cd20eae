from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "powerexpress.billing"
    label = "billing"
    verbose_name = _("Billing")
    nav_items = (
        (_("Billing"), "billing:home", None),
        (_("Auto-debit"), "billing:kpis", None),
    )

    def ready(self) -> None:
        from powerexpress.billing import kpis
        from powerexpress.billing.worklist import billing_held_readings
        from powerexpress.core.worklist import worklist_register

        worklist_register("billing", billing_held_readings, position=20)
        kpis.connect()
