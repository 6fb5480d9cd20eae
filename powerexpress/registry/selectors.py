"""Reads of the registry, always through the user's scope."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from powerexpress.core.scope import visible
from powerexpress.registry.models import (
    Customer,
    Meter,
    Staff,
    SupplyStation,
    Team,
    Township,
    TransformerDistrict,
    Village,
)

QUERYSETS = {
    "stations": lambda: SupplyStation.objects.select_related("bureau"),
    "townships": lambda: Township.objects.select_related("station"),
    "villages": lambda: Village.objects.select_related("station", "township"),
    "transformers": lambda: TransformerDistrict.objects.select_related("station", "village"),
    "customers": lambda: Customer.objects.select_related("village", "village__station", "transformer"),
    "meters": lambda: Meter.objects.select_related("customer", "customer__village"),
    "staff": lambda: Staff.objects.select_related("station"),
    "teams": lambda: Team.objects.select_related("station", "responsible_person").prefetch_related("members"),
}

SEARCH_FIELDS = {
    "stations": ("code", "name"),
    "townships": ("code", "name"),
    "villages": ("code", "name", "responsible_name"),
    "transformers": ("code", "name", "location"),
    "customers": ("account_no", "name", "address"),
    "meters": ("meter_no", "customer__account_no", "customer__name"),
    "staff": ("employee_no", "name", "position"),
    "teams": ("code", "name", "responsible_unit"),
}


def registry_list(user, kind: str, *, q: str = "") -> QuerySet:
    queryset = visible(user, QUERYSETS[kind]())
    if q:
        condition = Q()
        for field_name in SEARCH_FIELDS[kind]:
            condition |= Q(**{f"{field_name}__icontains": q})
        queryset = queryset.filter(condition)
    return queryset


@dataclass(frozen=True)
class FirstRunStep:
    """One thing a new installation needs, whether it is there, and where to add it."""

    key: str
    label: str
    count: int
    kind: str = ""  # the registry kind whose add/import pages fix it ("" for the setup form)

    @property
    def done(self) -> bool:
        return self.count > 0


def first_run_steps() -> list[FirstRunStep]:
    """What a new installation has and lacks, in the order to add it (bureau-wide counts)."""
    from powerexpress.accounts.models import User
    from powerexpress.accounts.roles import Role
    from powerexpress.registry.models import Bureau

    return [
        FirstRunStep("bureau", _("Bureau"), Bureau.objects.count()),
        FirstRunStep(
            "manager", _("Bureau manager"), User.objects.filter(role=Role.MANAGER, is_active=True).count()
        ),
        FirstRunStep("stations", _("Supply stations"), SupplyStation.objects.count(), "stations"),
        FirstRunStep("villages", _("Villages"), Village.objects.count(), "villages"),
        FirstRunStep(
            "transformers", _("Transformer districts"), TransformerDistrict.objects.count(), "transformers"
        ),
        FirstRunStep("customers", _("Households"), Customer.objects.count(), "customers"),
    ]
