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
from powerexpress.core.filters import SearchFilter
from powerexpress.registry.filters import visible_stations


class ApplicationFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("tracking_no", "applicant_name", "village__name"), label=_("Search"))
    station = django_filters.ModelChoiceFilter(
        queryset=visible_stations, to_field_name="code", empty_label=_("All stations"), label=_("Station")
    )
    kind = django_filters.ChoiceFilter(choices=ApplicationKind.choices, empty_label=_("All"), label=_("Kind"))
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices, empty_label=_("All"), label=_("Status")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
