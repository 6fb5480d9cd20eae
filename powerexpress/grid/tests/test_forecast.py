"""The Spring Festival forecast (pure, no database): lunar alignment, risk, actions, backtest."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from powerexpress.analytics import forecast


def test_the_festival_window_runs_from_the_25th_of_the_12th_month_to_the_7th_of_the_1st():
    assert forecast.festival_window(2026) == (dt.date(2026, 2, 12), dt.date(2026, 2, 23))
    assert forecast.festival_window(2027) == (dt.date(2027, 2, 1), dt.date(2027, 2, 12))
    assert forecast.new_year_day(2025) == dt.date(2025, 1, 29)


def test_lunar_labels_name_the_festival_days():
    assert forecast.lunar_label(dt.date(2026, 2, 12)) == "腊月廿五"
    assert forecast.lunar_label(dt.date(2026, 2, 17)) == "正月初一"
    assert forecast.lunar_label(dt.date(2026, 2, 23)) == "正月初七"


def test_the_next_festival_is_found_from_any_day():
    assert forecast.next_festival_year(dt.date(2026, 11, 27)) == 2027
    assert forecast.next_festival_year(dt.date(2026, 2, 20)) == 2026
    assert forecast.next_festival_year(dt.date(2026, 3, 1)) == 2027


def synthetic_daily(
    growth=(1.0, 1.1),
    surge=3.0,
    codes=None,
    start=dt.date(2024, 1, 1),
    end=dt.date(2026, 4, 30),
    season=0.0,
    noise=0.0,
    seed=0,
    unbalance=0.1,
):
    """Daily peaks of one district per entry of ``growth``: a normal load of 0.3 on New Year's Eve
    2025 that grows steadily by that factor from one New Year's Eve to the next (2025 to 2026) and
    swings by ``season`` between midwinter and midsummer, times a festival surge (``surge`` on New
    Year's Eve, one value or one per district) that follows the lunar calendar, times lognormal
    daily noise of sigma ``noise``."""
    growth = np.asarray(growth, dtype=float)
    surge = np.broadcast_to(np.asarray(surge, dtype=float), growth.shape)
    codes = codes or [f"T{i + 1}" for i in range(growth.size)]
    dates = np.arange(start, end + dt.timedelta(days=1), dtype="datetime64[D]")
    days = dates.astype(dt.date)
    eve_2025, eve_2026 = (forecast.new_year_day(year) - dt.timedelta(days=1) for year in (2025, 2026))
    years = np.array([(day - eve_2025).days for day in days]) / (eve_2026 - eve_2025).days
    winter = np.cos(2 * np.pi * np.array([day.timetuple().tm_yday - 15 for day in days]) / 365.25)
    bump = np.zeros(days.size)
    for year in range(start.year, end.year + 2):
        eve = forecast.new_year_day(year) - dt.timedelta(days=1)
        offset = np.array([(day - eve).days for day in days], dtype=float)
        bump += np.exp(-(offset**2) / 8)
    rate = (
        0.3
        * growth[:, None] ** years[None, :]
        * (1 + season * winter)[None, :]
        * (1 + (surge[:, None] - 1) * bump[None, :])
    )
    rate *= np.random.default_rng(seed).lognormal(0.0, noise, rate.shape) if noise else 1.0
    return pl.DataFrame(
        {
            "transformer": np.repeat(list(codes), days.size),
            "date": np.tile(dates, growth.size),
            "peak_rate": rate.reshape(-1),
            "peak_unbalance": unbalance,
        }
    )


def test_years_are_aligned_by_the_lunar_calendar_so_the_peak_falls_on_new_years_eve():
    result = forecast.forecast(synthetic_daily(), 2026)
    assert result["peak_offset"].to_list() == [-1, -1]


def per_year(growth):
    """A growth from New Year's Eve 2025 to 2026 (384 days) as growth per 365.25 days."""
    return growth ** (365.25 / (forecast.new_year_day(2026) - forecast.new_year_day(2025)).days)


def test_the_forecast_grows_last_festival_by_the_measured_growth_and_the_factors():
    daily = synthetic_daily(growth=(1.0, 1.2))
    result = forecast.forecast(daily, 2026).sort("transformer")
    assert result["measured_growth"].to_list() == pytest.approx([1.0, per_year(1.2)], rel=1e-3)
    base = result["naive_rate"].to_list()
    assert result["forecast_rate"].to_list() == pytest.approx([base[0], base[1] * 1.2], rel=1e-3)
    adjusted = forecast.forecast(daily, 2026, forecast.ForecastSettings(growth=1.05, returnee=1.1)).sort(
        "transformer"
    )
    assert adjusted["forecast_rate"][0] == pytest.approx(base[0] * 1.05 * 1.1, rel=1e-3)


def test_a_later_festival_in_a_milder_season_is_forecast_lower():
    daily = synthetic_daily(growth=(1.0,), season=0.3, start=dt.date(2024, 9, 1))
    result = forecast.forecast(daily, 2026)
    assert result["forecast_rate"][0] < 0.98 * result["naive_rate"][0]
    scores = forecast.backtest(daily, 2026)
    assert scores["naive_mape"] > 0.02
    assert scores["forecast_mape"] < 0.005


def test_the_forecast_uses_nothing_from_its_origin_on():
    daily = synthetic_daily(growth=(1.05, 1.1), noise=0.05)
    origin = forecast.festival_window(2026)[0] - dt.timedelta(days=30)
    later = daily.with_columns(
        pl.when(pl.col("date") >= origin)
        .then(pl.col("peak_rate") * 3)
        .otherwise(pl.col("peak_rate"))
        .alias("peak_rate")
    )
    columns = ["transformer", "forecast_rate", "measured_growth", "normal_rate", "peak_offset"]
    assert (
        forecast.forecast(later, 2026).select(columns).equals(forecast.forecast(daily, 2026).select(columns))
    )


def test_days_far_off_the_normal_load_do_not_move_the_growth():
    daily = synthetic_daily(growth=(1.1,), noise=0.03)
    outages = [dt.date(2025, 6, 3), dt.date(2025, 9, 14), dt.date(2025, 11, 2), dt.date(2025, 12, 20)]
    broken = daily.with_columns(
        pl.when(pl.col("date").is_in(outages)).then(0.01).otherwise(pl.col("peak_rate")).alias("peak_rate")
    )
    assert forecast.forecast(broken, 2026)["measured_growth"][0] == pytest.approx(per_year(1.1), abs=0.005)


def test_without_a_year_of_history_the_forecast_assumes_no_growth():
    daily = synthetic_daily(growth=(1.2,), start=dt.date(2025, 1, 20))
    result = forecast.forecast(daily, 2026)
    assert result["measured_growth"][0] == 1.0
    assert result["forecast_rate"][0] == pytest.approx(result["naive_rate"][0], rel=1e-3)


@pytest.mark.parametrize(
    ("rate", "level"), [(1.2, "overload"), (1.0, "heavy"), (0.81, "heavy"), (0.8, "normal")]
)
def test_risk_levels(rate, level):
    assert forecast.risk_level(rate) == level


def test_recommended_actions():
    assert forecast.recommend(0.7, 0.3, 0.3) is None
    assert forecast.recommend(0.95, 0.3, 0.3) == forecast.REBALANCE
    assert forecast.recommend(0.95, 0.05, 0.3) == forecast.EXTRA_CAPACITY
    assert forecast.recommend(1.2, 0.3, 0.3) == forecast.EXTRA_CAPACITY
    assert forecast.recommend(1.4, 0.05, 0.3) == forecast.REPLACE_UNIT
    assert forecast.recommend(0.9, 0.05, 0.85) == forecast.REPLACE_UNIT


def test_the_backtest_beats_the_naive_baseline_when_load_grows():
    daily = synthetic_daily(growth=(1.1, 1.2), start=dt.date(2023, 11, 1))
    scores = forecast.backtest(daily, 2026)
    assert scores["districts"] == 2
    assert scores["forecast_mape"] < scores["naive_mape"]
    assert scores["forecast_daily_mae"] < scores["naive_daily_mae"]


def noisy_county(growth_low, growth_high, seed):
    """Sixty districts with the demo's spread: yearly growth in [low, high], festival surges of 1.2
    to 6, a winter season, and 6 % daily noise."""
    rng = np.random.default_rng(seed)
    return synthetic_daily(
        growth=rng.uniform(growth_low, growth_high, 60),
        surge=rng.uniform(1.2, 6.0, 60),
        start=dt.date(2024, 11, 1),
        season=0.15,
        noise=0.06,
        seed=seed,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_with_real_growth_the_forecast_error_is_clearly_below_the_naive_baseline(seed):
    scores = forecast.backtest(noisy_county(1.03, 1.12, seed), 2026)
    assert scores["districts"] == 60
    assert scores["forecast_mape"] < 0.8 * scores["naive_mape"]
    assert scores["forecast_daily_mae"] < scores["naive_daily_mae"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_without_growth_or_season_the_forecast_is_no_worse_than_naive(seed):
    rng = np.random.default_rng(seed)
    daily = synthetic_daily(
        growth=np.ones(60), surge=rng.uniform(1.2, 6.0, 60), start=dt.date(2024, 11, 1), noise=0.06, seed=seed
    )
    scores = forecast.backtest(daily, 2026)
    assert scores["forecast_mape"] < scores["naive_mape"] + 0.005
    assert scores["forecast_daily_mae"] < 1.1 * scores["naive_daily_mae"]


def test_the_lunar_label_follows_the_pages_language():
    from django.utils import translation

    from powerexpress.grid.lunar import lunar_label

    with translation.override("zh-hans"):
        assert lunar_label(dt.date(2026, 2, 12)) == "腊月廿五"
    with translation.override("en"):
        assert lunar_label(dt.date(2026, 2, 12)) == "lunar 12-25"
        assert lunar_label(dt.date(2026, 2, 23)) == "lunar 1-7"
        assert lunar_label(dt.date(2023, 3, 22)) == "lunar leap 2-1"  # 2023 had a leap 2nd month
