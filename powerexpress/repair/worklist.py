"""Fault tickets near their deadline, for the station's work list (``core.worklist``)."""

import datetime

from django.utils.translation import gettext as _

from powerexpress.core.worklist import ITEMS_PER_PROVIDER, WorkGroup, WorkItem, work_url
from powerexpress.repair.selectors import tickets_filtered


def repair_near_deadline(user, now) -> WorkGroup:
    tickets = tickets_filtered(user, status="open").select_related("village").order_by("arrival_due_at")
    items = []
    for ticket in tickets[:200]:
        due = ticket.restore_due_at if ticket.on_site_at else ticket.arrival_due_at
        if due is None or due - now > datetime.timedelta(hours=2):
            continue
        items.append(
            WorkItem(
                title=f"{ticket.number} · {ticket.village.name}",
                detail=ticket.get_status_display(),
                url=work_url("repair:detail", ticket.number),
                level="red" if due <= now else "amber",
                due_at=due,
            )
        )
    return WorkGroup(
        "repair", _("Fault tickets near their deadline"), items[:ITEMS_PER_PROVIDER], work_url("repair:list")
    )
