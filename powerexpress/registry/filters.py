"""One FilterSet per registry kind, shared by the list pages, the API and the exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from powerexpress.registry.choices import AreaClass, ConnectionGroup, CustomerTag, Phase, TeamKind
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


def visible_stations(request):
    """The stations a FilterSet's ``station`` choice offers: those the user may see (so another
    station's code is refused as an invalid choice, never obeyed)."""
    from powerexpress.core.scope import visible

    if request is None:
        return SupplyStation.objects.none()
    return visible(request.user, SupplyStation.objects.order_by("code"))


class StationCodeFilter(django_filters.CharFilter):
    """Filters by station code along the model's ``station_path``."""

    def filter(self, qs, value):
        if not value:
            return qs
        path = qs.model.station_path
        lookup = "code" if path == "pk" else f"{path}__code"
        return qs.filter(**{lookup: value})


class StationFilterSet(django_filters.FilterSet):
    station = StationCodeFilter(label=_("station"))

    class Meta:
        model = SupplyStation
        fields = []


class TownshipFilterSet(StationFilterSet):
    class Meta:
        model = Township
        fields = []


class VillageFilterSet(StationFilterSet):
    area_class = django_filters.ChoiceFilter(
        choices=AreaClass.choices, empty_label=_("all"), label=_("area class")
    )
    township = django_filters.CharFilter(field_name="township__code", label=_("township"))

    class Meta:
        model = Village
        fields = []


class TransformerFilterSet(StationFilterSet):
    village = django_filters.CharFilter(field_name="village__code", label=_("village"))
    connection_group = django_filters.ChoiceFilter(
        choices=ConnectionGroup.choices, empty_label=_("all"), label=_("connection group")
    )

    class Meta:
        model = TransformerDistrict
        fields = []


class CustomerFilterSet(StationFilterSet):
    village = django_filters.CharFilter(field_name="village__code", label=_("village"))
    transformer = django_filters.CharFilter(field_name="transformer__code", label=_("transformer district"))
    phase = django_filters.ChoiceFilter(choices=Phase.choices, empty_label=_("all"), label=_("supply phase"))
    tag = django_filters.ChoiceFilter(
        choices=CustomerTag.choices, empty_label=_("all"), label=_("tag"), method="filter_tag"
    )

    class Meta:
        model = Customer
        fields = []

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=f",{value},")


class MeterFilterSet(StationFilterSet):
    customer = django_filters.CharFilter(field_name="customer__account_no", label=_("customer"))

    class Meta:
        model = Meter
        fields = []


class StaffFilterSet(StationFilterSet):
    class Meta:
        model = Staff
        fields = []


class TeamFilterSet(StationFilterSet):
    kind = django_filters.ChoiceFilter(choices=TeamKind.choices, empty_label=_("all"), label=_("kind"))

    class Meta:
        model = Team
        fields = []


FILTERSETS = {
    "stations": StationFilterSet,
    "townships": TownshipFilterSet,
    "villages": VillageFilterSet,
    "transformers": TransformerFilterSet,
    "customers": CustomerFilterSet,
    "meters": MeterFilterSet,
    "staff": StaffFilterSet,
    "teams": TeamFilterSet,
}
