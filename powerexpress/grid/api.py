"""Grid API. Contract (outside checks rely on these names):

``POST /api/v1/grid/phase-balance`` with ``{"profiles": {"<household>": [kW, ...]}, "phases":
{"<household>": "A"|"B"|"C"}, "max_moves": N, "fixed": [...]}`` answers ``{"moves": [{"household",
"from", "to"}], "peak_phase_kw_before", "peak_phase_kw_after", "unbalance_before", "unbalance_after",
"optimal", "solver"}``.
"""

from typing import Literal

import numpy as np
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from powerexpress.analytics import balancing
from powerexpress.core.errors import ApiError, FieldError

router = Router(tags=["grid"])

MAX_VALUES = 2_000_000
PHASE_INDEX = {"A": 0, "B": 1, "C": 2}


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


def _arrays(data: PhaseBalanceIn):
    names = sorted(data.profiles)
    errors = {}
    if not names:
        errors["profiles"] = _("Give at least one household profile.")
    missing = [name for name in names if name not in data.phases]
    extra = [name for name in data.phases if name not in data.profiles]
    if missing or extra:
        errors["phases"] = _("Give exactly one phase per profiled household (check: %(names)s).") % {
            "names": ", ".join((missing + extra)[:5])
        }
    lengths = {len(data.profiles[name]) for name in names}
    if len(lengths) > 1:
        errors["profiles"] = _("All profiles must have the same length.")
    elif lengths == {0}:
        errors["profiles"] = _("Profiles must not be empty.")
    unknown = [name for name in data.fixed if name not in data.profiles]
    if unknown:
        errors["fixed"] = _("Unknown households: %(names)s.") % {"names": ", ".join(unknown[:5])}
    if errors:
        raise FieldError(errors)
    if len(names) * lengths.pop() > MAX_VALUES:
        raise ApiError(_("Too many values: at most %(n)s.") % {"n": MAX_VALUES}, status=413, code="too_large")
    profiles = np.array([data.profiles[name] for name in names], dtype=float)
    if not np.isfinite(profiles).all():
        raise FieldError({"profiles": _("Values must be finite numbers.")})
    phases = np.array([PHASE_INDEX[data.phases[name]] for name in names])
    fixed = np.array([name in set(data.fixed) for name in names])
    return names, profiles, phases, fixed


@router.post("/grid/phase-balance", response=PhaseBalanceOut)
def phase_balance(request, data: PhaseBalanceIn):
    """Minimise the peak phase load moving at most ``max_moves`` households, then the moves."""
    if not getattr(request.user, "role", ""):
        raise ApiError(_("Your account has no role."), status=403, code="forbidden")
    names, profiles, phases, fixed = _arrays(data)
    result = balancing.balance_phases(profiles, phases, data.max_moves, fixed)
    return {
        "moves": [
            {"household": names[i], "from": balancing.PHASES[a], "to": balancing.PHASES[b]}
            for i, a, b in result.moves
        ],
        "peak_phase_kw_before": round(result.peak_before_kw, 6),
        "peak_phase_kw_after": round(result.peak_after_kw, 6),
        "unbalance_before": round(result.unbalance_before, 6),
        "unbalance_after": round(result.unbalance_after, 6),
        "optimal": result.optimal,
        "solver": result.solver,
    }
