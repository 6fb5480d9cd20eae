"""The fault-ticket list's FilterSet, shared by the station's list page and the API list.

Filters only narrow the queryset they are given: callers pass the tickets the user may see
(``selectors.tickets_visible``), so no filter value can widen the scope.
"""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from powerexpress.repair.choices import AWAITING_ARRIVAL, OPEN_STATUSES, FaultStatus
from powerexpress.repair.models import FaultTicket

# Phone numbers match on their last digits only (the masked phone shows the last four).
PHONE_TAIL_DIGITS = (4, 11)


class FaultTicketFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=[("open", _("Open")), *FaultStatus.choices, ("all", _("All"))],
        method="filter_status",
        empty_label=None,
        label=_("status"),
    )
    village = django_filters.CharFilter(field_name="village__code", label=_("village"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue only"))

    class Meta:
        model = FaultTicket
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        match = (
            Q(number__icontains=text)
            | Q(village__name__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(account_no__icontains=text)
        )
        low, high = PHONE_TAIL_DIGITS
        if text.isdigit() and low <= len(text) <= high:
            match |= Q(phone__endswith=text)
        return queryset.filter(match)

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value in FaultStatus.values:
            return queryset.filter(status=value)
        return queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        now = timezone.now()
        return queryset.filter(
            Q(status__in=AWAITING_ARRIVAL, arrival_due_at__lt=now)
            | Q(status=FaultStatus.ON_SITE, restore_due_at__lt=now)
        )
