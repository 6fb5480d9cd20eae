"""Reads of grid analytics (interval data from Parquet, metadata from the database)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from django.core.cache import cache
from django.utils import timezone

from powerexpress.analytics import forecast, loading
from powerexpress.core.scope import visible
from powerexpress.grid import storage
from powerexpress.grid.choices import DataKind
from powerexpress.grid.models import FestivalForecast
from powerexpress.registry.models import TransformerDistrict


def measured_peak_kva(transformer) -> Decimal | None:
    """The highest apparent power measured on the district over the last 12 months of interval
    data (kVA, 0.1), or None when there is no data."""
    now = timezone.now()
    since = now - dt.timedelta(days=365)
    lazy = storage.scan(
        DataKind.TRANSFORMER,
        station_code=transformer.station.code,
        months=storage.months_between(timezone.localdate(since), timezone.localdate(now)),
        keys=[transformer.code],
        since=since,
    )
    if lazy is None:
        return None
    peak = lazy.select(pl.col("s_kva").max()).collect().item()
    if peak is None:
        return None
    return Decimal(str(peak)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def daily_peaks(station_code: str | None = None) -> pl.DataFrame | None:
    """Daily peak load rate and unbalance at the peak per transformer (written by detection)."""
    files = sorted((storage.root() / "daily").glob(f"station={station_code or '*'}/month=*/daily.parquet"))
    if not files:
        return None
    return pl.read_parquet(files)


def transformer_curve(transformer, start: dt.datetime, end: dt.datetime) -> dict:
    """Per-phase current, phase voltages and kVA on 15-minute steps between ``start`` and ``end``."""
    lazy = storage.scan(
        DataKind.TRANSFORMER,
        station_code=transformer.station.code,
        months=storage.months_between(timezone.localdate(start), timezone.localdate(end)),
        keys=[transformer.code],
        since=start,
        until=end,
    )
    if lazy is None:
        return {"ts": []}
    frame = storage.to_steps(lazy.collect(), DataKind.TRANSFORMER)
    columns = [c for c in storage.VALUE_COLUMNS[DataKind.TRANSFORMER] if c in frame.columns]
    frame = frame.with_columns(pl.col(c).cast(pl.Float64) for c in columns)
    out = {"ts": [t.strftime("%Y-%m-%d %H:%M") for t in frame["ts"]]}
    for column in columns:
        out[column] = [None if v is None else round(v, 2) for v in frame[column].to_list()]
    out["unbalance_pct"] = [
        None if v != v else round(100 * float(v), 1)
        for v in loading.unbalance(frame["i_a"].to_numpy(), frame["i_b"].to_numpy(), frame["i_c"].to_numpy())
    ]
    return out


def data_span(transformer) -> tuple[dt.date, dt.date] | None:
    """First and last day with daily figures for the district."""
    daily = daily_peaks(transformer.station.code)
    if daily is None:
        return None
    days = daily.filter(pl.col("transformer") == transformer.code)["date"]
    return (days.min(), days.max()) if days.len() else None


def household_data_span(transformer) -> tuple[dt.date, dt.date] | None:
    """First and last local day of household readings in the district's station (for plans)."""
    lazy = storage.scan(DataKind.HOUSEHOLD, station_code=transformer.station.code)
    if lazy is None:
        return None
    accounts = list(transformer.customers.values_list("account_no", flat=True))
    span = (
        lazy.filter(pl.col("account_no").is_in(accounts))
        .select(pl.col("ts").min().alias("a"), pl.col("ts").max().alias("b"))
        .collect()
    )
    if span["a"][0] is None:
        return None
    return (timezone.localdate(span["a"][0]), timezone.localdate(span["b"][0]))


def forecasts_at_risk(user):
    """Forecasts the user may see, every festival year, worst first, at risk only (above 80 %);
    the risk list's FilterSet narrows them to a year, a station, a level or a search."""
    return (
        visible(user, FestivalForecast.objects.filter(forecast_rate_pct__gt=80))
        .select_related("transformer", "transformer__station", "transformer__village", "work_order")
        .order_by("-forecast_rate_pct")
    )


def risk_list(user, festival_year: int):
    """Forecasts the user may see in one festival year, worst first, at risk only (above 80 %)."""
    return forecasts_at_risk(user).filter(festival_year=festival_year)


def festival_context(festival_year: int) -> dict:
    start, end = forecast.festival_window(festival_year)
    return {
        "festival_year": festival_year,
        "window_start": start,
        "window_end": end,
        "new_years_eve": forecast.new_year_day(festival_year) - dt.timedelta(days=1),
    }


def visible_transformers(user):
    return visible(user, TransformerDistrict.objects.select_related("station", "village"))


def backtest_summary(user, festival_year: int) -> dict | None:
    """Backtest of the forecast on a past festival for the user's districts (cached for an hour)."""
    station = None if user.is_bureau_wide else user.station.code
    key = f"grid-backtest-{festival_year}-{station or 'all'}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    daily = daily_peaks(station)
    result = forecast.backtest(daily, festival_year) if daily is not None else {"districts": 0}
    if result.get("districts"):
        result = {
            **result,
            "forecast_mape_percent": 100 * result["forecast_mape"],
            "naive_mape_percent": 100 * result["naive_mape"],
        }
    else:
        result = None
    cache.set(key, result, 3600)
    return result
