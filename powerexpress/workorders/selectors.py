"""Reads for work orders: the list the user may see, filtered."""

from django.db.models import QuerySet

from powerexpress.core.scope import visible
from powerexpress.workorders.filters import WorkOrderFilterSet
from powerexpress.workorders.models import WorkOrder


def work_orders_visible(user) -> QuerySet:
    return visible(user, WorkOrder.objects.select_related("station", "team", "transformer"))


def work_order_filterset(request) -> WorkOrderFilterSet:
    """The list's filters (``q``, ``station``, ``status``, ``kind``) over the orders the user may see."""
    return WorkOrderFilterSet(request.GET, queryset=work_orders_visible(request.user), request=request)
