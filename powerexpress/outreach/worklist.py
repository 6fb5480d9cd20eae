"""Overdue care visits and hazards, for the station's work list (``core.worklist``)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.core.worklist import ITEMS_PER_PROVIDER, WorkGroup, WorkItem, work_url
from powerexpress.outreach.selectors import care_households, hazard_list


def outreach_overdue(user, now) -> WorkGroup:
    today = timezone.localdate(now)
    items = []
    for row in care_households(user, today=today, states=("never", "overdue")):
        if row["due"].state not in ("never", "overdue"):
            break
        customer = row["customer"]
        items.append(
            WorkItem(
                title=f"{customer.name} · {customer.village.name}",
                detail=_("Care visit overdue"),
                url=work_url("outreach:care_household", customer.account_no),
                level="red",
            )
        )
        if len(items) >= ITEMS_PER_PROVIDER:
            break
    for hazard in hazard_list(user, status="overdue", today=today)[:ITEMS_PER_PROVIDER]:
        items.append(
            WorkItem(
                title=f"{hazard.village.name} · {hazard.get_severity_display()}",
                detail=_("Hazard past its deadline"),
                url=work_url("outreach:hazard", hazard.pk),
                level="red",
                due_at=hazard.deadline,
            )
        )
    return WorkGroup("outreach", _("Overdue care visits and hazards"), items, work_url("outreach:care_due"))
