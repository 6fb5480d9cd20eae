"""Line-loss API. Contract (outside checks rely on these names):

``GET /api/v1/grid/line-loss?month=YYYY-MM[&station=CODE][&class=CODE]`` answers a list of rows
``{transformer, station, supply_kwh, sales_kwh, loss_kwh, loss_rate, coverage, class, reason}``;
``GET /api/v1/grid/line-loss/{transformer}?months=13`` answers one district's trend
``{transformer, station, months: [{month, supply_kwh, …, class, reason}]}``. Rates and coverage are
fractions (0.06 = 6 %); ``class`` is one of ``qualified``, ``high``, ``negative``,
``uncomputable``, ``stopped``.
"""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from powerexpress.accounts.roles import USE_STAFF_PAGES
from powerexpress.core.errors import ApiError
from powerexpress.core.filters import filtered_or_422
from powerexpress.core.scope import get_visible_or_404
from powerexpress.lineloss import selectors
from powerexpress.lineloss.filters import LineLossFilterSet
from powerexpress.registry.models import TransformerDistrict

router = Router(tags=["line loss"])


class LossOut(Schema):
    transformer: str
    station: str
    supply_kwh: float | None
    sales_kwh: float
    loss_kwh: float | None
    loss_rate: float | None
    coverage: float | None
    class_: str = Field(..., alias="class")
    reason: str


class MonthOut(LossOut):
    month: str


class TrendOut(Schema):
    transformer: str
    station: str
    months: list[MonthOut]


class LossFilter(Schema):
    month: str = Field(..., pattern=r"^\d{4}-\d{2}$")
    station: str | None = None
    class_: str | None = Field(None, alias="class")
    q: str | None = Field(None, description="Text in the district's code or name")


def _require_role(user) -> None:
    if not user.has_perm(USE_STAFF_PAGES):
        raise ApiError(_("Your account has no role."), status=403, code="forbidden")


def _row(item) -> dict:
    return {
        "transformer": item.transformer.code,
        "station": item.transformer.station.code,
        "supply_kwh": None if item.supply_kwh is None else round(item.supply_kwh, 3),
        "sales_kwh": round(item.sales_kwh, 3),
        "loss_kwh": None if item.loss_kwh is None else round(item.loss_kwh, 3),
        "loss_rate": None if item.loss_rate is None else round(item.loss_rate, 6),
        "coverage": None if item.coverage is None else round(item.coverage, 4),
        "class": item.loss_class,
        "reason": item.reason,
        "month": f"{item.month:%Y-%m}",
    }


@router.get("/grid/line-loss", response=list[LossOut], by_alias=True)
def line_loss_list(request, filters: Query[LossFilter]):
    """The month's line loss per district, worst first, within the caller's scope."""
    _require_role(request.user)
    data = {key: value for key, value in filters.dict(by_alias=True).items() if value not in (None, "")}
    rows = filtered_or_422(LineLossFilterSet(data, selectors.loss_list(request.user)))
    return [_row(item) for item in rows]


@router.get("/grid/line-loss/{transformer}", response=TrendOut, by_alias=True)
def line_loss_trend(request, transformer: str, months: int = Query(13, ge=1, le=60)):
    """One district's monthly line loss over the last ``months`` computed months, oldest first."""
    _require_role(request.user)
    district = get_visible_or_404(
        request.user, TransformerDistrict.objects.select_related("station"), code=transformer
    )
    items = selectors.trend(request.user, district, months)
    for item in items:
        item.transformer = district
    return {
        "transformer": district.code,
        "station": district.station.code,
        "months": [_row(i) for i in items],
    }
