"""The station's open work list: what a station clerk should look at first.

A small registry: each capability contributes a *provider*, a function ``(user, now) ->
list[WorkItem]`` registered under a key with :func:`worklist_register`. Providers call their
app's selectors imported inside the function, so a missing capability (or one that lacks the
selector) drops out of the list instead of failing the page. The built-in providers below cover
repair, billing, applications and outreach; another app (e.g. line-loss governance) adds its
items by calling ``worklist_register("lineloss", provider)`` from its ``AppConfig.ready()``.
"""

import dataclasses
import datetime
import logging
from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger("powerexpress.core")

# Items per provider on the page; the "all" link leads to the full list.
ITEMS_PER_PROVIDER = 20


@dataclasses.dataclass(frozen=True)
class WorkItem:
    """One thing to act on: what, where, how urgent (``red`` past due, ``amber`` near)."""

    title: str
    detail: str
    url: str
    level: str = "amber"
    due_at: datetime.datetime | datetime.date | None = None

    @property
    def due_text(self) -> str:
        if isinstance(self.due_at, datetime.datetime):
            return f"{timezone.localtime(self.due_at):%m-%d %H:%M}"
        return f"{self.due_at:%m-%d}" if self.due_at else ""


@dataclasses.dataclass(frozen=True)
class WorkGroup:
    key: str
    label: str
    items: list[WorkItem]
    more_url: str = ""


Provider = Callable[[object, datetime.datetime], WorkGroup | None]
_PROVIDERS: dict[str, Provider] = {}


def worklist_register(key: str, provider: Provider) -> None:
    """Add (or replace) the provider of one kind of work items."""
    _PROVIDERS[key] = provider


def worklist_for(user, *, now: datetime.datetime | None = None) -> list[WorkGroup]:
    """Every registered provider's group for the user, skipping providers whose app is absent."""
    now = now or timezone.now()
    groups = []
    for key, provider in _PROVIDERS.items():
        try:
            group = provider(user, now)
        except (ImportError, AttributeError, NoReverseMatch):
            logger.info("worklist: provider %s is not available", key)
            continue
        if group is not None:
            groups.append(group)
    return groups


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def repair_near_deadline(user, now) -> WorkGroup:
    from powerexpress.repair.selectors import tickets_filtered

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
                url=_url("repair:detail", ticket.number),
                level="red" if due <= now else "amber",
                due_at=due,
            )
        )
    return WorkGroup(
        "repair", _("Fault tickets near their deadline"), items[:ITEMS_PER_PROVIDER], _url("repair:list")
    )


def billing_held_readings(user, now) -> WorkGroup:
    from powerexpress.billing.choices import ReadingStatus
    from powerexpress.billing.models import MeterReading
    from powerexpress.core.scope import visible

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
            url=_url("billing:home"),
            due_at=r.read_on,
        )
        for r in readings
    ]
    return WorkGroup("billing", _("Meter readings held for checking"), items, _url("billing:home"))


def applications_near_limit(user, now) -> WorkGroup:
    from powerexpress.applications.selectors import station_queues

    queues = station_queues(user, today=timezone.localdate(now))
    items = []
    for level, key in (("red", "overdue"), ("amber", "near_due")):
        for application in queues[key][:ITEMS_PER_PROVIDER]:
            items.append(
                WorkItem(
                    title=f"{application.tracking_no} · {application.village.name}",
                    detail=application.get_status_display(),
                    url=_url("applications:detail", application.tracking_no),
                    level=level,
                    due_at=application.due_on,
                )
            )
    return WorkGroup(
        "applications",
        _("Applications near their time limit"),
        items[:ITEMS_PER_PROVIDER],
        _url("applications:list"),
    )


def outreach_overdue(user, now) -> WorkGroup:
    from powerexpress.outreach.selectors import care_households, hazard_list

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
                url=_url("outreach:care_household", customer.account_no),
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
                url=_url("outreach:hazard", hazard.pk),
                level="red",
                due_at=hazard.deadline,
            )
        )
    return WorkGroup("outreach", _("Overdue care visits and hazards"), items, _url("outreach:care_due"))


worklist_register("repair", repair_near_deadline)
worklist_register("billing", billing_held_readings)
worklist_register("applications", applications_near_limit)
worklist_register("outreach", outreach_overdue)
