"""SimBench low-voltage grids as arrays for validating the grid analytics (no Django).

SimBench (PyPI ``simbench``, a dev/validation extra) ships German benchmark grids with one year
(2016, a leap year: 366 × 96 = 35,136 steps) of 15-minute load profiles inside the package, so
nothing is downloaded at run time. ``simbench`` is imported inside the functions: importing this
module never needs it, and :func:`unavailable_reason` says why a caller should skip.

What is taken from a grid:

- **Households** are the residential loads (profile ``H0-*``). A load's active power is
  SimBench's absolute value, profile × ``p_mw`` (``get_absolute_profiles_from_relative_profiles``);
  every profile peaks at 1.0, so ``p_mw`` is the household's own peak. Only five H0 profiles
  exist (``H0-A``, ``-B``, ``-C``, ``-G``, ``-L``): households with the same profile differ by
  their scale only.
- **Other loads** (commercial ``G*``, agricultural ``L*``) are three-phase: their sum is spread
  evenly over the three phases and never moved.
- PV and other generators are left out: the figures are gross consumption (with PV counted, a
  sunny midday would be lower, the winter evening the same).
- The **transformer rating** is the LV grid's MV/LV unit (``sn_mva`` × 1000 kVA).
- Time labels are German local time: 27 March has 92 steps and 30 October 100, so a day is taken
  by its label (:func:`day_steps`), never as ``step // 96``.

**Phases.** SimBench loads are balanced three-phase; a Chinese rural district's households are
single-phase and unevenly spread. Each household is put on one phase deterministically: a
permutation of the households drawn from ``numpy.random.default_rng(seed)`` (default seed 2016)
gives the first 50 % to phase A, the next 30 % to B and the rest (20 %) to C; counts are rounded
by largest remainder so they add up (92 households → 46 / 28 / 18). Same code, seed and shares,
same phases.

**Phase balancing** (:func:`balancing_case`): the households plus the other loads as three fixed
thirds, so the engine minimises the transformer's peak phase load; :func:`peak_date` is the day of
that peak.

**Transformer arrays** (:func:`transformer_arrays`, for ``analytics.loading.detect``): phase
active power P_p = households on p + one third of the other loads; apparent power S_p = P_p / 0.95
(power factor, as the IEEE European LV feeder's loads); phase current I_p = S_p / 230 V;
S = Σ S_p. No load flow is run, so the lowest phase voltage is the nominal 230 V throughout and
no low-voltage event can appear.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STEP_MIN = 15
PHASE_VOLTAGE_V = 230.0
POWER_FACTOR = 0.95
PHASE_SHARES = (0.5, 0.3, 0.2)
PHASE_SEED = 2016
RESIDENTIAL_PROFILE_PREFIX = "H0-"
LV_GRIDS = (
    "1-LV-rural1--0-sw",
    "1-LV-rural2--0-sw",
    "1-LV-rural3--0-sw",
    "1-LV-semiurb4--0-sw",
    "1-LV-semiurb5--0-sw",
    "1-LV-urban6--0-sw",
)


@dataclass(frozen=True)
class SimbenchGrid:
    """One SimBench LV grid as arrays: households × steps in kW, their phases (0/1/2 = A/B/C)."""

    code: str
    rated_kva: float
    names: tuple[str, ...]
    household_kw: np.ndarray
    phases: np.ndarray
    other_kw: np.ndarray
    step_date: np.ndarray

    @property
    def phase_counts(self) -> tuple[int, int, int]:
        counts = np.bincount(self.phases, minlength=3)
        return int(counts[0]), int(counts[1]), int(counts[2])


def unavailable_reason() -> str | None:
    """Why SimBench grids cannot be loaded here (for a skip message), or None when they can."""
    spec = importlib.util.find_spec("simbench")
    if spec is None or spec.origin is None:
        return "simbench is not installed (pip install -e '.[dev]' or pip install simbench==1.6.3)"
    networks = Path(spec.origin).parent / "networks"
    if not any(networks.glob("1-complete_data-mixed-all-*-sw/LoadProfile.csv")):
        return f"the simbench package has no grid data under {networks}"
    return None


def split_phases(
    n: int, *, shares: tuple[float, float, float] = PHASE_SHARES, seed: int = PHASE_SEED
) -> np.ndarray:
    """Phases (0/1/2) of ``n`` households: a seeded permutation cut by ``shares`` (largest remainder)."""
    exact = np.asarray(shares, dtype=float) / sum(shares) * n
    counts = np.floor(exact).astype(int)
    counts[np.argsort(counts - exact, kind="stable")[: n - counts.sum()]] += 1
    phases = np.empty(n, dtype=np.int64)
    phases[np.random.default_rng(seed).permutation(n)] = np.repeat(np.arange(3), counts)
    return phases


def load_grid(
    code: str, *, shares: tuple[float, float, float] = PHASE_SHARES, seed: int = PHASE_SEED
) -> SimbenchGrid:
    """The households, other loads, rating and step dates of the SimBench LV grid ``code``."""
    import simbench

    net = simbench.get_simbench_net(code)
    if len(net.trafo) != 1:
        raise ValueError(f"{code}: expected one MV/LV transformer, found {len(net.trafo)}")
    absolute_kw = 1000.0 * simbench.get_absolute_profiles_from_relative_profiles(net, "load", "p_mw")
    residential = net.load.profile.str.startswith(RESIDENTIAL_PROFILE_PREFIX).to_numpy()
    loads_kw = absolute_kw[net.load.index].to_numpy(dtype=float).T
    labels = net.profiles["load"]["time"]
    step_date = (labels.str[6:10] + "-" + labels.str[3:5] + "-" + labels.str[:2]).to_numpy(
        dtype="datetime64[D]"
    )
    return SimbenchGrid(
        code=code,
        rated_kva=float(net.trafo.sn_mva.iloc[0]) * 1000.0,
        names=tuple(net.load.name[residential]),
        household_kw=np.ascontiguousarray(loads_kw[residential]),
        phases=split_phases(int(residential.sum()), shares=shares, seed=seed),
        other_kw=loads_kw[~residential].sum(axis=0),
        step_date=step_date,
    )


def phase_kw(grid: SimbenchGrid, phases: np.ndarray | None = None) -> np.ndarray:
    """Active power per phase (3 × steps, kW): households on each phase plus a third of the other loads."""
    phases = grid.phases if phases is None else np.asarray(phases)
    loads = np.tile(grid.other_kw / 3.0, (3, 1))
    for phase in range(3):
        loads[phase] += grid.household_kw[phases == phase].sum(axis=0)
    return loads


def load_rate(s_kva: np.ndarray, rated_kva: np.ndarray) -> np.ndarray:
    """S / rated kVA per transformer row."""
    return s_kva / np.asarray(rated_kva, dtype=float)[:, None]


def transformer_arrays(
    grid: SimbenchGrid,
    phases: np.ndarray | None = None,
    *,
    power_factor: float = POWER_FACTOR,
    voltage_v: float = PHASE_VOLTAGE_V,
) -> dict:
    """The keyword arrays of ``analytics.loading.detect`` for the grid's transformer (one row).

    S_p = P_p / ``power_factor``, I_p = S_p / ``voltage_v``, S = Σ S_p; ``v_min`` is ``voltage_v``."""
    s_phase_kva = phase_kw(grid, phases) / power_factor
    i_a, i_b, i_c = (1000.0 * s_phase_kva[phase][None, :] / voltage_v for phase in range(3))
    return {
        "s_kva": s_phase_kva.sum(axis=0)[None, :],
        "rated_kva": np.array([grid.rated_kva]),
        "i_a": i_a,
        "i_b": i_b,
        "i_c": i_c,
        "v_min": np.full((1, s_phase_kva.shape[1]), voltage_v),
        "step_min": STEP_MIN,
    }


def peak_date(grid: SimbenchGrid) -> np.datetime64:
    """The date of the step with the highest phase load (households on their phases and other loads)."""
    return grid.step_date[int(np.argmax(phase_kw(grid).max(axis=0)))]


def day_steps(grid: SimbenchGrid, date) -> np.ndarray:
    """Indexes of the steps labelled with ``date`` (96, or 92/100 on the clock-change days)."""
    return np.flatnonzero(grid.step_date == np.datetime64(date, "D"))


def balancing_case(grid: SimbenchGrid, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``profiles, phases, fixed`` for ``analytics.balancing`` over ``steps``: the households, then the
    other loads as three fixed thirds, one per phase (as the API treats a three-phase customer).

    The engine's phase loads are then the transformer's; rows past ``len(grid.names)`` never move."""
    profiles = np.vstack([grid.household_kw[:, steps], np.tile(grid.other_kw[steps] / 3.0, (3, 1))])
    phases = np.concatenate([grid.phases, np.arange(3)])
    fixed = np.concatenate([np.zeros(len(grid.names), dtype=bool), np.ones(3, dtype=bool)])
    return profiles, phases, fixed
