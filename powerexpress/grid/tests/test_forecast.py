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


def synthetic_daily(growth=(1.0, 1.1), surge=3.0, codes=("T1", "T2"), years=(2025, 2026), unbalance=0.1):
    """Daily peaks with a festival surge peaking on New Year's Eve, for consecutive festival years."""
    rows = []
    for code, g in zip(codes, growth, strict=True):
        for index, year in enumerate(years):
            eve = forecast.new_year_day(year) - dt.timedelta(days=1)
            for offset in range(-200, 60):
                day = eve + dt.timedelta(days=offset)
                bump = 1 + (surge - 1) * np.exp(-(offset ** 2) / 8)
                rows.append({"transformer": code, "date": day, "peak_rate": 0.3 * g ** index * bump,
                             "peak_unbalance": unbalance})
    frame = pl.DataFrame(rows)
    return frame.unique(subset=["transformer", "date"], keep="last").sort("transformer", "date")


def test_years_are_aligned_by_the_lunar_calendar_so_the_peak_falls_on_new_years_eve():
    result = forecast.forecast(synthetic_daily(), 2026)
    assert result["peak_offset"].to_list() == [-1, -1]


def test_the_forecast_scales_last_festival_by_measured_growth_and_the_factors():
    daily = synthetic_daily(growth=(1.0, 1.2))
    result = forecast.forecast(daily, 2026).sort("transformer")
    assert result["measured_growth"].to_list() == pytest.approx([1.0, 1.2], rel=1e-3)
    base = result["naive_rate"].to_list()
    assert result["forecast_rate"].to_list() == pytest.approx([base[0], base[1] * 1.2], rel=1e-3)
    adjusted = forecast.forecast(daily, 2026, forecast.ForecastSettings(growth=1.05, returnee=1.1)).sort("transformer")
    assert adjusted["forecast_rate"][0] == pytest.approx(base[0] * 1.05 * 1.1, rel=1e-3)


@pytest.mark.parametrize(("rate", "level"), [(1.2, "overload"), (1.0, "heavy"), (0.81, "heavy"), (0.8, "normal")])
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
    daily = synthetic_daily(growth=(1.1, 1.2), years=(2024, 2025, 2026))
    scores = forecast.backtest(daily, 2026)
    assert scores["districts"] == 2
    assert scores["forecast_mape"] < scores["naive_mape"]
    assert scores["forecast_daily_mae"] < scores["naive_daily_mae"]
