"""Spring Festival peak forecast per transformer district (polars; lunar dates from ``lunardate``).

The festival window of festival year F runs from 腊月廿五 of lunar year F−1 to 正月初七 of lunar
year F. Past years are aligned by their offset in days from 正月初一 (so New Year's Eve is −1 in
every year), never by Gregorian date, because the festival moves between late January and
mid-February.

Model: last festival's lunar-aligned daily peaks × the district's measured growth (its mean daily
peak over the ``level_days`` before the forecast origin — ``lead_days`` before 腊月廿五, or the last
day with data — against the same calendar days 52 weeks earlier: growth is compared in solar time
so the season does not pass for growth) × a growth factor and a returnee factor that staff adjust. Naive baseline: last year's
value on the same lunar date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from lunardate import LunarDate

HEAVY_RATE = 0.80
OVERLOAD_RATE = 1.00
REPLACE_RATE = 1.30

YEAR_DAYS = 364  # 52 weeks: a year earlier on the same weekday

REBALANCE = "rebalance_phases"
EXTRA_CAPACITY = "extra_capacity"
REPLACE_UNIT = "replace_unit"


def new_year_day(festival_year: int) -> dt.date:
    """正月初一 of lunar year ``festival_year`` as a Gregorian date."""
    return LunarDate(festival_year, 1, 1).to_solar_date()


def festival_window(festival_year: int) -> tuple[dt.date, dt.date]:
    """(腊月廿五, 正月初七) of the festival, both inclusive."""
    return LunarDate(festival_year - 1, 12, 25).to_solar_date(), LunarDate(festival_year, 1, 7).to_solar_date()


def next_festival_year(today: dt.date) -> int:
    """The festival year whose window has not ended yet on ``today``."""
    year = today.year
    return year if festival_window(year)[1] >= today else year + 1


def lunar_label(day: dt.date) -> str:
    """Chinese lunar label of a date, e.g. 腊月廿五 or 正月初七."""
    months = "正二三四五六七八九十冬腊"
    tens = ("初", "十", "廿", "三")
    digits = "一二三四五六七八九十"
    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    d = lunar.day
    if d == 10:
        name = "初十"
    elif d == 20:
        name = "二十"
    elif d == 30:
        name = "三十"
    else:
        name = tens[d // 10] + digits[d % 10 - 1]
    return ("闰" if lunar.is_leap_month else "") + months[lunar.month - 1] + "月" + name


def with_offset(daily: pl.DataFrame, festival_year: int) -> pl.DataFrame:
    """``daily`` (column ``date``) with ``offset``: days from 正月初一 of ``festival_year``."""
    origin = new_year_day(festival_year)
    return daily.with_columns((pl.col("date") - pl.lit(origin)).dt.total_days().alias("offset"))


def window_offsets(festival_year: int) -> tuple[int, int]:
    start, end = festival_window(festival_year)
    origin = new_year_day(festival_year)
    return (start - origin).days, (end - origin).days


@dataclass(frozen=True)
class ForecastSettings:
    """Adjustable factors: ``growth`` multiplies the measured growth; ``returnee`` scales the
    festival surge (1.1 = 10 % more people coming home than last year)."""

    growth: float = 1.0
    returnee: float = 1.0
    level_days: int = 60
    lead_days: int = 30


def _festival_curves(daily: pl.DataFrame, year: int) -> pl.DataFrame:
    low, high = window_offsets(year)
    return (with_offset(daily, year).filter(pl.col("offset").is_between(low, high))
            .select("transformer", "offset", "peak_rate", "peak_unbalance"))


def _level(daily: pl.DataFrame, end: dt.date, settings: ForecastSettings) -> pl.DataFrame:
    """Mean daily peak over the ``level_days`` before ``end``."""
    start = end - dt.timedelta(days=settings.level_days)
    return (daily.filter((pl.col("date") >= start) & (pl.col("date") < end))
            .group_by("transformer").agg(pl.col("peak_rate").mean().alias("level")))


def _level_end(daily: pl.DataFrame, festival_year: int, settings: ForecastSettings) -> dt.date:
    """Where the growth window ends: ``lead_days`` before 腊月廿五, or after the last day with data if earlier."""
    origin = festival_window(festival_year)[0] - dt.timedelta(days=settings.lead_days)
    return min(origin, daily["date"].max() + dt.timedelta(days=1))


def forecast(daily: pl.DataFrame, festival_year: int, settings: ForecastSettings = ForecastSettings()) -> pl.DataFrame:
    """Forecast per transformer from ``daily`` (transformer, date, peak_rate, peak_unbalance).

    Returns one row per transformer with a festival window last year: ``forecast_rate``,
    ``naive_rate`` (last year's peak), ``measured_growth``, ``peak_offset`` (days from 正月初一),
    ``unbalance_at_peak``, ``normal_rate`` (the pre-festival level) and ``curve`` (forecast daily
    peaks by offset).
    """
    last = _festival_curves(daily, festival_year - 1)
    end = _level_end(daily, festival_year, settings)
    now_level = _level(daily, end, settings)
    then_level = _level(daily, end - dt.timedelta(days=YEAR_DAYS), settings)
    growth = (now_level.join(then_level, on="transformer", suffix="_then")
              .with_columns((pl.col("level") / pl.col("level_then")).fill_nan(1.0).alias("measured_growth"))
              .select("transformer", "measured_growth", pl.col("level").alias("normal_rate")))
    factor = pl.col("measured_growth").fill_null(1.0) * settings.growth * settings.returnee
    curves = (last.join(growth, on="transformer", how="left")
              .with_columns((pl.col("peak_rate") * factor).alias("forecast"))
              .sort("transformer", "offset"))
    return (curves.group_by("transformer", maintain_order=True).agg(
        pl.col("forecast").max().alias("forecast_rate"),
        pl.col("peak_rate").max().alias("naive_rate"),
        pl.col("measured_growth").first().fill_null(1.0),
        pl.col("normal_rate").first(),
        pl.col("offset").get(pl.col("forecast").arg_max()).alias("peak_offset"),
        pl.col("peak_unbalance").get(pl.col("forecast").arg_max()).alias("unbalance_at_peak"),
        pl.struct("offset", "forecast").alias("curve"),
    ))


def risk_level(rate: float) -> str:
    """"overload" above 100 %, "heavy" above 80 %, else "normal"."""
    if rate > OVERLOAD_RATE:
        return "overload"
    if rate > HEAVY_RATE:
        return "heavy"
    return "normal"


def recommend(rate: float, unbalance_at_peak: float | None, normal_rate: float | None,
              unbalance_limit: float = 0.15) -> str | None:
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


def backtest(daily: pl.DataFrame, festival_year: int, settings: ForecastSettings = ForecastSettings()) -> dict:
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
    daily_f = (predicted.select("transformer", "curve").explode("curve").unnest("curve")
               .join(actual_curves, on=["transformer", "offset"]))
    last = _festival_curves(daily, festival_year - 1).rename({"peak_rate": "naive", "peak_unbalance": "u"})
    daily_n = actual_curves.join(last.select("transformer", "offset", "naive"), on=["transformer", "offset"])
    return {
        "districts": int(joined.height),
        "forecast_mae": float(np.mean(np.abs(f - a))),
        "naive_mae": float(np.mean(np.abs(n - a))),
        "forecast_mape": float(np.mean(np.abs(f - a) / a)),
        "naive_mape": float(np.mean(np.abs(n - a) / a)),
        "forecast_daily_mae": float((daily_f["forecast"] - daily_f["peak_rate"]).abs().mean()),
        "naive_daily_mae": float((daily_n["naive"] - daily_n["peak_rate"]).abs().mean()),
    }
