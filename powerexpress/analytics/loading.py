"""Transformer loading, three-phase unbalance and low-voltage detection (vectorised numpy).

Inputs are arrays of shape (m transformers, T steps) at a fixed step (e.g. 15 minutes): the
apparent power ``s_kva``, the phase currents ``i_a/i_b/i_c`` (A) and the lowest phase voltage
``v_min`` (V). Missing readings are NaN and never count as a violation. Events are runs of
consecutive steps in a condition lasting at least the configured duration; each event carries
its first step, the step after its last, its peak and the energy above the limit.

Definitions (DOMAIN.md §4): load rate = S / rated kVA; heavy load ≥ 80 %, overload > 100 %,
raised when lasting ≥ 120 min; unbalance (I_max − I_min)/I_max above 15 %, and the practice rule
> 25 % while the load rate is > 50 %; low voltage below 198 V. All limits are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

HEAVY_LOAD = "heavy_load"
OVERLOAD = "overload"
UNBALANCE = "unbalance"
UNBALANCE_PRACTICE = "unbalance_practice"
LOW_VOLTAGE = "low_voltage"
EVENT_KINDS = (HEAVY_LOAD, OVERLOAD, UNBALANCE, UNBALANCE_PRACTICE, LOW_VOLTAGE)


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

    def __len__(self) -> int:
        return int(self.row.size)


def load_rate(s_kva: np.ndarray, rated_kva: np.ndarray) -> np.ndarray:
    """S / rated kVA per transformer row."""
    return s_kva / np.asarray(rated_kva, dtype=float)[:, None]


def unbalance(i_a: np.ndarray, i_b: np.ndarray, i_c: np.ndarray) -> np.ndarray:
    """(I_max − I_min) / I_max per step; 0 where every phase is at 0 A, NaN where a reading is missing.

    Written with in-place operations: two temporaries of the input's size, however large."""
    high = np.maximum(i_a, i_b)
    np.maximum(high, i_c, out=high)
    value = np.minimum(i_a, i_b)
    np.minimum(value, i_c, out=value)
    np.subtract(high, value, out=value)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(value, high, out=value)
    np.copyto(value, 0.0, where=high <= 0)
    return value


def runs(mask: np.ndarray, min_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True along axis 1 lasting at least ``min_steps``: (row, start, end) arrays.

    Only rows with at least one True step are scanned. A step differs from the one before at each
    run's start and after its end; in row-major order those changes alternate start, end, start,
    end … so one flat pass finds them all."""
    m, steps = mask.shape
    active = np.flatnonzero(mask.any(axis=1))
    if active.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty
    sub = mask if active.size == m else mask[active]
    change = np.empty((sub.shape[0], steps + 1), dtype=bool)
    change[:, 0] = sub[:, 0]
    change[:, -1] = sub[:, -1]
    np.not_equal(sub[:, 1:], sub[:, :-1], out=change[:, 1:-1])
    rows, cols = np.divmod(np.flatnonzero(change), steps + 1)
    if active.size < m:
        rows = active[rows]
    rows, starts, ends = rows[0::2], cols[0::2], cols[1::2]
    keep = (ends - starts) >= max(min_steps, 1)
    return rows[keep], starts[keep], ends[keep]


def _reduce(values: np.ndarray, rows, starts, ends, how) -> np.ndarray:
    """Reduce ``values[row, start:end]`` for each run with ``how`` (np.maximum, np.minimum, np.add)."""
    if rows.size == 0:
        return np.zeros(0)
    steps = values.shape[1]
    flat = np.ascontiguousarray(values).reshape(-1)
    offsets = rows.astype(np.int64) * steps
    bounds = np.empty(2 * rows.size, dtype=np.int64)
    bounds[0::2] = offsets + starts
    bounds[1::2] = np.minimum(offsets + ends, flat.size - 1)
    reduced = how.reduceat(flat, bounds)[0::2]
    if offsets[-1] + ends[-1] == flat.size:
        reduced[-1] = how.reduce(flat[offsets[-1] + starts[-1]:])
    return reduced


_KIND_NAMES = np.array(EVENT_KINDS, dtype=object)
_FIELDS = ("kind", "row", "start", "end", "peak", "energy_above_kvah")
ROWS_PER_BLOCK = 2


def detect(*, s_kva, rated_kva, i_a, i_b, i_c, v_min, step_min: int = 15,
           thresholds: Thresholds = Thresholds(), rows_per_block: int = ROWS_PER_BLOCK) -> Events:
    """All events of all kinds over the (m, T) arrays.

    Works through blocks of a few transformers so that a block's intermediate arrays stay in the
    CPU cache across the many passes detection makes (the inputs are read from memory once).
    Kinds are small integer codes until the end, where they become the kind names."""
    rated = np.asarray(rated_kva, dtype=float)
    parts: list[tuple] = []
    for first in range(0, rated.size, rows_per_block):
        rows = slice(first, first + rows_per_block)
        parts += _detect_block(s_kva=s_kva[rows], rated=rated[rows], i_a=i_a[rows], i_b=i_b[rows],
                               i_c=i_c[rows], v_min=v_min[rows], step_min=step_min, thresholds=thresholds,
                               first_row=first)
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        return Events(np.zeros(0, dtype=object), empty, empty, empty, np.zeros(0), np.zeros(0))
    columns = [np.concatenate([part[index] for part in parts]) for index in range(len(_FIELDS))]
    columns[0] = _KIND_NAMES[columns[0]]
    return Events(*columns)


def _detect_block(*, s_kva, rated, i_a, i_b, i_c, v_min, step_min: int, thresholds: Thresholds,
                  first_row: int) -> list[tuple]:
    """Events of one block of rows, as (kind code, row, start, end, peak, energy) array tuples.

    Inside a load event every step is above its limit, so the energy above the limit is the run's
    sum of S minus steps × limit × rated: no per-step excess array is built."""
    t = thresholds
    step_h = step_min / 60.0
    rated_col = rated[:, None]
    found = []

    def add(kind: str, rows, starts, ends, peak, energy=None):
        if rows.size:
            code = np.full(rows.size, EVENT_KINDS.index(kind), dtype=np.int8)
            found.append((code, rows + first_row, starts, ends, peak,
                          np.zeros(rows.size) if energy is None else energy))

    for kind, limit, inclusive in ((HEAVY_LOAD, t.heavy_load_rate, True), (OVERLOAD, t.overload_rate, False)):
        line = limit * rated_col
        mask = s_kva >= line if inclusive else s_kva > line
        rows, starts, ends = runs(mask, -(-t.load_min_duration_min // step_min))
        peak = _reduce(s_kva, rows, starts, ends, np.maximum) / rated[rows]
        energy = (_reduce(s_kva, rows, starts, ends, np.add) - (ends - starts) * limit * rated[rows]) * step_h
        add(kind, rows, starts, ends, peak, energy)
    unb = unbalance(i_a, i_b, i_c)
    for kind, limit, min_rate, minutes in (
        (UNBALANCE, t.unbalance_limit, t.unbalance_min_load_rate, t.unbalance_min_duration_min),
        (UNBALANCE_PRACTICE, t.practice_unbalance_limit, t.practice_load_rate, t.practice_min_duration_min),
    ):
        mask = np.greater(unb, limit)
        mask &= np.greater(s_kva, min_rate * rated_col)
        rows, starts, ends = runs(mask, -(-minutes // step_min))
        add(kind, rows, starts, ends, _reduce(unb, rows, starts, ends, np.maximum))
    rows, starts, ends = runs(v_min < t.low_voltage_v, -(-t.low_voltage_min_duration_min // step_min))
    add(LOW_VOLTAGE, rows, starts, ends, _reduce(v_min, rows, starts, ends, np.minimum))
    return found


def daily_max(values: np.ndarray, steps_per_day: int) -> np.ndarray:
    """The bare baseline pass: each row's maximum per day (T must be whole days)."""
    m, steps = values.shape
    return np.nanmax(values.reshape(m, steps // steps_per_day, steps_per_day), axis=2)


def apparent_power_kva(i_a, i_b, i_c, v_a, v_b, v_c) -> np.ndarray:
    """S = Σ V_p · I_p / 1000 (kVA) from phase currents and phase-to-neutral voltages."""
    return (v_a * i_a + v_b * i_b + v_c * i_c) / 1000.0


# Per-file checks of interval data ------------------------------------------------------------

TRANSFORMER_COLUMNS = ("transformer", "ts", "i_a", "i_b", "i_c", "v_a", "v_b", "v_c")
HOUSEHOLD_COLUMNS = ("account_no", "ts", "energy_kwh")
ALLOWED_STEPS_MIN = (1, 5, 10, 15, 30, 60)
MAX_MISSING_SHARE = 0.10


@dataclass(frozen=True)
class Issue:
    """A finding about a file: ``code`` names it, ``fatal`` rejects the whole file, ``params``
    carry the figures (count, example) for the message."""

    code: str
    fatal: bool
    params: dict


def _to_utc(frame, column: str, local_tz: str):
    dtype = frame.schema[column]
    if dtype == pl.String:
        parsed = frame[column].str.to_datetime(time_unit="us", strict=False, time_zone=None)
        if parsed.null_count() > frame[column].null_count():
            with_zone = frame[column].str.to_datetime(time_unit="us", strict=False, time_zone="UTC")
            parsed = with_zone if with_zone.null_count() < parsed.null_count() else parsed
        series = parsed
    else:
        series = frame[column].cast(pl.Datetime("us", dtype.time_zone if isinstance(dtype, pl.Datetime) else None))
    if series.dtype.time_zone is None:
        series = series.dt.replace_time_zone(local_tz, ambiguous="earliest", non_existent="null")
    return series.dt.convert_time_zone("UTC")


def check_intervals(frame, kind: str, *, rated_kva: dict | None = None, local_tz: str = "Asia/Shanghai"):
    """Check one file's readings; return (normalised frame or None, issues).

    ``kind`` is "transformer" (columns transformer, ts, i_a..i_c in A, v_a..v_c in V, optional
    s_kva) or "household" (account_no, ts, energy_kwh per step). Detected: missing columns,
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
    values = [c for c in wanted[2:]] + (["s_kva"] if kind == "transformer" and "s_kva" in frame.columns else [])
    frame = frame.select([pl.col(key).cast(pl.String), pl.col("ts")] + [pl.col(c).cast(pl.Float64, strict=False)
                                                                       for c in values])
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
        issues.append(Issue("duplicates", True, {"count": dup.height, "example": f"{dup[key][0]} {dup['ts'][0]}"}))
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
    span = frame.group_by(key).agg(((pl.col("ts").max() - pl.col("ts").min()).dt.total_minutes() // step + 1)
                                   .alias("expected"), pl.len().alias("got"))
    expected, got = int(span["expected"].sum()), int(span["got"].sum())
    missing_count = max(expected - got + dup.height, 0)
    if missing_count:
        share = missing_count / max(expected, 1)
        issues.append(Issue("gaps", share > MAX_MISSING_SHARE, {"count": missing_count,
                                                                "percent": round(100 * share, 1)}))
    negative = int(sum((frame[c] < 0).sum() for c in values))
    if negative:
        issues.append(Issue("negative", True, {"count": negative}))
    if kind == "transformer":
        issues += _transformer_units(frame, rated_kva or {})
        load = frame["i_a"] + frame["i_b"] + frame["i_c"]
    else:
        median_kwh = frame["energy_kwh"].median() or 0.0
        if median_kwh * 60 / step > 50:
            issues.append(Issue("unit_wh", True, {"median": round(median_kwh, 1)}))
        load = frame["energy_kwh"]
    hour_low = _hour_of_daily_minimum(local, load)
    if hour_low is not None and (10 <= hour_low <= 16 or 18 <= hour_low <= 22):
        issues.append(Issue("clock_shift_utc", True, {"hour": hour_low}))
    fatal = any(issue.fatal for issue in issues)
    return (None if fatal else frame.with_columns(pl.lit(step).alias("step_min"))), issues


def _transformer_units(frame, rated_kva: dict) -> list[Issue]:
    issues = []
    volts = pl.concat([frame["v_a"], frame["v_b"], frame["v_c"]]).drop_nulls()
    median_v = float(volts.median()) if volts.len() else 230.0
    if median_v < 1.0:
        issues.append(Issue("unit_kv", True, {"median": round(median_v, 3)}))
    elif median_v > 300:
        issues.append(Issue("unit_line_voltage", True, {"median": round(median_v, 1)}))
    if "s_kva" in frame.columns and rated_kva:
        rated = frame[frame.columns[0]].replace_strict(rated_kva, default=None, return_dtype=pl.Float64)
        ratio = (frame["s_kva"] / rated).drop_nulls().drop_nans()
        if ratio.len() and float(ratio.median()) > 5:
            issues.append(Issue("unit_w", True, {"median": round(float(frame["s_kva"].median()), 1)}))
    return issues


def _hour_of_daily_minimum(local_ts, load) -> int | None:
    """The most common local hour of the daily minimum of the summed load: about 3-5 h at night
    in a rural district; about 19-21 h means UTC timestamps read as Beijing time, about 11-13 h
    Beijing time labelled as UTC."""
    frame = pl.DataFrame({"ts": local_ts, "load": load}).group_by("ts").agg(pl.col("load").sum())
    frame = frame.with_columns(pl.col("ts").dt.date().alias("day"), pl.col("ts").dt.hour().alias("hour"))
    full_days = frame.group_by("day").agg(pl.col("hour").n_unique().alias("hours")).filter(pl.col("hours") >= 20)
    if full_days.height < 3:
        return None
    lows = (frame.join(full_days, on="day").sort("load").group_by("day").agg(pl.col("hour").first()))
    return int(lows["hour"].mode().sort()[0])
