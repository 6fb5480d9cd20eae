"""The line-loss list's FilterSet, shared by the ranking page and the API list.

It filters the districts' computed months the selector returns, already narrowed to what the user
may see: a filter only narrows further, so no query string widens the scope."""

import django_filters
from django.utils.translation import gettext_lazy as _

from powerexpress.core.filters import SearchFilter
from powerexpress.lineloss.choices import LossClass
from powerexpress.lineloss.models import LineLoss


class LineLossFilterSet(django_filters.FilterSet):
    """``month`` (YYYY-MM), ``station`` (code), ``class`` (a loss class) and ``q`` (text in the
    district's code or name)."""

    month = django_filters.DateFilter(
        input_formats=["%Y-%m"], label=_("month"), error_messages={"invalid": _("Enter a month as YYYY-MM.")}
    )
    station = django_filters.CharFilter(field_name="transformer__station__code", label=_("station"))
    loss_class = django_filters.ChoiceFilter(
        field_name="loss_class", choices=LossClass.choices, empty_label=_("all"), label=_("class")
    )
    q = SearchFilter(search_fields=("transformer__code", "transformer__name"))

    class Meta:
        model = LineLoss
        fields: list[str] = []


# The query parameter is ``class`` (a Python keyword, so not an attribute name above).
LineLossFilterSet.base_filters["class"] = LineLossFilterSet.base_filters.pop("loss_class")
