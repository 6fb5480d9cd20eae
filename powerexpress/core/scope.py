"""Per-station data scope: which rows a user may see.

Every scoped model declares ``station_path`` (the lookup from the model to its supply station).
Bureau-wide roles see every row; station-bound roles see only their station's rows; a user
with no role sees nothing. Views and API handlers fetch single objects through
``get_visible_or_404`` so that another station's object answers 404, never 403, and its
existence is not leaked.
"""

from django.db.models import Model, QuerySet
from django.http import Http404


def station_filter(model: type[Model], station_id: int) -> dict:
    return {model.station_path: station_id}


def visible(user, queryset: QuerySet) -> QuerySet:
    """Restrict ``queryset`` to the rows ``user`` may see."""
    if not user or not user.is_authenticated:
        return queryset.none()
    if user.is_superuser or getattr(user, "is_bureau_wide", False):
        return queryset
    if not getattr(user, "role", "") or not user.station_id:
        return queryset.none()
    return queryset.filter(**station_filter(queryset.model, user.station_id))


def get_visible_or_404(user, queryset: QuerySet, **lookup):
    try:
        return visible(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(str(queryset.model._meta.verbose_name)) from exc


def can_see_station(user, station_id: int | None) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser or getattr(user, "is_bureau_wide", False):
        return True
    return bool(getattr(user, "role", "")) and station_id is not None and user.station_id == station_id


class MappedQuerySet:
    """A queryset whose rows are passed through ``fn`` only when sliced: lets the API paginate
    a large queryset while building each output row (e.g. masking) for one page only."""

    def __init__(self, queryset: QuerySet, fn):
        self.queryset = queryset
        self.fn = fn

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, slice):
            return [self.fn(obj) for obj in self.queryset[item]]
        return self.fn(self.queryset[item])
