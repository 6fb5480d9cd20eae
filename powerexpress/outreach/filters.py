"""One FilterSet per outreach list, shared by the list page and the API list.

The querysets they filter come from the selectors, already narrowed to what the user may see: a
filter only narrows further, so no query string widens the scope. Villages, teams and stations are
named by code on the page and the API alike."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from powerexpress.core.filters import SearchFilter
from powerexpress.outreach.choices import ActivityKind, HazardStatus, Severity
from powerexpress.outreach.models import Activity, Hazard, InspectionCampaign


class ActivityFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("title", "code", "village__name", "village__code"))
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, empty_label="—", label=_("type"))
    village = django_filters.CharFilter(field_name="village__code", label=_("village"))
    team = django_filters.CharFilter(field_name="team__code", label=_("team"))

    class Meta:
        model = Activity
        fields: list[str] = []


HAZARD_STATUSES = [
    ("unclosed", _("Not closed")),
    ("overdue", _("Overdue")),
    *HazardStatus.choices,
    ("all", _("All")),
]


class HazardFilterSet(django_filters.FilterSet):
    """Hazards; ``status`` also takes ``unclosed`` (the default), ``overdue`` and ``all``."""

    q = SearchFilter(search_fields=("description", "village__name", "village__code"))
    station = django_filters.CharFilter(field_name="station__code", label=_("station"))
    village = django_filters.CharFilter(field_name="village__code", label=_("village"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, empty_label="—", label=_("severity"))
    status = django_filters.ChoiceFilter(
        choices=HAZARD_STATUSES, empty_label=None, label=_("status"), method="filter_status"
    )

    class Meta:
        model = Hazard
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = "unclosed"
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(deadline__lt=timezone.localdate()).exclude(status=HazardStatus.CLOSED)
        if value == "unclosed":
            return queryset.exclude(status=HazardStatus.CLOSED)
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class CampaignFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("title",))
    station = django_filters.CharFilter(field_name="station__code", label=_("station"))

    class Meta:
        model = InspectionCampaign
        fields: list[str] = []
