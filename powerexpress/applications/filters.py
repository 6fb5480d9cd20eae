"""The application list's FilterSet, shared by the station's list page and the API list.

Filters only narrow the queryset they are given (the applications the user may see); the station
choices are the stations the user may see, so another station's code is refused, not obeyed.
"""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from powerexpress.applications.choices import ApplicationKind, ApplicationStatus
from powerexpress.applications.models import Application
from powerexpress.core.scope import visible
from powerexpress.registry.models import SupplyStation


def stations_for(request):
    if request is None:
        return SupplyStation.objects.none()
    return visible(request.user, SupplyStation.objects.order_by("code"))


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    station = django_filters.ModelChoiceFilter(
        queryset=stations_for, to_field_name="code", empty_label=_("All stations"), label=_("Station")
    )
    kind = django_filters.ChoiceFilter(choices=ApplicationKind.choices, empty_label=_("All"), label=_("Kind"))
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices, empty_label=_("All"), label=_("Status")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(tracking_no__icontains=text)
            | Q(applicant_name__icontains=text)
            | Q(village__name__icontains=text)
        )

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
