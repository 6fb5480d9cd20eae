"""Phase balancing: which single-phase households to move to which phase.

Given household load profiles ``profiles`` (n × T, kW) and their phases (0/1/2 = A/B/C), the
phase load is ``L_p(t) = Σ_{i on p} profiles[i, t]``. The goal is to minimise the peak phase load
``max_{p,t} L_p(t)`` moving at most ``max_moves`` households (some may be fixed), then to use as
few moves as possible.

Two engines share one result type:

- :func:`solve_milp` — an exact mixed-integer programme solved by HiGHS (``scipy.optimize.milp``)
  in move variables (two binaries per movable household: "moves to the next phase", "moves to
  the one after"). Time steps that cannot carry the optimal peak are left out of the model, so a
  day at 1-minute resolution stays small. A first solve minimises the peak, a second the number
  of moves at that peak; the local search's plan is returned instead when HiGHS hits its node
  limit without beating it.
- :func:`solve_local_search` — steepest descent over relocations and pairwise exchanges with
  seeded random restarts (iterated local search), then a pass that undoes moves not needed for
  the peak.

Determinism: both engines are bounded by work, never by the clock — the local search by a number
of restart rounds (and of descent steps per round), HiGHS by a number of branch-and-bound nodes
(HiGHS's MIP search is sequential and seeded, so the same model gives the same answer; HiGHS is
given no time limit). The same input and settings give the same plan on an idle and on a loaded
machine. This module never reads the clock: a caller that wants a safety stop against a runaway
search passes ``should_stop``, a callable asked between restart rounds and between HiGHS solves
(the Django shell builds one from a wall-clock deadline); when it answers True the search ends
there and the result says so in ``stopped_early`` instead of silently returning a worse plan.

:func:`balance_phases` picks the engine by problem size: the MILP, warm-started by the local
search, up to ``MILP_MAX_HOUSEHOLDS`` movable households; the local search alone beyond. Pure
numpy/scipy; no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

PHASES = ("A", "B", "C")
MILP_MAX_HOUSEHOLDS = 60
LOCAL_SEARCH_ROUNDS = 60
LOCAL_SEARCH_EVALUATIONS = 3_000_000
DESCENT_MAX_STEPS = 200
MILP_NODE_LIMIT = 4000

StopCheck = Callable[[], bool]
Operation = tuple[str, int, int]
Candidate = tuple[float, float, Operation]
Finder = Callable[[np.ndarray, np.ndarray, np.ndarray, int], Candidate | None]


@dataclass(frozen=True)
class BalanceResult:
    """A balancing plan: the phases after, the moves, figures before and after, and how it was found."""

    phases_after: np.ndarray
    moves: list[tuple[int, int, int]]
    peak_before_kw: float
    peak_after_kw: float
    unbalance_before: float
    unbalance_after: float
    optimal: bool
    solver: str
    lower_bound_kw: float | None = None
    stopped_early: bool = False


def phase_loads(profiles: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """The 3 × T phase loads of households ``profiles`` on ``phases``."""
    loads = np.zeros((3, profiles.shape[1]))
    for phase in range(3):
        loads[phase] = profiles[phases == phase].sum(axis=0)
    return loads


def peak_and_unbalance(loads: np.ndarray) -> tuple[float, float]:
    """Peak phase load and the unbalance (max − min)/max of the phases at the peak's time step."""
    if loads.shape[1] == 0:
        return 0.0, 0.0
    step = int(np.argmax(loads.max(axis=0)))
    column = loads[:, step]
    top = float(column.max())
    return top, (float((top - column.min()) / top) if top > 0 else 0.0)


def _result(
    profiles: np.ndarray, start: np.ndarray, after: np.ndarray, optimal: bool, solver: str
) -> BalanceResult:
    peak0, unb0 = peak_and_unbalance(phase_loads(profiles, start))
    peak1, unb1 = peak_and_unbalance(phase_loads(profiles, after))
    moves = [(int(i), int(start[i]), int(after[i])) for i in np.flatnonzero(after != start)]
    return BalanceResult(after.copy(), moves, peak0, peak1, unb0, unb1, optimal, solver)


def _check(
    profiles: Any, phases: Any, max_moves: int, fixed: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    profiles = np.asarray(profiles, dtype=float)
    phases = np.asarray(phases, dtype=np.int64)
    if profiles.ndim != 2 or phases.shape != (profiles.shape[0],):
        raise ValueError("profiles must be n × T and phases must have n entries")
    if phases.size and (phases.min() < 0 or phases.max() > 2):
        raise ValueError("phases must be 0, 1 or 2")
    if max_moves < 0:
        raise ValueError("max_moves must not be negative")
    fixed_mask = np.zeros(len(phases), dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    return profiles, phases, fixed_mask


def _tolerance(profiles: np.ndarray) -> float:
    return 1e-9 * max(1.0, float(np.abs(profiles).sum(axis=0).max(initial=0.0)))


# Local search -------------------------------------------------------------------------------


class _Search:
    """State of the iterated local search: current phases, phase loads and moves used."""

    def __init__(
        self,
        profiles: np.ndarray,
        start: np.ndarray,
        max_moves: int,
        fixed: np.ndarray,
        rng: np.random.Generator,
        tau: float,
    ) -> None:
        self.profiles = profiles
        self.start = start
        self.max_moves = max_moves
        self.movable = ~fixed
        self.rng = rng
        self.tau = tau
        self.tol = _tolerance(profiles)
        self.swing = profiles[~fixed].max(axis=0) if (~fixed).any() else np.zeros(profiles.shape[1])
        self.step_count = 16
        self.evaluations = 0

    def score(self, loads: np.ndarray) -> tuple[float, float]:
        top = float(loads.max())
        return top, float(np.exp((loads - top) / self.tau).sum())

    def _candidates_relocate(
        self, phases: np.ndarray, loads: np.ndarray, rows_all: np.ndarray, used: int
    ) -> Candidate | None:
        """Best relocation as (peak, lse, op) over the given steps, or None."""
        best: Candidate | None = None
        for source in range(3):
            members = np.flatnonzero((phases == source) & self.movable)
            if members.size == 0:
                continue
            rows = rows_all[members]
            reduced = loads[source][None, :] - rows
            for target in range(3):
                if target == source:
                    continue
                other = 3 - source - target
                delta = (self.start[members] != target).astype(int) - (self.start[members] != source).astype(
                    int
                )
                ok = used + delta <= self.max_moves
                if not ok.any():
                    continue
                raised = loads[target][None, :] + rows
                self.evaluations += rows.size
                peak = np.maximum(np.maximum(reduced.max(axis=1), raised.max(axis=1)), loads[other].max())
                lse = (
                    np.exp((reduced - peak[:, None]) / self.tau).sum(axis=1)
                    + np.exp((raised - peak[:, None]) / self.tau).sum(axis=1)
                    + np.exp((loads[other][None, :] - peak[:, None]) / self.tau).sum(axis=1)
                )
                peak = np.where(ok, peak, np.inf)
                k = int(np.lexsort((lse, peak))[0])
                if np.isfinite(peak[k]) and (best is None or (peak[k], lse[k]) < best[:2]):
                    best = (float(peak[k]), float(lse[k]), ("move", int(members[k]), target))
        return best

    def _hot_members(
        self, phases: np.ndarray, loads: np.ndarray, rows_all: np.ndarray, phase: int, limit: int
    ) -> np.ndarray:
        members = np.flatnonzero((phases == phase) & self.movable)
        if members.size <= limit:
            return members
        hot = np.argsort(loads.max(axis=0))[-8:]
        weight = rows_all[np.ix_(members, hot)].sum(axis=1)
        return members[np.argsort(weight)[-limit:]]

    def _candidates_swap(
        self, phases: np.ndarray, loads: np.ndarray, rows_all: np.ndarray, used: int, limit: int = 32
    ) -> Candidate | None:
        best: Candidate | None = None
        for p, q in ((0, 1), (0, 2), (1, 2)):
            left = self._hot_members(phases, loads, rows_all, p, limit)
            right = self._hot_members(phases, loads, rows_all, q, limit)
            if left.size == 0 or right.size == 0:
                continue
            r = 3 - p - q
            diff = rows_all[left][:, None, :] - rows_all[right][None, :, :]
            self.evaluations += diff.size
            new_p = loads[p][None, None, :] - diff
            new_q = loads[q][None, None, :] + diff
            peak = np.maximum(np.maximum(new_p.max(axis=2), new_q.max(axis=2)), loads[r].max())
            lse = (
                np.exp((new_p - peak[:, :, None]) / self.tau).sum(axis=2)
                + np.exp((new_q - peak[:, :, None]) / self.tau).sum(axis=2)
                + np.exp((loads[r][None, None, :] - peak[:, :, None]) / self.tau).sum(axis=2)
            )
            so_l, so_r = self.start[left], self.start[right]
            delta = ((q != so_l).astype(int) - (p != so_l).astype(int))[:, None] + (
                (p != so_r).astype(int) - (q != so_r).astype(int)
            )[None, :]
            peak = np.where(used + delta <= self.max_moves, peak, np.inf)
            flat = int(np.lexsort((lse.ravel(), peak.ravel()))[0])
            a, b = divmod(flat, right.size)
            if np.isfinite(peak[a, b]) and (best is None or (peak[a, b], lse[a, b]) < best[:2]):
                best = (float(peak[a, b]), float(lse[a, b]), ("swap", int(left[a]), int(right[b])))
        return best

    def _best_op(
        self, phases: np.ndarray, loads: np.ndarray, used: int, finder: Finder
    ) -> tuple[Candidate, tuple[float, float]] | None:
        """The best operation found by ``finder``, evaluated on the steps that can set the peak.

        A step whose highest phase plus the largest household load there stays below the chosen
        candidate's peak cannot raise it, so the candidates are scored on the top steps by that
        bound only, and the set of steps is doubled until the choice is exact.
        """
        bound = loads.max(axis=0) + self.swing
        order = np.argsort(bound)[::-1]
        count = min(self.step_count, bound.size)
        while True:
            steps = order[:count]
            sub_loads = loads[:, steps]
            best = finder(phases, sub_loads, self.profiles[:, steps], used)
            if best is None:
                return None
            outside = bound[order[count]] if count < bound.size else -np.inf
            if outside <= best[0] + self.tol or count >= bound.size:
                return best, (float(loads.max()), self.score(sub_loads)[1])
            count = min(2 * count, bound.size)

    def apply(self, phases: np.ndarray, loads: np.ndarray, op: Operation) -> tuple[np.ndarray, np.ndarray]:
        phases = phases.copy()
        loads = loads.copy()
        if op[0] == "move":
            _kind, i, target = op
            loads[phases[i]] -= self.profiles[i]
            loads[target] += self.profiles[i]
            phases[i] = target
        else:
            _kind, i, j = op
            pi, pj = phases[i], phases[j]
            loads[pi] += self.profiles[j] - self.profiles[i]
            loads[pj] += self.profiles[i] - self.profiles[j]
            phases[i], phases[j] = pj, pi
        return phases, loads

    def _improves(self, best: Candidate, current: tuple[float, float]) -> bool:
        peak, lse, _op = best
        return peak < current[0] - self.tol or (
            peak <= current[0] + self.tol and lse < current[1] * (1 - 1e-9)
        )

    def descend(
        self, phases: np.ndarray, loads: np.ndarray, budget: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Steepest descent: relocations first, exchanges when no relocation improves (at most
        ``DESCENT_MAX_STEPS`` steps, each strictly improving; stops early once ``budget``
        household-step evaluations are spent)."""
        for _step in range(DESCENT_MAX_STEPS):
            if budget is not None and self.evaluations >= budget:
                break
            used = int((phases != self.start).sum())
            found = self._best_op(phases, loads, used, self._candidates_relocate)
            if found is None or not self._improves(*found):
                found = self._best_op(phases, loads, used, self._candidates_swap)
            if found is None or not self._improves(*found):
                break
            phases, loads = self.apply(phases, loads, found[0][2])
        return phases, loads

    def kick(self, phases: np.ndarray, loads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ruin and recreate: undo one or two moves, then move one or two households that carry
        the peak phase at the peak step (chosen at random, weighted by their load there)."""
        moved = np.flatnonzero(phases != self.start)
        if moved.size and self.rng.random() < 0.5:
            for i in self.rng.choice(
                moved, size=min(moved.size, int(self.rng.integers(1, 3))), replace=False
            ):
                phases, loads = self.apply(phases, loads, ("move", int(i), int(self.start[i])))
        for _ in range(int(self.rng.integers(1, 3))):
            step = int(np.argmax(loads.max(axis=0)))
            phase = int(np.argmax(loads[:, step]))
            members = np.flatnonzero((phases == phase) & self.movable)
            used = int((phases != self.start).sum())
            members = members[(phases[members] != self.start[members]) | (used < self.max_moves)]
            weight = self.profiles[members, step]
            if members.size == 0 or weight.sum() <= 0:
                break
            i = int(self.rng.choice(members, p=weight / weight.sum()))
            target = int(self.rng.choice([p for p in range(3) if p != phase]))
            if used + int(target != self.start[i]) - int(phases[i] != self.start[i]) <= self.max_moves:
                phases, loads = self.apply(phases, loads, ("move", i, target))
        return phases, loads

    def fewer_moves(self, phases: np.ndarray, loads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Undo moves (alone, then in pairs) that the peak does not need."""
        peak = float(loads.max())
        improved = True
        while improved:
            improved = False
            moved = np.flatnonzero(phases != self.start)
            for i in moved:
                trial = self.apply(phases, loads, ("move", int(i), int(self.start[i])))
                if trial[1].max() <= peak + self.tol:
                    phases, loads, improved = trial[0], trial[1], True
                    break
            if improved:
                continue
            for a in range(len(moved)):
                for b in range(a + 1, len(moved)):
                    first, second = int(moved[a]), int(moved[b])
                    trial = self.apply(phases, loads, ("move", first, int(self.start[first])))
                    trial = self.apply(trial[0], trial[1], ("move", second, int(self.start[second])))
                    if trial[1].max() <= peak + self.tol:
                        phases, loads, improved = trial[0], trial[1], True
                        break
                if improved:
                    break
        return phases, loads


def solve_local_search(
    profiles: Any,
    phases: Any,
    max_moves: int,
    fixed: Any = None,
    *,
    rounds: int = LOCAL_SEARCH_ROUNDS,
    evaluations: int = LOCAL_SEARCH_EVALUATIONS,
    seed: int = 0,
    should_stop: StopCheck | None = None,
) -> BalanceResult:
    """Iterated local search (relocations and exchanges); fast, not proven optimal.

    The work is bounded by ``rounds`` seeded restarts and by ``evaluations``, the number of
    (candidate, time step) pairs scored after the first descent (which always completes): a
    small case runs all its rounds, a large one stops when the evaluations are spent — the same
    place on any machine. Only the caller's ``should_stop``, asked before each round, can stop it
    earlier (``stopped_early``)."""
    profiles, start, fixed_mask = _check(profiles, phases, max_moves, fixed)
    safety = _SafetyStop(should_stop)
    loads = phase_loads(profiles, start)
    tau = max(0.02 * float(loads.max(initial=0.0)), 1e-6)
    search = _Search(profiles, start, max_moves, fixed_mask, np.random.default_rng(seed), tau)
    best_phases, best_loads = search.descend(start, loads)
    best_key = (float(best_loads.max()), int((best_phases != start).sum()))
    current_phases, current_loads = best_phases, best_loads
    budget = search.evaluations + evaluations
    for _round in range(rounds if max_moves > 0 else 0):
        if search.evaluations >= budget or safety.expired():
            break
        trial_phases, trial_loads = search.kick(current_phases, current_loads)
        trial_phases, trial_loads = search.descend(trial_phases, trial_loads, budget)
        key = (float(trial_loads.max()), int((trial_phases != start).sum()))
        if key[0] < best_key[0] - search.tol or (key[0] <= best_key[0] + search.tol and key[1] < best_key[1]):
            best_phases, best_loads, best_key = trial_phases, trial_loads, key
        current_phases, current_loads = (
            (trial_phases, trial_loads) if key[0] <= best_key[0] * 1.01 else (best_phases, best_loads)
        )
    best_phases, best_loads = search.fewer_moves(best_phases, best_loads)
    return replace(_result(profiles, start, best_phases, False, "local-search"), stopped_early=safety.stopped)


class _SafetyStop:
    """The caller's safety stop: never consulted for the answer, only to end a runaway search (and
    to say so). ``None`` means no stop at all; once it has answered True it stays stopped."""

    def __init__(self, should_stop: StopCheck | None):
        self.should_stop = should_stop
        self.stopped = False

    def expired(self) -> bool:
        self.stopped = self.stopped or (self.should_stop is not None and bool(self.should_stop()))
        return self.stopped


# Exact MILP ---------------------------------------------------------------------------------


class _MoveModel:
    """The MILP in move variables: ``y[k] = 1`` when household ``household[k]`` moves from its
    phase ``source[k]`` to ``target[k]`` (two variables per movable household), and ``z``, the
    peak, as the last column. Phase loads are the starting loads plus the moves:
    ``L_p(t) = L0_p(t) + Σ_{k→p} P[i_k,t] y_k − Σ_{k from p} P[i_k,t] y_k``.

    Fixed households get no variables, at most one move per household and ``max_moves`` in all.
    """

    def __init__(
        self, profiles: np.ndarray, start: np.ndarray, fixed_mask: np.ndarray, max_moves: int
    ) -> None:
        self.profiles = profiles
        self.start = start
        self.max_moves = max_moves
        movable = np.flatnonzero(~fixed_mask)
        self.household = np.repeat(movable, 2)
        self.source = start[self.household]
        self.target = (self.source + np.tile([1, 2], movable.size)) % 3
        self.size = self.household.size
        self.base = phase_loads(profiles, start)
        one_each = sparse.csr_matrix(
            (np.ones(self.size), (np.repeat(np.arange(movable.size), 2), np.arange(self.size))),
            shape=(movable.size, self.size + 1),
        )
        budget = np.ones((1, self.size + 1))
        budget[0, -1] = 0.0
        self.fixed_rows = [LinearConstraint(one_each, 0, 1), LinearConstraint(budget, 0, max_moves)]

    def peak_rows(self, steps: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Rows ``L_p(t) − z ≤ 0`` for each step in ``steps`` and phase p, as (matrix, upper bounds)."""
        count = steps.size
        load = self.profiles[self.household][:, steps].T
        columns = np.arange(self.size)
        first_row = 3 * np.arange(count)[:, None]
        rows = np.concatenate(
            [(first_row + self.target).ravel(), (first_row + self.source).ravel(), np.arange(3 * count)]
        )
        cols = np.concatenate(
            [np.tile(columns, count), np.tile(columns, count), np.full(3 * count, self.size)]
        )
        values = np.concatenate([load.ravel(), -load.ravel(), -np.ones(3 * count)])
        matrix = sparse.csr_matrix((values, (rows, cols)), shape=(3 * count, self.size + 1))
        return matrix, -self.base[:, steps].T.ravel()

    def phases(self, y: np.ndarray) -> np.ndarray:
        after = self.start.copy()
        chosen = y[: self.size] > 0.5
        after[self.household[chosen]] = self.target[chosen]
        return after

    def solve(
        self, steps: np.ndarray, *, cost: np.ndarray, z_upper: float, node_limit: int
    ) -> tuple[np.ndarray | None, bool, float | None]:
        """One HiGHS solve on ``steps``, bounded by ``node_limit`` branch-and-bound nodes and
        given no time limit: (phases or None, proven optimal, dual bound)."""
        matrix, upper = self.peak_rows(steps)
        bounds_upper = np.ones(self.size + 1)
        bounds_upper[-1] = z_upper
        integrality = np.ones(self.size + 1)
        integrality[-1] = 0
        options = {"node_limit": int(node_limit), "mip_rel_gap": 1e-6, "disp": False, "presolve": True}
        result = milp(
            cost,
            integrality=integrality,
            bounds=Bounds(np.zeros(self.size + 1), bounds_upper),
            constraints=self.fixed_rows + [LinearConstraint(matrix, -np.inf, upper)],
            options=options,
        )
        bound = getattr(result, "mip_dual_bound", None)
        if result.x is None:
            return None, False, bound
        return self.phases(result.x), bool(result.status == 0), bound

    def binding_steps(self) -> np.ndarray:
        """The steps that can carry the optimal peak. At step t no phase can exceed its load plus
        the ``max_moves`` largest profiles of households that could move onto it; where that stays
        at or below the mean phase load of the busiest step — a lower bound of every plan's peak —
        the step cannot raise the peak above the optimum and is left out of the model."""
        lower = self.profiles.sum(axis=0).max() / 3
        steps_total = self.profiles.shape[1]
        cap = np.zeros(steps_total)
        for phase in range(3):
            incoming = self.profiles[self.household[self.target == phase]]
            top = (
                np.sort(incoming, axis=0)[-self.max_moves :].sum(axis=0)
                if incoming.size and self.max_moves
                else 0.0
            )
            cap = np.maximum(cap, self.base[phase] + top)
        return np.flatnonzero(cap >= lower - _tolerance(self.profiles))


def _solve_with_all_steps(
    model: _MoveModel,
    steps: np.ndarray,
    *,
    cost: np.ndarray,
    z_upper: float,
    node_limit: int,
    safety: _SafetyStop,
) -> tuple[np.ndarray | None, bool, float | None]:
    """Solve on ``steps``; while the plan exceeds its peak at a left-out step, add those steps and
    solve again (never needed with :meth:`_MoveModel.binding_steps`, kept as the proof; the step
    set only grows, so the loop ends)."""
    tol = _tolerance(model.profiles)
    proven = True
    while True:
        phases, optimal, bound = model.solve(steps, cost=cost, z_upper=z_upper, node_limit=node_limit)
        if phases is None:
            return None, False, bound
        proven = proven and optimal
        envelope = phase_loads(model.profiles, phases).max(axis=0)
        violated = np.setdiff1d(np.flatnonzero(envelope > envelope[steps].max() + tol), steps)
        if violated.size == 0 or safety.expired():
            return (phases, proven, bound) if violated.size == 0 else (None, False, bound)
        steps = np.union1d(steps, violated)


def solve_milp(
    profiles: Any,
    phases: Any,
    max_moves: int,
    fixed: Any = None,
    *,
    node_limit: int = MILP_NODE_LIMIT,
    should_stop: StopCheck | None = None,
    warm_start: BalanceResult | None = None,
) -> BalanceResult:
    """Exact plan by MILP (HiGHS): minimise the peak, then the number of moves at that peak.

    Each stage may explore ``node_limit`` branch-and-bound nodes; the second, which needs a
    proven peak, runs only when the first proved it. ``optimal`` is True only when both stages
    were proven optimal. Otherwise moves the peak does not need are undone, and the warm start
    (the local search's plan when none is given) is returned instead when it is better: a lower
    peak, or as low with fewer moves. ``should_stop`` is asked between the solves (HiGHS itself
    runs to its node limit); ``stopped_early`` is True when it ended the search early.
    """
    profiles, start, fixed_mask = _check(profiles, phases, max_moves, fixed)
    n, steps_total = profiles.shape
    if n == 0 or steps_total == 0 or max_moves == 0 or fixed_mask.all():
        return _result(profiles, start, start, True, "milp-highs")
    safety = _SafetyStop(should_stop)
    warm = warm_start or solve_local_search(profiles, start, max_moves, fixed_mask, should_stop=should_stop)
    if safety.expired():
        return replace(warm, stopped_early=True)
    tol = _tolerance(profiles)
    model = _MoveModel(profiles, start, fixed_mask, max_moves)
    steps = model.binding_steps()
    cost = np.zeros(model.size + 1)
    cost[-1] = 1.0
    phases1, proven1, bound = _solve_with_all_steps(
        model, steps, cost=cost, z_upper=warm.peak_before_kw + tol, node_limit=node_limit, safety=safety
    )
    fallback = replace(
        warm,
        optimal=False,
        solver="local-search (milp node limit)",
        lower_bound_kw=bound,
        stopped_early=warm.stopped_early or safety.stopped,
    )
    if phases1 is None:
        return fallback
    phases2 = None
    if proven1 and not safety.expired():
        moves_cost = np.ones(model.size + 1)
        moves_cost[-1] = 0.0
        peak1 = float(phase_loads(profiles, phases1).max())
        phases2, proven2, _bound = _solve_with_all_steps(
            model, steps, cost=moves_cost, z_upper=peak1 + tol, node_limit=node_limit, safety=safety
        )
    if phases2 is None:
        search = _Search(profiles, start, max_moves, fixed_mask, np.random.default_rng(0), 1.0)
        phases2, _loads = search.fewer_moves(phases1, phase_loads(profiles, phases1))
        proven2 = False
    optimal = proven1 and proven2
    result = replace(
        _result(profiles, start, phases2, optimal, "milp-highs"),
        lower_bound_kw=float(bound) if bound is not None else None,
        stopped_early=warm.stopped_early or safety.stopped,
    )
    warm_better = warm.peak_after_kw < result.peak_after_kw - tol or (
        warm.peak_after_kw <= result.peak_after_kw + tol and len(warm.moves) < len(result.moves)
    )
    return replace(fallback, stopped_early=result.stopped_early) if not optimal and warm_better else result


def balance_phases(
    profiles: Any,
    phases: Any,
    max_moves: int,
    fixed: Any = None,
    *,
    milp_max_households: int = MILP_MAX_HOUSEHOLDS,
    milp_node_limit: int = MILP_NODE_LIMIT,
    local_search_rounds: int = LOCAL_SEARCH_ROUNDS,
    should_stop: StopCheck | None = None,
) -> BalanceResult:
    """The local search alone beyond ``milp_max_households`` movable households; below, the MILP
    with the local search's plan as its cap and fallback. Both are bounded by work; the caller's
    ``should_stop`` (none by default) is shared between them and reported in ``stopped_early``
    when it ends the search."""
    profiles, start, fixed_mask = _check(profiles, phases, max_moves, fixed)
    warm = solve_local_search(
        profiles, start, max_moves, fixed_mask, rounds=local_search_rounds, should_stop=should_stop
    )
    if int((~fixed_mask).sum()) > milp_max_households:
        return warm
    return solve_milp(
        profiles,
        start,
        max_moves,
        fixed_mask,
        node_limit=milp_node_limit,
        should_stop=should_stop,
        warm_start=warm,
    )
