"""The work-order list's FilterSet (the list page; an API list would filter through it too).

Filters only narrow the queryset they are given (the orders the user may see); the station
choices are the stations the user may see, so another station's code is refused, not obeyed.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerexpress.core.scope import visible
from powerexpress.registry.models import SupplyStation
from powerexpress.workorders.choices import WorkOrderKind, WorkOrderStatus
from powerexpress.workorders.models import WorkOrder


def stations_for(request):
    if request is None:
        return SupplyStation.objects.none()
    return visible(request.user, SupplyStation.objects.order_by("code"))


class WorkOrderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    station = django_filters.ModelChoiceFilter(
        queryset=stations_for, to_field_name="code", empty_label=_("All"), label=_("station")
    )
    status = django_filters.ChoiceFilter(
        choices=WorkOrderStatus.choices, empty_label=_("All"), label=_("status")
    )
    kind = django_filters.ChoiceFilter(choices=WorkOrderKind.choices, empty_label=_("All"), label=_("kind"))

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(transformer__code__icontains=text)
            | Q(transformer__name__icontains=text)
            | Q(village__name__icontains=text)
        )
