"""Meter readings held for checking, for the station's work list (``core.worklist``)."""

from django.utils.translation import gettext as _

from powerexpress.billing.choices import ReadingStatus
from powerexpress.billing.models import MeterReading
from powerexpress.core.scope import visible
from powerexpress.core.worklist import ITEMS_PER_PROVIDER, WorkGroup, WorkItem, work_url


def billing_held_readings(user, now) -> WorkGroup:
    readings = visible(
        user,
        MeterReading.objects.select_related("customer", "customer__village").filter(
            current=True, status=ReadingStatus.HELD
        ),
    ).order_by("read_on", "id")[:ITEMS_PER_PROVIDER]
    items = [
        WorkItem(
            title=f"{r.customer.account_no} · {r.customer.name}",
            detail=f"{r.customer.village.name} · {r.read_on:%Y-%m-%d}",
            url=work_url("billing:home"),
            due_at=r.read_on,
        )
        for r in readings
    ]
    return WorkGroup("billing", _("Meter readings held for checking"), items, work_url("billing:home"))
