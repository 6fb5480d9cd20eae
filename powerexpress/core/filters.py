"""What every app's FilterSet shares: an API list answers 422 naming each field whose value is not
valid; a page shows the form's errors over an empty list (never a 500)."""

import django_filters
from django.db.models import QuerySet

from powerexpress.core.errors import FieldError


def filtered_or_422(filterset: django_filters.FilterSet) -> QuerySet:
    """The filtered queryset, or a 422 naming each field whose value is not valid (API lists)."""
    if not filterset.is_valid():
        raise FieldError({field: " ".join(messages) for field, messages in filterset.errors.items()})
    return filterset.qs


def filtered_or_none(filterset: django_filters.FilterSet) -> QuerySet:
    """The filtered queryset for a page: nothing while the form shows an error (never a 500)."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()
