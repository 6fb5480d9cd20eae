"""Line loss on the station's work list: governance plan items past their due date."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.core.worklist import ITEMS_PER_PROVIDER, WorkGroup, WorkItem


def lineloss_overdue_plan_items(user, now) -> WorkGroup:
    from powerexpress.lineloss.selectors import overdue_plan_items

    rows = overdue_plan_items(user, today=timezone.localdate(now))[:ITEMS_PER_PROVIDER]
    items = [
        WorkItem(
            title=f"{row.transformer.code} · {row.transformer.name}",
            detail=f"{row.get_cause_display()} · {row.get_loss_class_before_display()}",
            url=reverse("lineloss:district", args=[row.transformer.code]),
            level="red",
            due_at=row.due_on,
        )
        for row in rows
    ]
    return WorkGroup(
        "lineloss", _("Line-loss plan items past their due date"), items, reverse("lineloss:plan")
    )
