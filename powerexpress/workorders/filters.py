"""The work-order list's FilterSet (the list page; an API list would filter through it too).

Filters only narrow the queryset they are given (the orders the user may see); the station
choices are the stations the user may see, so another station's code is refused, not obeyed.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from powerexpress.core.filters import SearchFilter
from powerexpress.registry.filters import visible_stations
from powerexpress.workorders.choices import WorkOrderKind, WorkOrderStatus
from powerexpress.workorders.models import WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    q = SearchFilter(
        search_fields=("number", "title", "transformer__code", "transformer__name", "village__name"),
        label=_("Search"),
    )
    station = django_filters.ModelChoiceFilter(
        queryset=visible_stations, to_field_name="code", empty_label=_("All"), label=_("station")
    )
    status = django_filters.ChoiceFilter(
        choices=WorkOrderStatus.choices, empty_label=_("All"), label=_("status")
    )
    kind = django_filters.ChoiceFilter(choices=WorkOrderKind.choices, empty_label=_("All"), label=_("kind"))

    class Meta:
        model = WorkOrder
        fields: list[str] = []
