"""What every app's FilterSet shares: an API list answers 422 naming each field whose value is not
valid; a page shows the form's errors over an empty list (never a 500)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from powerexpress.core.errors import FieldError


def filtered_or_422(filterset: django_filters.FilterSet) -> QuerySet:
    """The filtered queryset, or a 422 naming each field whose value is not valid (API lists)."""
    if not filterset.is_valid():
        raise FieldError({field: " ".join(messages) for field, messages in filterset.errors.items()})
    return filterset.qs


def filtered_or_none(filterset: django_filters.FilterSet) -> QuerySet:
    """The filtered queryset for a page: nothing while the form shows an error (never a 500)."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


class SearchFilter(django_filters.CharFilter):
    """``q``: any of ``search_fields`` contains the text (case-insensitive); blank matches all."""

    def __init__(self, *args, search_fields: tuple[str, ...], **kwargs):
        kwargs.setdefault("label", _("search"))
        super().__init__(*args, **kwargs)
        self.search_fields = search_fields

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        match = Q()
        for field in self.search_fields:
            match |= Q(**{f"{field}__icontains": value})
        return qs.filter(match)
