"""Interval readings as Parquet partitions under ``settings.DATA_DIR / "grid"``.

Layout: ``grid/<kind>/station=<code>/month=<YYYY-MM>/<name>.parquet``; each accepted file adds
its own part files, so ingesting never rewrites existing data. Readings are stored with UTC
timestamps (column ``ts``); analyses work on 15-minute local-time steps.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
from django.conf import settings

LOCAL_TZ = "Asia/Shanghai"
STEP_MIN = 15
STEPS_PER_DAY = 24 * 60 // STEP_MIN
VALUE_COLUMNS = {
    "transformer": ("i_a", "i_b", "i_c", "v_a", "v_b", "v_c", "s_kva", "i_n"),
    "household": ("energy_kwh",),
}
# Value columns a stored file may lack (older files, data without a neutral current): reads insert
# them as missing, and analyses skip what needs them.
OPTIONAL_COLUMNS = {"transformer": ("i_n",), "household": ()}
KEYS = {"transformer": "transformer", "household": "account_no"}


def root() -> Path:
    return Path(settings.DATA_DIR) / "grid"


def partition_dir(kind: str, station_code: str, month: dt.date) -> Path:
    return root() / kind / f"station={station_code}" / f"month={month:%Y-%m}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


STAGED_SUFFIX = ".staged"


def _with_month(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("ts").dt.convert_time_zone(LOCAL_TZ).dt.truncate("1mo").dt.date().alias("_month")
    )


def part_rows(frame: pl.DataFrame) -> dict[tuple[str, dt.date], int]:
    """Readings per (station, month) partition that :func:`write_parts` would write."""
    counts = _with_month(frame).group_by("station", "_month").len()
    return {(station, month): rows for station, month, rows in counts.iter_rows()}


def write_published(kind: str, frame: pl.DataFrame, part_name: str) -> None:
    """Write the parts staged, then publish them: a reader never sees half a file. Called in
    ``transaction.on_commit``, so nothing is written for an upload that is rolled back."""
    written = write_parts(kind, frame, part_name, staged=True)
    publish(staged_paths(kind, written, part_name))


def write_parts(
    kind: str, frame: pl.DataFrame, part_name: str, *, staged: bool = False
) -> dict[tuple[str, dt.date], int]:
    """Write ``frame`` (with ``station`` and UTC ``ts``) into its partitions; rows per partition.

    With ``staged`` the files get the ``.staged`` suffix, which no read sees, until
    :func:`publish` renames them (after the database commit); :func:`discard` removes them."""
    frame = _with_month(frame)
    written = {}
    for (station_code, month), part in frame.group_by("station", "_month"):
        folder = partition_dir(kind, station_code, month)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{part_name}.parquet{STAGED_SUFFIX if staged else ''}"
        part.drop("station", "_month").write_parquet(path, compression="zstd")
        written[(station_code, month)] = part.height
    return written


def staged_paths(kind: str, written, part_name: str) -> list[Path]:
    return [
        partition_dir(kind, station_code, month) / f"{part_name}.parquet{STAGED_SUFFIX}"
        for station_code, month in written
    ]


def publish(paths: list[Path]) -> None:
    """Make staged files visible (an atomic rename each)."""
    for path in paths:
        path.replace(path.with_name(path.name.removesuffix(STAGED_SUFFIX)))


def discard(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _files(kind: str, station_code: str | None, months: list[dt.date] | None) -> list[Path]:
    base = root() / kind
    stations = [base / f"station={station_code}"] if station_code else sorted(base.glob("station=*"))
    found = []
    for station_dir in stations:
        if months is None:
            found += sorted(station_dir.glob("month=*/*.parquet"))
        else:
            for month in months:
                found += sorted((station_dir / f"month={month:%Y-%m}").glob("*.parquet"))
    return found


def scan(
    kind: str,
    *,
    station_code: str | None = None,
    months: list[dt.date] | None = None,
    keys: list[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
):
    """A lazy frame over the matching partitions (None when there is no file)."""
    files = _files(kind, station_code, months)
    if not files:
        return None
    # One scan per file, unioned by column name: files with and without an optional column
    # (e.g. a transformer's energy_kwh) can share a partition.
    frame = pl.concat([pl.scan_parquet(f) for f in files], how="diagonal_relaxed")
    if keys is not None:
        frame = frame.filter(pl.col(KEYS[kind]).is_in(keys))
    if since is not None:
        frame = frame.filter(pl.col("ts") >= since.astimezone(dt.UTC))
    if until is not None:
        frame = frame.filter(pl.col("ts") < until.astimezone(dt.UTC))
    return frame


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def to_steps(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Average readings onto 15-minute local steps (finer data is averaged, energy summed)."""
    key = KEYS[kind]
    columns = VALUE_COLUMNS[kind]
    agg = [pl.col(c).sum() if c == "energy_kwh" else pl.col(c).mean() for c in columns if c in frame.columns]
    return (
        frame.with_columns(
            pl.col("ts").dt.convert_time_zone(LOCAL_TZ).dt.truncate(f"{STEP_MIN}m").alias("ts")
        )
        .group_by(key, "ts")
        .agg(agg)
        .sort(key, "ts")
    )


def to_grid(
    frame: pl.DataFrame, key: str, column: str, keys: list[str], start: dt.datetime, steps: int
) -> np.ndarray:
    """A (len(keys), steps) float array of ``column`` on the 15-minute grid from ``start``; NaN where missing."""
    out = np.full((len(keys), steps), np.nan)
    if frame.is_empty():
        return out
    index = {k: i for i, k in enumerate(keys)}
    start_utc = start.astimezone(dt.UTC).replace(tzinfo=None)
    rows = frame[key].replace_strict(index, default=-1, return_dtype=pl.Int64).to_numpy()
    cols = (
        frame["ts"].dt.convert_time_zone("UTC").dt.replace_time_zone(None) - start_utc
    ).dt.total_minutes().to_numpy() // STEP_MIN
    ok = (rows >= 0) & (cols >= 0) & (cols < steps)
    out[rows[ok], cols[ok]] = frame[column].to_numpy()[ok]
    return out
