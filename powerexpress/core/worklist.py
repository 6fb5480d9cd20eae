"""The station's open work list: what a station clerk should look at first.

A small registry: each capability contributes a *provider*, a function ``(user, now) ->
list[WorkItem]`` registered under a key with :func:`worklist_register`. Providers call their
app's selectors imported inside the function, so a missing capability (or one that lacks the
selector) drops out of the list instead of failing the page. Each app (repair, billing,
applications, outreach, line-loss governance) adds its items by calling
``worklist_register(key, provider, position=…)`` from its ``AppConfig.ready()``; core names no app.
"""

import dataclasses
import datetime
import logging
from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

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


_POSITIONS: dict[str, int] = {}


def worklist_register(key: str, provider: Provider, *, position: int = 100) -> None:
    """Add (or replace) the provider of one kind of work items; groups show by ``position``,
    then in the order they were registered."""
    _PROVIDERS[key] = provider
    _POSITIONS[key] = position


def worklist_for(user, *, now: datetime.datetime | None = None) -> list[WorkGroup]:
    """Every registered provider's group for the user, skipping providers whose app is absent."""
    now = now or timezone.now()
    groups = []
    for key, provider in sorted(_PROVIDERS.items(), key=lambda item: _POSITIONS.get(item[0], 100)):
        try:
            group = provider(user, now)
        except (ImportError, AttributeError, NoReverseMatch):
            logger.info("worklist: provider %s is not available", key)
            continue
        if group is not None:
            groups.append(group)
    return groups


def work_url(name: str, *args) -> str:
    """The URL of a named page, for a work item's link (``NoReverseMatch`` drops the provider)."""
    return reverse(name, args=args)
