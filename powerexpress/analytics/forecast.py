"""Spring Festival peak forecast per transformer district (polars, numpy; lunar dates from ``lunardate``).

The festival window of festival year F runs from 腊月廿五 of lunar year F−1 to 正月初七 of lunar
year F. Past years are aligned by their offset in days from 正月初一 (so New Year's Eve is −1 in
every year), never by Gregorian date, because the festival moves between late January and
mid-February.

Model. A district's daily peak is its *normal load* — a yearly growth trend times a winter/summer
season in solar time — times a *festival multiplier* that follows the lunar calendar:

- the normal load is fitted per district (least squares on the log of the daily peaks: level,
  trend, two yearly harmonics) over the ``history_days`` before the forecast origin, leaving out
  the festival seasons (腊月十五 to 正月十八). It needs a year of such days; with less, the forecast
  assumes no growth and no seasonal difference;
- last festival's multiplier on each day is its daily peak over the normal load of that date,
  averaged over ``smooth_days`` neighbouring days so one lucky or unlucky evening does not set
  next year's forecast;
- forecast daily peak = multiplier × the normal load on the same lunar day of the coming festival
  × the growth factor × the returnee factor (both adjusted by staff, 1.0 by default). The
  festival's highest day lies above the top of a smoothed curve (it is the best of several busy
  evenings): the window peak is the curve's top × that ratio as measured on last festival
  (median over the districts forecast together).

Naive baseline: last year's value on the same lunar date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from lunardate import LunarDate
from numpy.lib.stride_tricks import sliding_window_view

HEAVY_RATE = 0.80
OVERLOAD_RATE = 1.00
REPLACE_RATE = 1.30

YEAR_DAYS = 365.25
HARMONICS = 2  # yearly harmonics of the normal load: winter heating and summer cooling
MIN_NORMAL_DAYS = 120
TRIM_SIGMAS = 3.0  # days further from the fitted normal load (outages, bad readings) are refitted without

REBALANCE = "rebalance_phases"
EXTRA_CAPACITY = "extra_capacity"
REPLACE_UNIT = "replace_unit"


def new_year_day(festival_year: int) -> dt.date:
    """正月初一 of lunar year ``festival_year`` as a Gregorian date."""
    solar: dt.date = LunarDate(festival_year, 1, 1).to_solar_date()
    return solar


def festival_window(festival_year: int) -> tuple[dt.date, dt.date]:
    """(腊月廿五, 正月初七) of the festival, both inclusive."""
    return LunarDate(festival_year - 1, 12, 25).to_solar_date(), LunarDate(
        festival_year, 1, 7
    ).to_solar_date()


def next_festival_year(today: dt.date) -> int:
    """The festival year whose window has not ended yet on ``today``."""
    year = today.year
    return year if festival_window(year)[1] >= today else year + 1


def lunar_date(day: dt.date) -> tuple[int, int, bool]:
    """(lunar month 1–12, lunar day 1–30, leap month?) of a solar date."""
    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    return int(lunar.month), int(lunar.day), bool(lunar.is_leap_month)


def lunar_label(day: dt.date) -> str:
    """Chinese lunar label of a date, e.g. 腊月廿五 or 正月初七."""
    months = "正二三四五六七八九十冬腊"
    tens = ("初", "十", "廿", "三")
    digits = "一二三四五六七八九十"
    month, d, leap = lunar_date(day)
    if d == 10:
        name = "初十"
    elif d == 20:
        name = "二十"
    elif d == 30:
        name = "三十"
    else:
        name = tens[d // 10] + digits[d % 10 - 1]
    return ("闰" if leap else "") + months[month - 1] + "月" + name


def with_offset(daily: pl.DataFrame, festival_year: int) -> pl.DataFrame:
    """``daily`` (column ``date``) with ``offset``: days from 正月初一 of ``festival_year``."""
    origin = new_year_day(festival_year)
    return daily.with_columns((pl.col("date") - pl.lit(origin)).dt.total_days().alias("offset"))


def window_offsets(festival_year: int) -> tuple[int, int]:
    start, end = festival_window(festival_year)
    origin = new_year_day(festival_year)
    return (start - origin).days, (end - origin).days


def festival_season(festival_year: int) -> tuple[dt.date, dt.date]:
    """(腊月十五, 正月十八): the days whose load the festival may lift, left out of the normal load."""
    return LunarDate(festival_year - 1, 12, 15).to_solar_date(), LunarDate(
        festival_year, 1, 18
    ).to_solar_date()


@dataclass(frozen=True)
class ForecastSettings:
    """Adjustable factors: ``growth`` multiplies the measured growth; ``returnee`` scales the
    festival surge (1.1 = 10 % more people coming home than last year). The others set the
    method: the normal level shown on the risk list is the mean daily peak over ``level_days``;
    the origin is ``lead_days`` before 腊月廿五; the normal load is fitted on ``history_days``;
    last festival's multipliers are averaged over ``smooth_days``."""

    growth: float = 1.0
    returnee: float = 1.0
    level_days: int = 60
    lead_days: int = 30
    history_days: int = 730
    smooth_days: int = 3


def _festival_curves(daily: pl.DataFrame, year: int, margin: int = 0) -> pl.DataFrame:
    low, high = window_offsets(year)
    return (
        with_offset(daily, year)
        .filter(pl.col("offset").is_between(low - margin, high + margin))
        .select("transformer", "offset", "peak_rate", "peak_unbalance")
    )


def _level(daily: pl.DataFrame, end: dt.date, settings: ForecastSettings) -> pl.DataFrame:
    """Mean daily peak over the ``level_days`` before ``end``."""
    start = end - dt.timedelta(days=settings.level_days)
    return (
        daily.filter((pl.col("date") >= start) & (pl.col("date") < end))
        .group_by("transformer")
        .agg(pl.col("peak_rate").mean().alias("normal_rate"))
    )


def _origin(daily: pl.DataFrame, festival_year: int, settings: ForecastSettings) -> dt.date:
    """The forecast origin: ``lead_days`` before 腊月廿五, or after the last day with data if earlier."""
    origin = festival_window(festival_year)[0] - dt.timedelta(days=settings.lead_days)
    last_day: dt.date = daily["date"].max()  # type: ignore[assignment]
    return min(origin, last_day + dt.timedelta(days=1))


def _design(days: np.ndarray, origin: dt.date) -> np.ndarray:
    """Regressors of the log normal load on ``days`` (numpy datetime64[D]): level, trend in years
    from ``origin``, and the yearly harmonics."""
    years = (days - np.datetime64(origin, "D")).astype(float) / YEAR_DAYS
    columns = [np.ones_like(years), years]
    for k in range(1, HARMONICS + 1):
        columns += [np.cos(2 * np.pi * k * years), np.sin(2 * np.pi * k * years)]
    return np.column_stack(columns)


def _normal_days(daily: pl.DataFrame, origin: dt.date, settings: ForecastSettings) -> pl.DataFrame:
    start = origin - dt.timedelta(days=settings.history_days)
    history = daily.filter(
        pl.col("date").is_between(start, origin, closed="left")
        & pl.col("peak_rate").is_finite()
        & (pl.col("peak_rate") > 0)
    )
    festive = pl.lit(False)
    for year in range(start.year, origin.year + 2):
        first, last = festival_season(year)
        festive = festive | pl.col("date").is_between(first, last)
    return history.filter(~festive)


def _fit_normal(
    daily: pl.DataFrame, origin: dt.date, settings: ForecastSettings, codes: list[str]
) -> np.ndarray:
    """(len(codes), regressors) coefficients of each district's log normal load; a district with
    less than a year of normal days gets a flat load (no growth, no season)."""
    normal = _normal_days(daily, origin, settings)
    days = np.arange(
        np.datetime64(origin - dt.timedelta(days=settings.history_days), "D"),
        np.datetime64(origin, "D"),
        dtype="datetime64[D]",
    )
    x = _design(days, origin)
    y = np.full((len(codes), days.size), np.nan)
    if not normal.is_empty():
        row = {code: i for i, code in enumerate(codes)}
        known = normal.filter(pl.col("transformer").is_in(codes))
        rows = known["transformer"].replace_strict(row, return_dtype=pl.Int64).to_numpy()
        cols = (known["date"].to_numpy().astype("datetime64[D]") - days[0]).astype(int)
        y[rows, cols] = np.log(known["peak_rate"].to_numpy())
    weight = np.isfinite(y).astype(float)
    first = np.argmax(weight, axis=1)
    last = days.size - 1 - np.argmax(weight[:, ::-1], axis=1)
    fit = (last - first >= 365) & (weight.sum(axis=1) >= MIN_NORMAL_DAYS)
    y = np.nan_to_num(y)
    coef = np.zeros((len(codes), x.shape[1]))
    coef[fit] = _least_squares(x, weight[fit], y[fit])
    residual = (y[fit] - coef[fit] @ x.T) * weight[fit]
    sigma = np.sqrt((residual**2).sum(axis=1) / np.maximum(weight[fit].sum(axis=1) - x.shape[1], 1))
    coef[fit] = _least_squares(x, weight[fit] * (np.abs(residual) <= TRIM_SIGMAS * sigma[:, None]), y[fit])
    return coef


def _least_squares(x: np.ndarray, weight: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weighted least squares of each row of ``y`` on the columns of ``x`` (weights 0 or 1 per day);
    a negligible ridge keeps a badly spread history from making the system singular."""
    gram = np.einsum("dk,md,dl->mkl", x, weight, x) + 1e-6 * np.eye(x.shape[1])
    return np.linalg.solve(gram, np.einsum("dk,md->mk", x, weight * y)[..., None])[..., 0]


def _matrix(curves: pl.DataFrame, codes: list[str], offsets: np.ndarray, column: str) -> np.ndarray:
    """(len(codes), len(offsets)) values of ``column`` by district and lunar offset, NaN where missing."""
    out = np.full((len(codes), offsets.size), np.nan)
    row = {code: i for i, code in enumerate(codes)}
    known = curves.filter(pl.col("transformer").is_in(codes) & pl.col(column).is_not_null())
    out[
        known["transformer"].replace_strict(row, return_dtype=pl.Int64).to_numpy(),
        known["offset"].to_numpy() - offsets[0],
    ] = known[column].to_numpy()
    return out


def _smooth(values: np.ndarray, days: int) -> np.ndarray:
    """Running mean along the last axis over each day and ``days // 2`` days either side, ignoring
    missing values (NaN stays NaN)."""
    half = days // 2
    known = np.isfinite(values)
    padding = ((0, 0), (half, half))
    total = sliding_window_view(np.pad(np.where(known, values, 0.0), padding), 2 * half + 1, axis=1).sum(
        axis=2
    )
    count = sliding_window_view(np.pad(known.astype(float), padding), 2 * half + 1, axis=1).sum(axis=2)
    return np.where(known, total / np.maximum(count, 1), np.nan)


def forecast(
    daily: pl.DataFrame, festival_year: int, settings: ForecastSettings = ForecastSettings()
) -> pl.DataFrame:
    """Forecast per transformer from ``daily`` (transformer, date, peak_rate, peak_unbalance).

    Returns one row per transformer with a festival window last year: ``forecast_rate`` (the
    window peak), ``naive_rate`` (last year's peak), ``measured_growth`` (yearly growth of the
    normal load), ``peak_offset`` (days from 正月初一), ``unbalance_at_peak``, ``normal_rate`` (mean
    daily peak over ``level_days`` before the origin) and ``curve`` (forecast daily peaks by offset).
    """
    last_year = festival_year - 1
    margin = settings.smooth_days // 2
    last = _festival_curves(daily, last_year, margin + 1)
    low, high = window_offsets(festival_year)
    last_low, last_high = window_offsets(last_year)
    codes = sorted(
        last.filter(pl.col("offset").is_between(last_low, last_high) & pl.col("peak_rate").is_not_null())[
            "transformer"
        ]
        .unique()
        .to_list()
    )
    if not codes:
        return pl.DataFrame(
            schema={
                "transformer": pl.String,
                "forecast_rate": pl.Float64,
                "naive_rate": pl.Float64,
                "measured_growth": pl.Float64,
                "normal_rate": pl.Float64,
                "peak_offset": pl.Int64,
                "unbalance_at_peak": pl.Float64,
                "curve": pl.List(pl.Struct({"offset": pl.Int64, "forecast": pl.Float64})),
            }
        )
    origin = _origin(daily, festival_year, settings)
    coef = _fit_normal(daily, origin, settings, codes)
    offsets = np.arange(min(low, last_low) - margin - 1, max(high, last_high) + margin + 2)
    then = np.datetime64(new_year_day(last_year), "D") + offsets
    now = np.datetime64(new_year_day(festival_year), "D") + offsets
    normal_then = np.exp(coef @ _design(then, origin).T)
    normal_now = np.exp(coef @ _design(now, origin).T)
    peaks = _matrix(last, codes, offsets, "peak_rate")
    multiplier = _smooth(peaks / normal_then, settings.smooth_days)
    in_last = (offsets >= last_low) & (offsets <= last_high)
    in_window = (offsets >= low) & (offsets <= high)
    naive = np.nanmax(peaks[:, in_last], axis=1)
    smoothed_then = np.nanmax((multiplier * normal_then)[:, in_last], axis=1)
    ratios = naive / smoothed_then
    lift = float(np.median(ratios[np.isfinite(ratios)])) if np.isfinite(ratios).any() else 1.0
    curve = (multiplier * normal_now)[:, in_window] * settings.growth * settings.returnee
    at = np.argmax(np.nan_to_num(curve, nan=-np.inf), axis=1)
    unbalance = _matrix(last, codes, offsets, "peak_unbalance")[:, in_window]
    window = offsets[in_window]
    result = pl.DataFrame(
        {
            "transformer": codes,
            "forecast_rate": curve[np.arange(len(codes)), at] * lift,
            "naive_rate": naive,
            "measured_growth": np.exp(coef[:, 1]),
            "peak_offset": window[at],
            "unbalance_at_peak": unbalance[np.arange(len(codes)), at],
            "curve": [
                [
                    {"offset": int(o), "forecast": float(v)}
                    for o, v in zip(window, values, strict=True)
                    if np.isfinite(v)
                ]
                for values in curve
            ],
        },
        schema_overrides={"peak_offset": pl.Int64},
    )
    result = result.with_columns(pl.col("unbalance_at_peak").fill_nan(None)).filter(
        pl.col("forecast_rate").is_finite()
    )
    return result.join(_level(daily, origin, settings), on="transformer", how="left").select(
        "transformer",
        "forecast_rate",
        "naive_rate",
        "measured_growth",
        "normal_rate",
        "peak_offset",
        "unbalance_at_peak",
        "curve",
    )


def risk_level(rate: float) -> str:
    """ "overload" above 100 %, "heavy" above 80 %, else "normal"."""
    if rate > OVERLOAD_RATE:
        return "overload"
    if rate > HEAVY_RATE:
        return "heavy"
    return "normal"


def recommend(
    rate: float, unbalance_at_peak: float | None, normal_rate: float | None, unbalance_limit: float = 0.15
) -> str | None:
    """The action for a district at risk: replace a unit that is too small even outside the
    festival or would exceed 130 %; rebalance phases when the total fits but the phases are
    unbalanced; otherwise add temporary capacity for the festival."""
    if rate <= HEAVY_RATE:
        return None
    if rate > REPLACE_RATE or (normal_rate is not None and normal_rate > HEAVY_RATE):
        return REPLACE_UNIT
    if rate <= OVERLOAD_RATE and (unbalance_at_peak or 0.0) > unbalance_limit:
        return REBALANCE
    return EXTRA_CAPACITY


def backtest(
    daily: pl.DataFrame, festival_year: int, settings: ForecastSettings = ForecastSettings()
) -> dict[str, int | float]:
    """Forecast festival ``festival_year`` from earlier data only and score it against what
    happened, next to the naive same-lunar-date baseline: mean absolute error and MAPE of the
    window peak, and MAE of the daily peaks over the window."""
    cutoff = festival_window(festival_year)[0] - dt.timedelta(days=settings.lead_days)
    history = daily.filter(pl.col("date") < cutoff)
    predicted = forecast(history, festival_year, settings)
    actual_curves = _festival_curves(daily, festival_year)
    actual = actual_curves.group_by("transformer").agg(pl.col("peak_rate").max().alias("actual_rate"))
    joined = predicted.join(actual, on="transformer")
    if joined.is_empty():
        return {"districts": 0}
    a = joined["actual_rate"].to_numpy()
    f = joined["forecast_rate"].to_numpy()
    n = joined["naive_rate"].to_numpy()
    daily_f = (
        predicted.select("transformer", "curve")
        .explode("curve")
        .unnest("curve")
        .join(actual_curves, on=["transformer", "offset"])
    )
    last = _festival_curves(daily, festival_year - 1).rename({"peak_rate": "naive", "peak_unbalance": "u"})
    daily_n = actual_curves.join(last.select("transformer", "offset", "naive"), on=["transformer", "offset"])
    return {
        "districts": int(joined.height),
        "forecast_mae": float(np.mean(np.abs(f - a))),
        "naive_mae": float(np.mean(np.abs(n - a))),
        "forecast_mape": float(np.mean(np.abs(f - a) / a)),
        "naive_mape": float(np.mean(np.abs(n - a) / a)),
        "forecast_daily_mae": _mean_abs(daily_f["forecast"] - daily_f["peak_rate"]),
        "naive_daily_mae": _mean_abs(daily_n["naive"] - daily_n["peak_rate"]),
    }


def _mean_abs(errors: pl.Series) -> float:
    """Mean absolute value of a numeric series (nulls skipped, as polars does), as a float."""
    mean = errors.abs().mean()
    return float(mean) if isinstance(mean, int | float) else float("nan")
