"""Applications near their time limit, for the station's work list (``core.worklist``)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.applications.selectors import station_queues
from powerexpress.core.worklist import ITEMS_PER_PROVIDER, WorkGroup, WorkItem, work_url


def applications_near_limit(user, now) -> WorkGroup:
    queues = station_queues(user, today=timezone.localdate(now))
    items = []
    for level, key in (("red", "overdue"), ("amber", "near_due")):
        for application in queues[key][:ITEMS_PER_PROVIDER]:
            items.append(
                WorkItem(
                    title=f"{application.tracking_no} · {application.village.name}",
                    detail=application.get_status_display(),
                    url=work_url("applications:detail", application.tracking_no),
                    level=level,
                    due_at=application.due_on,
                )
            )
    return WorkGroup(
        "applications",
        _("Applications near their time limit"),
        items[:ITEMS_PER_PROVIDER],
        work_url("applications:list"),
    )
