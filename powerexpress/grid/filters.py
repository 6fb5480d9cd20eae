"""One FilterSet per grid list (the festival risk list, a district's load events), shared by the
pages.

They filter the selectors' querysets, already narrowed to what the user may see: a filter only
narrows further, so no query string widens the scope."""

import django_filters
from django.utils.translation import gettext_lazy as _

from powerexpress.core.filters import SearchFilter
from powerexpress.grid.choices import DataKind, EventKind, FileStatus, RiskLevel
from powerexpress.grid.models import FestivalForecast, IntervalFile, LoadEvent

FIRST_YEAR, LAST_YEAR = 2000, 2100


class RiskFilterSet(django_filters.FilterSet):
    """The districts at risk in one festival ``year``, by ``station`` (code), ``risk`` level and
    ``q`` (text in the district's code or name)."""

    year = django_filters.NumberFilter(
        field_name="festival_year",
        label=_("year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=True,
    )
    station = django_filters.CharFilter(field_name="transformer__station__code", label=_("station"))
    risk = django_filters.ChoiceFilter(choices=RiskLevel.choices, empty_label=_("all"), label=_("risk"))
    q = SearchFilter(search_fields=("transformer__code", "transformer__name"))

    class Meta:
        model = FestivalForecast
        fields: list[str] = []


class EventFilterSet(django_filters.FilterSet):
    """A district's events (and its gap runs, which share the kinds) of one ``kind``."""

    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("kind"))

    class Meta:
        model = LoadEvent
        fields: list[str] = []


class UploadFilterSet(django_filters.FilterSet):
    """The interval files uploaded, by ``kind``, ``status`` and ``q`` (text in the file name)."""

    q = django_filters.CharFilter(field_name="file_name", lookup_expr="icontains", label=_("file name"))
    kind = django_filters.ChoiceFilter(choices=DataKind.choices, empty_label=_("all"), label=_("kind"))
    status = django_filters.ChoiceFilter(choices=FileStatus.choices, empty_label=_("all"), label=_("status"))

    class Meta:
        model = IntervalFile
        fields: list[str] = []
