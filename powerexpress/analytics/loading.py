"""Transformer loading, three-phase unbalance and low-voltage detection (vectorised numpy).

Inputs are arrays of shape (m transformers, T steps) at a fixed step (e.g. 15 minutes): the
apparent power ``s_kva``, the phase currents ``i_a/i_b/i_c`` (A) and the lowest phase voltage
``v_min`` (V). Missing readings are NaN and never count as a violation. Events are runs of
consecutive steps in a condition lasting at least the configured duration; each event carries
its first step, the step after its last, its peak and the energy above the limit.

Definitions (DOMAIN.md §4): load rate = S / rated kVA; heavy load ≥ 80 %, overload > 100 %,
raised when lasting ≥ 120 min; unbalance (I_max − I_min)/I_max above 15 %, and the practice rule
> 25 % while the load rate is > 50 %; low voltage below 198 V, over-voltage above 235.4 V (+7 %
of 220 V, GB/T 12325-2008); emergency overload: a load above 1.3× / 1.6× / 2× the rating for
longer than 2 h / 30 min / 7.5 min (a run of ⌊minutes / step⌋ + 1 steps or more); neutral current
above 25 % of the rated current (S / (√3 · 0.4 kV)) of a Yyn0 unit (SD 292-1988), when the data
has a neutral current. All limits are parameters.

Missing data: a step whose reading is missing is never in a condition, so it breaks a run. With
``bridge_single_gaps`` one missing step between two steps in the condition joins them into one
event marked ``gap_inside`` (two or more missing steps in a row never do). The duration rule
counts the steps with readings only: the steps on both sides together must meet it. Without
bridging (the default), such a run, which would have been one event but for the missing
reading, is listed in ``Events.broken`` ("gap inside": not an event, shown to staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import polars as pl

HEAVY_LOAD = "heavy_load"
OVERLOAD = "overload"
UNBALANCE = "unbalance"
UNBALANCE_PRACTICE = "unbalance_practice"
LOW_VOLTAGE = "low_voltage"
OVER_VOLTAGE = "over_voltage"
EMERGENCY_LONG = "emergency_long"
EMERGENCY_MEDIUM = "emergency_medium"
EMERGENCY_SHORT = "emergency_short"
NEUTRAL_CURRENT = "neutral_current"
EVENT_KINDS = (
    HEAVY_LOAD,
    OVERLOAD,
    UNBALANCE,
    UNBALANCE_PRACTICE,
    LOW_VOLTAGE,
    OVER_VOLTAGE,
    EMERGENCY_LONG,
    EMERGENCY_MEDIUM,
    EMERGENCY_SHORT,
    NEUTRAL_CURRENT,
)
VOLTAGE_KINDS = (LOW_VOLTAGE, OVER_VOLTAGE)
RATED_LV_KV = 0.4


@dataclass(frozen=True)
class Thresholds:
    """Detection limits (the bureau's settings); rates are fractions (0.8 = 80 %)."""

    heavy_load_rate: float = 0.80
    overload_rate: float = 1.00
    load_min_duration_min: int = 120
    unbalance_limit: float = 0.15
    unbalance_min_load_rate: float = 0.20
    unbalance_min_duration_min: int = 120
    practice_unbalance_limit: float = 0.25
    practice_load_rate: float = 0.50
    practice_min_duration_min: int = 120
    low_voltage_v: float = 198.0
    low_voltage_min_duration_min: int = 15
    over_voltage_v: float = 235.4
    over_voltage_min_duration_min: int = 15
    emergency_long_rate: float = 1.3
    emergency_long_minutes: float = 120.0
    emergency_medium_rate: float = 1.6
    emergency_medium_minutes: float = 30.0
    emergency_short_rate: float = 2.0
    emergency_short_minutes: float = 7.5
    neutral_limit_rate: float = 0.25
    neutral_min_duration_min: int = 120

    def emergency_tiers(self) -> tuple[tuple[str, float, float], ...]:
        """(kind, load rate, permitted minutes) of the emergency-overload limits."""
        return (
            (EMERGENCY_LONG, self.emergency_long_rate, self.emergency_long_minutes),
            (EMERGENCY_MEDIUM, self.emergency_medium_rate, self.emergency_medium_minutes),
            (EMERGENCY_SHORT, self.emergency_short_rate, self.emergency_short_minutes),
        )


@dataclass(frozen=True)
class Events:
    """Detected events as parallel arrays (one entry per event).

    ``row`` is the transformer's row in the input; ``start``/``end`` are step indexes (end is
    exclusive); ``peak`` is the highest load rate / unbalance, or the lowest voltage;
    ``energy_above_kvah`` is Σ max(S − limit × rated, 0) × step for load events, else 0.
    """

    kind: np.ndarray
    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    peak: np.ndarray
    energy_above_kvah: np.ndarray
    gap_inside: np.ndarray
    broken: BrokenRuns

    def __len__(self) -> int:
        return int(self.row.size)


@dataclass(frozen=True)
class BrokenRuns:
    """Runs broken only by single missing readings that would have been events had the gaps been
    bridged (``detect`` without ``bridge_single_gaps``): kind, row, start, end (exclusive)."""

    kind: np.ndarray
    row: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self) -> int:
        return int(self.row.size)


def carry_steps(thresholds: Thresholds, step_min: int) -> int:
    """Steps a piece of work must carry from the piece before (twice the longest duration rule's),
    so that a run split between two pieces is found as one event: a run too short to be an event
    in either piece lies within this many steps of the boundary on the earlier side, even when
    single missing readings inside it (at most one per reading) lengthen it."""
    t = thresholds
    longest = max(
        -(-t.load_min_duration_min // step_min),
        -(-t.unbalance_min_duration_min // step_min),
        -(-t.practice_min_duration_min // step_min),
        -(-t.low_voltage_min_duration_min // step_min),
        -(-t.over_voltage_min_duration_min // step_min),
        -(-t.neutral_min_duration_min // step_min),
        *(emergency_steps(minutes, step_min) for _kind, _rate, minutes in t.emergency_tiers()),
    )
    return 2 * int(longest)


def emergency_steps(minutes: float, step_min: int) -> int:
    """Steps of a run lasting longer than ``minutes`` (the permitted time at that load)."""
    return int(minutes // step_min) + 1


def rated_current_a(rated_kva: npt.ArrayLike) -> np.ndarray:
    """Rated current of a 0.4 kV unit: S / (√3 · 0.4 kV)."""
    current: np.ndarray = np.asarray(rated_kva, dtype=float) / (np.sqrt(3) * RATED_LV_KV)
    return current


def unbalance(i_a: np.ndarray, i_b: np.ndarray, i_c: np.ndarray) -> np.ndarray:
    """(I_max − I_min) / I_max per step; 0 where every phase is at 0 A, NaN where a reading is missing."""
    i_a, i_b, i_c = np.asarray(i_a), np.asarray(i_b), np.asarray(i_c)
    shape = np.broadcast_shapes(i_a.shape, i_b.shape, i_c.shape)
    dtype = np.result_type(i_a, i_b, i_c, np.float16)
    high = np.empty(shape, dtype=dtype)
    value = np.empty(shape, dtype=dtype)
    _unbalance_into(i_a, i_b, i_c, high=high, out=value, idle_as_zero=True)
    return value


def _unbalance_into(
    i_a: np.ndarray,
    i_b: np.ndarray,
    i_c: np.ndarray,
    *,
    high: np.ndarray,
    out: np.ndarray,
    idle_as_zero: bool,
) -> bool:
    """Write the unbalance into ``out`` and I_max into ``high``, in place (no temporary array);
    return whether a current is missing (NaN) anywhere.

    With ``idle_as_zero`` false, and no negative current, the pass that sets 0 where I_max ≤ 0 is
    skipped: such steps stay NaN (0 / 0), which no limit ≥ 0 tells apart from 0."""
    np.maximum(i_a, i_b, out=high)
    np.maximum(high, i_c, out=high)
    np.minimum(i_a, i_b, out=out)
    np.minimum(out, i_c, out=out)
    lowest = np.minimum.reduce(out, axis=None, initial=0.0)  # NaN where a current is missing
    has_missing = bool(np.isnan(lowest))
    if has_missing:
        lowest = np.fmin.reduce(out, axis=None, initial=0.0)
    idle_as_zero = idle_as_zero or bool(lowest < 0)
    np.subtract(high, out, out=out)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(out, high, out=out)
    if idle_as_zero:
        np.copyto(out, 0.0, where=high <= 0)
    return has_missing


def runs(mask: np.ndarray, min_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True along axis 1 lasting at least ``min_steps``: (row, start, end) arrays, in order."""
    return _runs(mask, min_steps, _RunWork.for_mask(*mask.shape))


def _runs(mask: np.ndarray, min_steps: int, work: _RunWork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``runs`` in work arrays lent by the caller (at least as large as the mask), so that repeated
    calls allocate nothing large.

    The mask is first narrowed to the steps where a long-enough run begins (``_run_heads``: a few
    cheap passes over bytes), so the many short runs never reach the costlier listing of changes.
    A step differs from the one before at each run's start and after its end; in row-major order
    those changes alternate start, end, start, end … so one flat pass finds them all."""
    m, steps = mask.shape
    length = max(min_steps, 1)
    heads = _run_heads(mask, length, work) if m and length <= steps and mask.any() else None
    if heads is None or not heads.any():
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty
    width = heads.shape[1]
    change = work.change[: m * (width + 1)].reshape(m, width + 1)
    change[:, 0] = heads[:, 0]
    change[:, -1] = heads[:, -1]
    np.not_equal(heads[:, 1:], heads[:, :-1], out=change[:, 1:-1])
    bounds = np.flatnonzero(change)
    rows, starts = np.divmod(bounds[0::2], width + 1)
    ends = starts + (bounds[1::2] - bounds[0::2]) + (length - 1)
    return rows, starts, ends


def _run_heads(mask: np.ndarray, length: int, work: _RunWork) -> np.ndarray:
    """True at (row, i) where ``mask[row, i:i + length]`` is all True; ``steps − length + 1`` wide.

    Each pass ANDs the mask with itself shifted, doubling the span covered: 8 steps take three
    passes. A run of n ≥ length steps leaves a run of n − length + 1 heads with the same start."""
    m = mask.shape[0]
    heads, span, turn = mask, 1, 0
    while span < length:
        shift = min(span, length - span)
        out = work.heads[turn][:m, : heads.shape[1] - shift]
        heads = np.logical_and(heads[:, :-shift], heads[:, shift:], out=out)
        span, turn = span + shift, 1 - turn
    return heads


@dataclass(frozen=True)
class _RunWork:
    """Work arrays for ``_runs``: two for the heads, taken in turn, and a flat one for changes."""

    heads: tuple[np.ndarray, np.ndarray]
    change: np.ndarray

    @classmethod
    def for_mask(cls, rows: int, steps: int) -> _RunWork:
        return cls(
            (np.empty((rows, steps), dtype=bool), np.empty((rows, steps), dtype=bool)),
            np.empty(rows * (steps + 1), dtype=bool),
        )


def _reduce(
    values: np.ndarray, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, how: np.ufunc
) -> np.ndarray:
    """Reduce ``values[row, start:end]`` for each run with ``how`` (np.maximum, np.minimum, np.add)."""
    if rows.size == 0:
        return np.zeros(0)
    steps = values.shape[1]
    flat = np.ascontiguousarray(values).reshape(-1)
    offsets = rows.astype(np.int64) * steps
    bounds = np.empty(2 * rows.size, dtype=np.int64)
    bounds[0::2] = offsets + starts
    bounds[1::2] = np.minimum(offsets + ends, flat.size - 1)
    reduced: np.ndarray = how.reduceat(flat, bounds)[0::2]
    if offsets[-1] + ends[-1] == flat.size:
        reduced[-1] = how.reduce(flat[offsets[-1] + starts[-1] :])
    return reduced


_KIND_NAMES = np.array(EVENT_KINDS, dtype=object)
# kind → the arrays of each block's events (row, start, end, peak, energy, gap inside) or broken
# runs (row, start, end)
_Parts = dict[str, list[tuple[np.ndarray, ...]]]
ROWS_PER_BLOCK = 4
# Values per quantity in one block: four transformers × a year of 15-minute steps (about 1 MB of
# float64 per array), so a month's piece takes about twelve times as many rows per block.
BLOCK_VALUES = ROWS_PER_BLOCK * 365 * 96


def detect(
    *,
    s_kva: np.ndarray,
    rated_kva: npt.ArrayLike,
    i_a: np.ndarray,
    i_b: np.ndarray,
    i_c: np.ndarray,
    v_min: np.ndarray,
    v_max: np.ndarray | None = None,
    i_n: np.ndarray | None = None,
    step_min: int = 15,
    thresholds: Thresholds = Thresholds(),
    rows_per_block: int | None = None,
    bridge_single_gaps: bool = False,
) -> Events:
    """All events of all kinds over the (m, T) arrays, grouped by kind, then by row and start.

    Works through blocks of a few transformers, so that a block's intermediate arrays stay in the
    CPU cache across the passes detection makes (the inputs are read from memory once), in work
    arrays allocated once."""
    rated = np.asarray(rated_kva, dtype=float)
    if rows_per_block is None:
        rows_per_block = max(ROWS_PER_BLOCK, BLOCK_VALUES // max(np.shape(s_kva)[-1], 1))
    plan = _Plan.of(thresholds, rated, step_min)
    scratch = _Scratch.for_block(
        min(rows_per_block, rated.size), np.shape(s_kva)[-1], np.result_type(i_a, i_b, i_c, np.float16)
    )
    found: _Parts = {kind: [] for kind in EVENT_KINDS}
    broken: _Parts = {kind: [] for kind in EVENT_KINDS}
    for first in range(0, rated.size, rows_per_block):
        rows = slice(first, min(first + rows_per_block, rated.size))
        _detect_block(
            rows,
            s_kva=s_kva[rows],
            rated=rated[rows],
            i_a=i_a[rows],
            i_b=i_b[rows],
            i_c=i_c[rows],
            v_min=v_min[rows],
            v_max=None if v_max is None else v_max[rows],
            i_n=None if i_n is None else i_n[rows],
            plan=plan,
            work=scratch.take(rows.stop - first),
            found=found,
            broken=broken,
            bridge=bridge_single_gaps,
        )
    return _events(found, broken)


@dataclass(frozen=True)
class _Plan:
    """The thresholds as detection uses them, worked out once per call: durations in steps, each
    row's load lines in kVA (column vectors), and whether a narrower kind's condition implies the
    broader one's (overload ⇒ heavy load; the practice rule ⇒ unbalance, when its limit, load
    line and duration are all at least the unbalance rule's)."""

    thresholds: Thresholds
    step_h: float
    load_steps: int
    unbalance_steps: int
    practice_steps: int
    low_voltage_steps: int
    over_voltage_steps: int
    neutral_steps: int
    emergency: tuple[tuple[str, float, int], ...]
    heavy_line: np.ndarray
    overload_line: np.ndarray
    unbalance_line: np.ndarray
    practice_line: np.ndarray
    overload_in_heavy: bool
    practice_in_unbalance: bool

    @classmethod
    def of(cls, t: Thresholds, rated: np.ndarray, step_min: int) -> _Plan:
        def steps(minutes: int) -> int:
            return -(-minutes // step_min)

        rated_col = rated[:, None]
        heavy, overload = t.heavy_load_rate * rated_col, t.overload_rate * rated_col
        unbalance, practice = t.unbalance_min_load_rate * rated_col, t.practice_load_rate * rated_col
        unbalance_steps = steps(t.unbalance_min_duration_min)
        practice_steps = steps(t.practice_min_duration_min)
        return cls(
            t,
            step_min / 60.0,
            steps(t.load_min_duration_min),
            unbalance_steps,
            practice_steps,
            steps(t.low_voltage_min_duration_min),
            steps(t.over_voltage_min_duration_min),
            steps(t.neutral_min_duration_min),
            tuple(
                (kind, rate, emergency_steps(minutes, step_min))
                for kind, rate, minutes in t.emergency_tiers()
            ),
            heavy,
            overload,
            unbalance,
            practice,
            overload_in_heavy=bool(np.all(overload >= heavy)),
            practice_in_unbalance=bool(
                t.practice_unbalance_limit >= t.unbalance_limit
                and practice_steps >= unbalance_steps
                and np.all(practice >= unbalance)
            ),
        )


@dataclass(frozen=True)
class _Scratch:
    """Work arrays for one block, reused from block to block (views of the first rows serve a
    shorter last block)."""

    high: np.ndarray
    unbalance: np.ndarray
    mask: np.ndarray
    load: np.ndarray
    gaps: np.ndarray
    runs: _RunWork

    @classmethod
    def for_block(cls, rows: int, steps: int, dtype: npt.DTypeLike) -> _Scratch:
        return cls(
            np.empty((rows, steps), dtype=dtype),
            np.empty((rows, steps), dtype=dtype),
            np.empty((rows, steps), dtype=bool),
            np.empty((rows, steps), dtype=bool),
            np.empty((rows, steps), dtype=bool),
            _RunWork.for_mask(rows, steps),
        )

    def take(self, rows: int) -> _Scratch:
        if rows == self.mask.shape[0]:
            return self
        return _Scratch(
            self.high[:rows],
            self.unbalance[:rows],
            self.mask[:rows],
            self.load[:rows],
            self.gaps[:rows],
            self.runs,
        )


def _detect_block(
    rows: slice,
    *,
    s_kva: np.ndarray,
    rated: np.ndarray,
    i_a: np.ndarray,
    i_b: np.ndarray,
    i_c: np.ndarray,
    v_min: np.ndarray,
    v_max: np.ndarray | None = None,
    i_n: np.ndarray | None = None,
    plan: _Plan,
    work: _Scratch,
    found: _Parts,
    broken: _Parts,
    bridge: bool = False,
) -> None:
    """Add the events of one block of rows to ``found``: kind → [(row, start, end, peak, energy,
    gap inside)], and the runs broken only by a missing reading to ``broken`` (without bridging).

    A narrower kind whose condition implies the broader one's lies inside the broader kind's
    events, so it is looked for only from the first to the last row where the broader kind has
    one (or a broken run). Inside a load event every step with a reading is above its limit, so
    the energy above the limit is the run's sum of S minus its readings × limit × rated: no
    per-step excess array is built. Each row's highest S (and lowest / highest voltage) is taken
    first, in one pass that also tells whether a reading is missing: rows that cannot reach a limit
    are not scanned, and missing readings are looked for only in blocks that have them."""
    t = plan.thresholds
    n = rows.stop - rows.start

    def missing_of(*arrays: np.ndarray) -> np.ndarray | None:
        if all(np.isfinite(np.add.reduce(a, axis=None)) for a in arrays):
            return None
        out: np.ndarray = np.isnan(arrays[0])
        for a in arrays[1:]:
            out |= np.isnan(a)
        return out

    def find(
        kind: str,
        mask: np.ndarray,
        missing: np.ndarray | None,
        min_steps: int,
        scan: slice,
        values: np.ndarray,
        how: np.ufunc,
        limit: float | None = None,
    ) -> np.ndarray:
        """Add the events (and broken runs) of ``mask`` (rows ``scan`` of the block); return the
        rows with either, sorted."""
        joined = None
        if missing is not None:
            # Runs joined across single missing readings (None when there is no such reading);
            # they include every plain run long enough, so with bridging they are the events.
            joined = _gap_runs(mask, missing[scan], min_steps, work.gaps[scan], work.runs)
        if joined is not None and bridge:
            gap_rows, gap_starts, gap_ends, gaps = joined
            bridged: np.ndarray = gap_rows + scan.start
            add(kind, bridged, gap_starts, gap_ends, gaps > 0, values, how, limit)
            return bridged
        event_rows, starts, ends = _runs(mask, min_steps, work.runs)
        gapped = np.zeros(event_rows.size, dtype=bool)
        if joined is not None and joined[0].size:
            gap_rows, gap_starts, gap_ends, gaps = joined
            hit = gaps > 0
            broken[kind].append((gap_rows[hit] + scan.start + rows.start, gap_starts[hit], gap_ends[hit]))
            add(kind, event_rows + scan.start, starts, ends, gapped, values, how, limit)
            either: np.ndarray = np.union1d(event_rows, gap_rows[hit]) + scan.start
            return either
        in_block: np.ndarray = event_rows + scan.start
        add(kind, in_block, starts, ends, gapped, values, how, limit)
        return in_block

    def add(
        kind: str,
        event_rows: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        gapped: np.ndarray,
        values: np.ndarray,
        how: np.ufunc,
        limit: float | None = None,
    ) -> None:
        if event_rows.size == 0:
            return
        if gapped.any():
            how = np.fmax if how is np.maximum else np.fmin
        peak = _reduce(values, event_rows, starts, ends, how)
        energy = np.zeros(event_rows.size)
        if limit is not None:
            readings = (ends - starts).astype(float)
            total = _reduce(values, event_rows, starts, ends, np.add)
            for k in np.flatnonzero(gapped):
                run = values[event_rows[k], starts[k] : ends[k]]
                total[k] = np.nansum(run)
                readings[k] = np.count_nonzero(~np.isnan(run))
            peak = peak / rated[event_rows]
            energy = (total - readings * limit * rated[event_rows]) * plan.step_h
        found[kind].append((event_rows + rows.start, starts, ends, peak, energy, gapped))

    every = slice(0, n)
    peak_kva, missing_s = _row_extreme(s_kva, np.maximum)
    row_peak = peak_kva / rated
    scan = _rows_over(peak_kva >= plan.heavy_line[rows][:, 0])
    heavy_rows = np.zeros(0, dtype=np.intp)
    if scan.start < scan.stop:
        mask = np.greater_equal(s_kva[scan], plan.heavy_line[rows][scan], out=work.mask[scan])
        heavy_rows = find(
            HEAVY_LOAD, mask, missing_s, plan.load_steps, scan, s_kva, np.maximum, t.heavy_load_rate
        )
    scan = _rows_to_scan(heavy_rows, n, implied=plan.overload_in_heavy)
    if scan.start < scan.stop:
        mask = np.greater(s_kva[scan], plan.overload_line[rows][scan], out=work.mask[scan])
        find(OVERLOAD, mask, missing_s, plan.load_steps, scan, s_kva, np.maximum, t.overload_rate)

    unb = work.unbalance
    currents_missing = _unbalance_into(
        i_a,
        i_b,
        i_c,
        high=work.high,
        out=unb,
        idle_as_zero=min(t.unbalance_limit, t.practice_unbalance_limit) < 0,
    )
    # I_max is missing where any phase current is (an idle step's 0 / 0 is not a missing reading).
    missing_unb = None
    if currents_missing or missing_s is not None:
        missing_unb = np.isnan(work.high)
        if missing_s is not None:
            missing_unb |= missing_s
    mask = np.greater(unb, t.unbalance_limit, out=work.mask)
    mask &= np.greater(s_kva, plan.unbalance_line[rows], out=work.load)
    unbalanced_rows = find(UNBALANCE, mask, missing_unb, plan.unbalance_steps, every, unb, np.maximum)
    scan = _rows_to_scan(unbalanced_rows, n, implied=plan.practice_in_unbalance)
    if scan.start < scan.stop:
        mask = np.greater(unb[scan], t.practice_unbalance_limit, out=work.mask[scan])
        mask &= np.greater(s_kva[scan], plan.practice_line[rows][scan], out=work.load[scan])
        find(UNBALANCE_PRACTICE, mask, missing_unb, plan.practice_steps, scan, unb, np.maximum)

    row_low, missing_v = _row_extreme(v_min, np.minimum)
    scan = _rows_over(row_low < t.low_voltage_v)
    if scan.start < scan.stop:
        mask = np.less(v_min[scan], t.low_voltage_v, out=work.mask[scan])
        find(LOW_VOLTAGE, mask, missing_v, plan.low_voltage_steps, scan, v_min, np.minimum)

    if v_max is not None:
        row_high, missing_v = _row_extreme(v_max, np.maximum)
        scan = _rows_over(row_high > t.over_voltage_v)
        if scan.start < scan.stop:
            mask = np.greater(v_max[scan], t.over_voltage_v, out=work.mask[scan])
            find(OVER_VOLTAGE, mask, missing_v, plan.over_voltage_steps, scan, v_max, np.maximum)

    for kind, rate, steps in plan.emergency:
        scan = _rows_over(row_peak > rate)
        if scan.start == scan.stop:
            continue
        mask = np.greater(s_kva[scan], rate * rated[scan, None], out=work.mask[scan])
        find(kind, mask, missing_s, steps, scan, s_kva, np.maximum, rate)

    if i_n is not None:
        current = rated_current_a(rated)
        mask = np.greater(i_n, t.neutral_limit_rate * current[:, None], out=work.mask)
        before = len(found[NEUTRAL_CURRENT])
        find(NEUTRAL_CURRENT, mask, missing_of(i_n), plan.neutral_steps, every, i_n, np.maximum)
        for k in range(before, len(found[NEUTRAL_CURRENT])):
            event_rows, starts, ends, peak, _energy, gapped = found[NEUTRAL_CURRENT][k]
            peak = peak / current[event_rows - rows.start]
            found[NEUTRAL_CURRENT][k] = (event_rows, starts, ends, peak, np.zeros(event_rows.size), gapped)


def _row_extreme(values: np.ndarray, how: np.ufunc) -> tuple[np.ndarray, np.ndarray | None]:
    """Each row's maximum or minimum (``how``) ignoring missing readings, and where readings are
    missing (None when none is): one pass, as NaN propagates through np.maximum / np.minimum."""
    extreme = how.reduce(values, axis=1)
    if not np.isnan(extreme).any():
        return extreme, None
    ignoring = np.fmax if how is np.maximum else np.fmin
    return ignoring.reduce(values, axis=1), np.isnan(values)


def _rows_over(hot: np.ndarray) -> slice:
    """The rows from the first to the last where ``hot`` is True (an empty slice when none)."""
    where = np.flatnonzero(hot)
    return slice(int(where[0]), int(where[-1]) + 1) if where.size else slice(0, 0)


def _gap_runs(
    mask: np.ndarray, missing: np.ndarray, min_steps: int, gaps: np.ndarray, run_work: _RunWork
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Runs of ``mask`` joined across single missing steps (a missing step between two steps in
    the condition), whose steps with readings meet ``min_steps``: (row, start, end, missing steps
    inside) in order; None when no missing step lies between two steps in the condition (the
    plain runs are then the answer). ``gaps`` is a work array of the mask's shape."""
    m, steps = mask.shape
    if steps < 3:
        return None
    gaps[:, 0] = False
    gaps[:, -1] = False
    inner = gaps[:, 1:-1]
    np.logical_and(mask[:, :-2], mask[:, 2:], out=inner)
    inner &= missing[:, 1:-1]
    where = np.flatnonzero(gaps)
    if where.size == 0:
        return None
    joined = np.logical_or(mask, gaps, out=gaps)
    event_rows, starts, ends = _runs(joined, min_steps, run_work)
    flat = event_rows.astype(np.int64) * steps
    inside = np.searchsorted(where, flat + ends) - np.searchsorted(where, flat + starts)
    keep = (ends - starts) - inside >= min_steps
    return event_rows[keep], starts[keep], ends[keep], inside[keep]


def _rows_to_scan(event_rows: np.ndarray, n: int, *, implied: bool) -> slice:
    """The rows to look at for a narrower kind: when its condition implies the broader kind's,
    from the first to the last row with a broader event (``event_rows`` is sorted), else all."""
    if not implied:
        return slice(0, n)
    return slice(int(event_rows[0]), int(event_rows[-1]) + 1) if event_rows.size else slice(0, 0)


def _events(found: _Parts, broken: _Parts) -> Events:
    """Join the blocks' events into ``Events``; kinds are small integer codes until the end."""
    counts = [sum(part[0].size for part in found[kind]) for kind in EVENT_KINDS]
    parts = [part for kind in EVENT_KINDS for part in found[kind]]
    broken_counts = [sum(part[0].size for part in broken[kind]) for kind in EVENT_KINDS]
    broken_parts = [part for kind in EVENT_KINDS for part in broken[kind]]
    empty = np.zeros(0, dtype=np.intp)
    b_row, b_start, b_end = (
        np.concatenate([part[k] for part in broken_parts]) if broken_parts else empty for k in range(3)
    )
    runs_broken = BrokenRuns(
        _KIND_NAMES[np.repeat(np.arange(len(EVENT_KINDS), dtype=np.int8), broken_counts)],
        b_row,
        b_start,
        b_end,
    )
    if not parts:
        return Events(
            np.zeros(0, dtype=object),
            empty,
            empty,
            empty,
            np.zeros(0),
            np.zeros(0),
            np.zeros(0, dtype=bool),
            runs_broken,
        )
    codes = np.repeat(np.arange(len(EVENT_KINDS), dtype=np.int8), counts)
    row, start, end, peak, energy, gap_inside = (
        np.concatenate([part[k] for part in parts]) for k in range(6)
    )
    return Events(_KIND_NAMES[codes], row, start, end, peak, energy, gap_inside, runs_broken)


def apparent_power_kva(i_a: Any, i_b: Any, i_c: Any, v_a: Any, v_b: Any, v_c: Any) -> Any:
    """S = Σ V_p · I_p / 1000 (kVA) from phase currents and phase-to-neutral voltages (numpy
    arrays, or polars expressions as the upload uses it)."""
    return (v_a * i_a + v_b * i_b + v_c * i_c) / 1000.0


# Per-file checks of interval data ------------------------------------------------------------

TRANSFORMER_COLUMNS = ("transformer", "ts", "i_a", "i_b", "i_c", "v_a", "v_b", "v_c")
HOUSEHOLD_COLUMNS = ("account_no", "ts", "energy_kwh")
# Optional value columns kept when a file has them (others are ignored, never rejected):
# apparent power s_kva (kVA) and the neutral current i_n (A) of transformer files.
OPTIONAL_COLUMNS = {"transformer": ("s_kva", "i_n", "energy_kwh"), "household": ()}
ALLOWED_STEPS_MIN = (1, 5, 10, 15, 30, 60)
MAX_MISSING_SHARE = 0.10


@dataclass(frozen=True)
class Issue:
    """A finding about a file: ``code`` names it, ``fatal`` rejects the whole file, ``params``
    carry the figures (count, example) for the message."""

    code: str
    fatal: bool
    params: dict[str, Any]


def _to_utc(frame: pl.DataFrame, column: str, local_tz: str) -> pl.Series:
    dtype = frame.schema[column]
    if dtype == pl.String:
        parsed = frame[column].str.to_datetime(time_unit="us", strict=False, time_zone=None)
        if parsed.null_count() > frame[column].null_count():
            with_zone = frame[column].str.to_datetime(time_unit="us", strict=False, time_zone="UTC")
            parsed = with_zone if with_zone.null_count() < parsed.null_count() else parsed
        series = parsed
    else:
        series = frame[column].cast(
            pl.Datetime("us", dtype.time_zone if isinstance(dtype, pl.Datetime) else None)
        )
    if not isinstance(series.dtype, pl.Datetime) or series.dtype.time_zone is None:
        series = series.dt.replace_time_zone(local_tz, ambiguous="earliest", non_existent="null")
    return series.dt.convert_time_zone("UTC")


def check_intervals(
    frame: pl.DataFrame,
    kind: str,
    *,
    rated_kva: dict[str, float] | None = None,
    local_tz: str = "Asia/Shanghai",
) -> tuple[pl.DataFrame | None, list[Issue]]:
    """Check one file's readings; return (normalised frame or None, issues).

    ``kind`` is "transformer" (columns transformer, ts, i_a..i_c in A, v_a..v_c in V, optional
    s_kva and i_n, see ``OPTIONAL_COLUMNS``; other columns are ignored) or "household" (account_no, ts, energy_kwh per step). Detected: missing columns,
    unreadable timestamps, duplicates, an irregular step, timestamps off the step grid or shifted
    by the UTC offset (clock shifts), negative values, unit mistakes (kV or line voltages, W for
    kW, Wh for kWh) and gaps (fatal above 10 % missing). The frame is None when any issue is fatal.
    """
    issues: list[Issue] = []
    wanted = TRANSFORMER_COLUMNS if kind == "transformer" else HOUSEHOLD_COLUMNS
    key = wanted[0]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        return None, [Issue("missing_columns", True, {"columns": ", ".join(missing)})]
    values = list(wanted[2:]) + [c for c in OPTIONAL_COLUMNS.get(kind, ()) if c in frame.columns]
    frame = frame.select(
        [pl.col(key).cast(pl.String), pl.col("ts")]
        + [pl.col(c).cast(pl.Float64, strict=False) for c in values]
    )
    ts = _to_utc(frame, "ts", local_tz)
    bad = int(ts.null_count())
    if bad:
        issues.append(Issue("bad_timestamp", True, {"count": bad}))
        return None, issues
    frame = frame.with_columns(ts.alias("ts")).sort(key, "ts")
    if frame.height == 0:
        return None, [Issue("empty", True, {})]
    dup = frame.filter(pl.struct(key, "ts").is_duplicated())
    if dup.height:
        issues.append(
            Issue("duplicates", True, {"count": dup.height, "example": f"{dup[key][0]} {dup['ts'][0]}"})
        )
    diffs = frame.select((pl.col("ts").diff().over(key).dt.total_minutes()).alias("d"))["d"].drop_nulls()
    diffs = diffs.filter(diffs > 0)
    step = int(diffs.mode().sort()[0]) if diffs.len() else 15
    if step not in ALLOWED_STEPS_MIN:
        issues.append(Issue("irregular_step", True, {"step": step}))
        step = 15
    local = frame["ts"].dt.convert_time_zone(local_tz)
    off_grid = int(((local.dt.minute() % step != 0) | (local.dt.second() != 0)).sum())
    if off_grid:
        issues.append(Issue("off_grid", True, {"count": off_grid, "step": step}))
    span = frame.group_by(key).agg(
        ((pl.col("ts").max() - pl.col("ts").min()).dt.total_minutes() // step + 1).alias("expected"),
        pl.len().alias("got"),
    )
    expected, got = int(span["expected"].sum()), int(span["got"].sum())
    missing_count = max(expected - got + dup.height, 0)
    if missing_count:
        share = missing_count / max(expected, 1)
        issues.append(
            Issue(
                "gaps", share > MAX_MISSING_SHARE, {"count": missing_count, "percent": round(100 * share, 1)}
            )
        )
    negative = int(sum((frame[c] < 0).sum() for c in values))
    if negative:
        issues.append(Issue("negative", True, {"count": negative}))
    if kind == "transformer":
        issues += _transformer_units(frame, rated_kva or {})
        load = frame["i_a"] + frame["i_b"] + frame["i_c"]
    else:
        median_kwh = _median_or(frame["energy_kwh"], 0.0)
        if median_kwh * 60 / step > 50:
            issues.append(Issue("unit_wh", True, {"median": round(median_kwh, 1)}))
        load = frame["energy_kwh"]
    hour_low = _hour_of_daily_minimum(local, load)
    if hour_low is not None and (10 <= hour_low <= 16 or 18 <= hour_low <= 22):
        issues.append(Issue("clock_shift_utc", True, {"hour": hour_low}))
    fatal = any(issue.fatal for issue in issues)
    return (None if fatal else frame.with_columns(pl.lit(step).alias("step_min"))), issues


def _transformer_units(frame: pl.DataFrame, rated_kva: dict[str, float]) -> list[Issue]:
    issues = []
    volts = pl.concat([frame["v_a"], frame["v_b"], frame["v_c"]]).drop_nulls()
    median_v = _median_or(volts, 230.0)
    if median_v < 1.0:
        issues.append(Issue("unit_kv", True, {"median": round(median_v, 3)}))
    elif median_v > 300:
        issues.append(Issue("unit_line_voltage", True, {"median": round(median_v, 1)}))
    if "s_kva" in frame.columns and rated_kva:
        rated = frame[frame.columns[0]].replace_strict(rated_kva, default=None, return_dtype=pl.Float64)
        ratio = (frame["s_kva"] / rated).drop_nulls().drop_nans()
        if ratio.len() and _median_or(ratio, 0.0) > 5:
            issues.append(Issue("unit_w", True, {"median": round(_median_or(frame["s_kva"], 0.0), 1)}))
    return issues


def _median_or(series: pl.Series, default: float) -> float:
    """The median of a numeric series as a float; ``default`` when it has no value."""
    median = series.median()
    return default if median is None else float(cast(float, median))


def _hour_of_daily_minimum(local_ts: pl.Series, load: pl.Series) -> int | None:
    """The most common local hour of the daily minimum of the summed load: about 3-5 h at night
    in a rural district; about 19-21 h means UTC timestamps read as Beijing time, about 11-13 h
    Beijing time labelled as UTC."""
    frame = pl.DataFrame({"ts": local_ts, "load": load}).group_by("ts").agg(pl.col("load").sum())
    frame = frame.with_columns(pl.col("ts").dt.date().alias("day"), pl.col("ts").dt.hour().alias("hour"))
    full_days = (
        frame.group_by("day").agg(pl.col("hour").n_unique().alias("hours")).filter(pl.col("hours") >= 20)
    )
    if full_days.height < 3:
        return None
    lows = frame.join(full_days, on="day").sort("load").group_by("day").agg(pl.col("hour").first())
    return int(lows["hour"].mode().sort()[0])
