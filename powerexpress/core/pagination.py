"""The API's one pagination: ``limit`` (1–``API_MAX_LIMIT``, default 100) and ``offset``, both
checked by the schema so an out-of-range value answers 422 naming it (never a database error)."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

from powerexpress.core.inputs import INT32_MAX


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=settings.API_MAX_LIMIT, description="rows per page")
        offset: int = Field(0, ge=0, le=INT32_MAX, description="rows to skip")

    def __init__(self, **kwargs):
        super().__init__(max_limit=settings.API_MAX_LIMIT, **kwargs)
