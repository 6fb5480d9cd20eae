"""Line loss (同期线损) per transformer district, and the household-to-transformer check.

Pure: takes polars frames and numpy arrays, returns frames and arrays. No Django.

- **Same window.** Supply is the district meter's energy (``energy_kwh`` of the transformer's
  interval data) summed over the window; sales are the households' energy over the *same* window:
  their interval kWh where they have it, else their register readings apportioned to the window
  (``apportion_register``: the register is interpolated linearly in time at both window bounds
  between the readings that bracket each bound; a household without bracketing readings has no data).
- **Coverage** = households with data ÷ households registered to the district. Sales count only
  the households with data, so a district below the coverage floor cannot be computed.
- **Loss** = supply − sales, **rate** = loss ÷ supply. Classes (codes are the API's):
  ``stopped`` when the district meter reports no energy at all; ``uncomputable`` with a reason
  (``no_supply_data``, ``no_households``, ``low_coverage``); else ``high`` at or above the high
  band, ``negative`` at or below the negative band, ``qualified`` between.
- **Totals** of a station or the bureau are energy-weighted: Σ loss ÷ Σ supply over the
  computable districts, never a mean of rates.
- **Household-to-transformer check** (``suspects``): each district's loss residual over time
  (supply − sales) is freed of its technical part by a least-squares fit on its own supply
  (a·s + c·s² + b: resistive loss grows with the square of the load); a household registered to
  district A but fed by B makes A's residual fall and B's rise by its own consumption. Every
  series is then freed of its daily shape (the mean of each time of day over the window is
  subtracted), since all households peak in the evening and only the day-to-day fluctuations are
  a household's fingerprint. The household's score for a district = its correlation with that
  district's residual − its correlation with its own district's residual (a mis-registered
  household correlates negatively with its own); it is suspected when the best nearby district
  scores at least ``min_score``.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl

QUALIFIED = "qualified"
HIGH = "high"
NEGATIVE = "negative"
UNCOMPUTABLE = "uncomputable"
STOPPED = "stopped"
CLASSES = (QUALIFIED, HIGH, NEGATIVE, UNCOMPUTABLE, STOPPED)

NO_SUPPLY_DATA = "no_supply_data"
NO_HOUSEHOLDS = "no_households"
LOW_COVERAGE = "low_coverage"
NO_SUPPLY = "no_supply"
REASONS = (NO_SUPPLY_DATA, NO_HOUSEHOLDS, LOW_COVERAGE, NO_SUPPLY)


@dataclass(frozen=True)
class Bands:
    """Class bands as fractions: high from ``high_from``, negative up to ``negative_to``;
    computable only with at least ``min_coverage`` of the households having data."""

    high_from: float = 0.06
    negative_to: float = -0.01
    min_coverage: float = 0.9


LOSS_SCHEMA = {
    "transformer": pl.String,
    "supply_kwh": pl.Float64,
    "sales_kwh": pl.Float64,
    "loss_kwh": pl.Float64,
    "loss_rate": pl.Float64,
    "households": pl.Int64,
    "households_with_data": pl.Int64,
    "coverage": pl.Float64,
    "class": pl.String,
    "reason": pl.String,
}


def apportion_register(readings: pl.DataFrame, start_day: int, end_day: int) -> pl.DataFrame:
    """kWh of each household over days [start_day, end_day) from register readings.

    ``readings``: account_no, day (an integer day number, e.g. an ordinal), register_kwh.
    The register is interpolated linearly at both bounds between the readings bracketing them;
    a household whose readings do not bracket both bounds is left out (it has no data)."""
    frame = readings.select(
        "account_no", pl.col("day").cast(pl.Int64), pl.col("register_kwh").cast(pl.Float64)
    )
    at_start = _register_at(frame, start_day).rename({"register": "r0"})
    at_end = _register_at(frame, end_day).rename({"register": "r1"})
    return (
        at_start.join(at_end, on="account_no", how="inner")
        .select("account_no", (pl.col("r1") - pl.col("r0")).alias("sales_kwh"))
        .filter(pl.col("sales_kwh") >= 0)
    )


def _register_at(frame: pl.DataFrame, day: int) -> pl.DataFrame:
    before = (
        frame.filter(pl.col("day") <= day)
        .sort("day")
        .group_by("account_no")
        .agg(pl.col("day").last().alias("d0"), pl.col("register_kwh").last().alias("r0"))
    )
    after = (
        frame.filter(pl.col("day") >= day)
        .sort("day")
        .group_by("account_no")
        .agg(pl.col("day").first().alias("d1"), pl.col("register_kwh").first().alias("r1"))
    )
    span = (pl.col("d1") - pl.col("d0")).cast(pl.Float64)
    share = pl.when(span > 0).then((day - pl.col("d0")) / span).otherwise(0.0)
    return before.join(after, on="account_no", how="inner").select(
        "account_no", (pl.col("r0") + (pl.col("r1") - pl.col("r0")) * share).alias("register")
    )


def window_loss(
    supply: pl.DataFrame, sales: pl.DataFrame, members: pl.DataFrame, bands: Bands = Bands()
) -> pl.DataFrame:
    """Loss per district over one window.

    ``supply``: transformer, supply_kwh (a district absent here has no supply data);
    ``sales``: account_no, sales_kwh (households with data; several rows per household are summed);
    ``members``: account_no, transformer (the registry's household-to-transformer relation,
    every registered household once). Districts: every one in ``members`` or ``supply``."""
    per_household = sales.group_by("account_no").agg(pl.col("sales_kwh").sum())
    joined = members.join(per_household, on="account_no", how="left")
    by_district = joined.group_by("transformer").agg(
        pl.len().cast(pl.Int64).alias("households"),
        pl.col("sales_kwh").is_not_null().sum().cast(pl.Int64).alias("households_with_data"),
        pl.col("sales_kwh").sum().alias("sales_kwh"),
    )
    fed = supply.group_by("transformer").agg(pl.col("supply_kwh").sum())
    frame = by_district.join(fed, on="transformer", how="full", coalesce=True).with_columns(
        pl.col("households").fill_null(0),
        pl.col("households_with_data").fill_null(0),
        pl.col("sales_kwh").fill_null(0.0),
    )
    return classify(frame, bands)


def classify(frame: pl.DataFrame, bands: Bands) -> pl.DataFrame:
    """Add loss, rate, coverage, class and reason to per-district supply/sales/household counts."""
    coverage = pl.when(pl.col("households") > 0).then(pl.col("households_with_data") / pl.col("households"))
    frame = frame.with_columns(
        coverage.alias("coverage"),
        (pl.col("supply_kwh") - pl.col("sales_kwh")).alias("loss_kwh"),
    )
    reason = (
        pl.when(pl.col("supply_kwh").is_null())
        .then(pl.lit(NO_SUPPLY_DATA))
        .when(pl.col("supply_kwh") <= 0)
        .then(pl.lit(NO_SUPPLY))
        .when(pl.col("households") == 0)
        .then(pl.lit(NO_HOUSEHOLDS))
        .when(pl.col("coverage") < bands.min_coverage)
        .then(pl.lit(LOW_COVERAGE))
    )
    frame = frame.with_columns(reason.alias("reason"))
    rate = pl.when(pl.col("reason").is_null()).then(pl.col("loss_kwh") / pl.col("supply_kwh"))
    frame = frame.with_columns(rate.alias("loss_rate"))
    klass = (
        pl.when(pl.col("reason") == NO_SUPPLY)
        .then(pl.lit(STOPPED))
        .when(pl.col("reason").is_not_null())
        .then(pl.lit(UNCOMPUTABLE))
        .when(pl.col("loss_rate") >= bands.high_from)
        .then(pl.lit(HIGH))
        .when(pl.col("loss_rate") <= bands.negative_to)
        .then(pl.lit(NEGATIVE))
        .otherwise(pl.lit(QUALIFIED))
    )
    return (
        frame.with_columns(klass.alias("class"))
        .select([pl.col(name).cast(dtype) for name, dtype in LOSS_SCHEMA.items()])
        .sort("transformer")
    )


def totals(rows: pl.DataFrame) -> dict[str, float | int | None]:
    """Energy-weighted totals over the computable districts: Σ loss ÷ Σ supply."""
    ok = rows.filter(pl.col("loss_rate").is_not_null())
    supply = float(ok["supply_kwh"].sum()) if ok.height else 0.0
    loss = float(ok["loss_kwh"].sum()) if ok.height else 0.0
    return {
        "districts": rows.height,
        "computable": ok.height,
        "supply_kwh": supply,
        "sales_kwh": float(ok["sales_kwh"].sum()) if ok.height else 0.0,
        "loss_kwh": loss,
        "loss_rate": loss / supply if supply > 0 else None,
    }


@dataclass(frozen=True)
class Suspects:
    """Per household: the best other district (index, or -1), its correlation and the own one."""

    best: np.ndarray
    best_corr: np.ndarray
    own_corr: np.ndarray
    suspected: np.ndarray


def deseasonalise(values: np.ndarray, period: int) -> np.ndarray:
    """Subtract from each row the mean of each position in the period (e.g. each hour of the day)."""
    if period <= 1 or values.shape[1] < 2 * period:
        return values
    rows, steps = values.shape
    days = steps // period
    block = values[:, : days * period].reshape(rows, days, period)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        typical = np.nanmean(block, axis=1, keepdims=True)
    out = values.astype(float).copy()
    out[:, : days * period] = (block - typical).reshape(rows, days * period)
    out[:, days * period :] = np.nan
    return out


def residuals(supply_kwh: np.ndarray, sales_kwh: np.ndarray) -> np.ndarray:
    """(k, T) loss residual of each district over time, freed of its technical part (the least-squares
    fit a·supply + b of supply − sales on supply). NaN rows stay NaN."""
    raw = supply_kwh - sales_kwh
    out = np.full_like(raw, np.nan, dtype=float)
    for k in range(raw.shape[0]):
        s, r = supply_kwh[k], raw[k]
        ok = np.isfinite(s) & np.isfinite(r)
        if ok.sum() < 3:
            continue
        scale = np.nanmax(np.abs(s[ok])) or 1.0
        design = np.column_stack([s[ok] / scale, (s[ok] / scale) ** 2, np.ones(ok.sum())])
        coef, *_rest = np.linalg.lstsq(design, r[ok], rcond=None)
        out[k, ok] = r[ok] - design @ coef
    return out


def _corr_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(n, k) Pearson correlation of every row of ``x`` with every row of ``y`` (NaN treated as 0
    after centring; constant rows correlate 0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        xc = np.nan_to_num(x - np.nanmean(x, axis=1, keepdims=True))
        yc = np.nan_to_num(y - np.nanmean(y, axis=1, keepdims=True))
    xn = np.linalg.norm(xc, axis=1, keepdims=True)
    yn = np.linalg.norm(yc, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr: np.ndarray = (xc / np.where(xn > 0, xn, 1)) @ (yc / np.where(yn > 0, yn, 1)).T
    return corr


def suspects(
    household_kwh: np.ndarray,
    own: np.ndarray,
    residual: np.ndarray,
    candidates: np.ndarray | None = None,
    min_score: float = 0.6,
    period: int = 24,
) -> Suspects:
    """Which households fit another district's loss residual better than their own.

    ``household_kwh`` (n, T), ``own`` (n,) index of each household's registered district in
    ``residual`` (k, T) (from ``residuals``), both on the same steps with ``period`` steps a day;
    ``candidates`` (n, k) bool marks the nearby districts each household may belong to (default:
    all)."""
    n, k = household_kwh.shape[0], residual.shape[0]
    if n == 0 or k == 0:
        empty = np.zeros(n)
        return Suspects(np.full(n, -1), empty, empty, np.zeros(n, dtype=bool))
    corr = _corr_rows(deseasonalise(household_kwh, period), deseasonalise(residual, period))
    rows = np.arange(n)
    own_corr = corr[rows, own]
    allowed = np.ones((n, k), dtype=bool) if candidates is None else candidates.copy()
    allowed[rows, own] = False
    allowed &= np.isfinite(residual).any(axis=1)[None, :]
    masked = np.where(allowed, corr, -np.inf)
    best = np.argmax(masked, axis=1)
    best_corr = masked[rows, best]
    has = np.isfinite(best_corr)
    best = np.where(has, best, -1)
    best_corr = np.where(has, best_corr, 0.0)
    suspected = has & (best_corr > 0) & (best_corr - own_corr >= min_score)
    return Suspects(best, best_corr, own_corr, suspected)
