"""Grid API. Contract (outside checks rely on these names):

``POST /api/v1/grid/phase-balance`` with ``{"profiles": {"<household>": [kW, ...]}, "phases":
{"<household>": "A"|"B"|"C"}, "max_moves": N, "fixed": [...]}`` answers ``{"moves": [{"household",
"from", "to"}], "peak_phase_kw_before", "peak_phase_kw_after", "unbalance_before", "unbalance_after",
"optimal", "solver", "stopped_early"}``. The request's size is limited (413 ``too_large``) and the
endpoint is rate-limited per user (429 ``rate_limited``).
"""

from typing import Literal

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from powerexpress.core.errors import ApiError
from powerexpress.core.throttle import public_rate_limit_check
from powerexpress.grid.services import phase_balance as phase_balance_service

router = Router(tags=["grid"])


class PhaseBalanceIn(Schema):
    profiles: dict[str, list[float]] = Field(
        ..., examples=[{"h1": [1.0, 2.0], "h2": [0.5, 0.5], "h3": [2.0, 1.0]}]
    )
    phases: dict[str, Literal["A", "B", "C"]] = Field(..., examples=[{"h1": "A", "h2": "A", "h3": "A"}])
    max_moves: int = Field(..., ge=0)
    fixed: list[str] = Field(default_factory=list)


class PhaseBalanceOut(Schema):
    moves: list[dict]
    peak_phase_kw_before: float
    peak_phase_kw_after: float
    unbalance_before: float
    unbalance_after: float
    optimal: bool
    solver: str
    stopped_early: bool


@router.post("/grid/phase-balance", response=PhaseBalanceOut)
def phase_balance(request, data: PhaseBalanceIn):
    """Minimise the peak phase load moving at most ``max_moves`` households, then the moves."""
    if not getattr(request.user, "role", ""):
        raise ApiError(_("Your account has no role."), status=403, code="forbidden")
    public_rate_limit_check(request, "grid-phase-balance", settings.GRID_BALANCE_RATE_LIMIT, key="user")
    return phase_balance_service(
        profiles=data.profiles, phases=data.phases, max_moves=data.max_moves, fixed=data.fixed
    )
