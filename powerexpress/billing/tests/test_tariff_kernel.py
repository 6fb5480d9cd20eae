"""The pure tariff core: schedule validation, the Decimal reference and the integer-fen kernel."""

import datetime
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.tariff_baselines import bill_amounts_fen, python_loop_amounts_fen
from powerexpress.analytics import tariff as kernel

GUIZHOU = {
    "cycle": "annual",
    "cycle_start_month": 1,
    "tiers": [
        {"up_to_kwh": "2040", "price_yuan_per_kwh": "0.4556"},
        {"up_to_kwh": "3120", "price_yuan_per_kwh": "0.5056"},
        {"up_to_kwh": None, "price_yuan_per_kwh": "0.7556"},
    ],
    "free_kwh_per_month": {"low_income": "10"},
    "shared_meter_price_yuan_per_kwh": "0.4556",
}
GUANGDONG = {
    "cycle": "monthly",
    "tiers": [
        {"up_to_kwh": "200", "price_yuan_per_kwh": "0.5953"},
        {"up_to_kwh": "400", "price_yuan_per_kwh": "0.6453"},
        {"up_to_kwh": None, "price_yuan_per_kwh": "0.8953"},
    ],
    "seasons": [
        {
            "months": [5, 6, 7, 8, 9, 10],
            "tiers": [
                {"up_to_kwh": "260", "price_yuan_per_kwh": "0.5953"},
                {"up_to_kwh": "600", "price_yuan_per_kwh": "0.6453"},
                {"up_to_kwh": None, "price_yuan_per_kwh": "0.8953"},
            ],
        }
    ],
    "large_household": {"min_size": 5, "extra_kwh": "100"},
}
DAY = datetime.date(2026, 10, 31)


def q(schedule=GUIZHOU, ytd="0", kwh="0", **kw):
    return kernel.quote(
        kernel.schedule_from_dict(schedule),
        year_to_date_kwh=Decimal(ytd),
        kwh=Decimal(kwh),
        on_date=kw.pop("on_date", DAY),
        **kw,
    )


def test_the_2040th_kwh_of_the_year_is_tier_1_and_the_2041st_tier_2():
    at_bound = q(ytd="2039", kwh="1")
    assert [(line.tier, line.kwh) for line in at_bound.lines] == [(1, Decimal(1))]
    assert at_bound.tier_after == 1 and at_bound.kwh_left_in_tier == 0
    past = q(ytd="2040", kwh="1")
    assert [(line.tier, line.kwh) for line in past.lines] == [(2, Decimal(1))]
    assert past.tier_after == 2 and past.kwh_left_in_tier == Decimal(1079)


def test_a_bill_crossing_both_thresholds_is_split_across_three_tiers():
    result = q(ytd="2000", kwh="1200")
    assert [(line.tier, line.kwh) for line in result.lines] == [(1, 40), (2, 1080), (3, 80)]
    assert [line.amount_yuan for line in result.lines] == [
        Decimal("18.22"),
        Decimal("546.05"),
        Decimal("60.45"),
    ]
    assert result.amount_yuan == Decimal("624.72")
    assert result.tier_after == 3 and result.kwh_left_in_tier is None


def test_each_line_is_rounded_half_up_to_the_fen_and_the_total_is_their_sum():
    schedule = {
        "cycle": "monthly",
        "tiers": [
            {"up_to_kwh": "1", "price_yuan_per_kwh": "0.005"},
            {"up_to_kwh": None, "price_yuan_per_kwh": "0.015"},
        ],
    }
    result = q(schedule, kwh="2")
    assert [line.amount_yuan for line in result.lines] == [Decimal("0.01"), Decimal("0.02")]
    assert result.amount_yuan == Decimal("0.03")


def test_the_free_allowance_is_a_tier_0_line_that_still_counts_toward_the_cycle():
    result = q(ytd="2035", kwh="20", tags=["low_income", "empty_nest"])
    assert [(line.tier, line.kwh, line.amount_yuan) for line in result.lines] == [
        (0, Decimal(10), Decimal("0.00")),
        (2, Decimal(10), Decimal("5.06")),
    ]
    assert result.free_kwh == 10 and result.tier_after == 2


def test_a_bill_smaller_than_the_allowance_is_free():
    result = q(kwh="6.5", tags=["low_income"])
    assert result.amount_yuan == 0 and result.free_kwh == Decimal("6.5")


def test_a_shared_meter_bill_is_one_line_at_the_flat_price():
    result = q(ytd="5000", kwh="100", shared_meter=True, tags=["low_income"])
    assert [(line.tier, line.kwh, line.amount_yuan) for line in result.lines] == [(1, 100, Decimal("45.56"))]


def test_seasons_choose_the_tiers_by_date_and_large_households_get_the_extra_band():
    summer = q(GUANGDONG, kwh="300", on_date=datetime.date(2026, 7, 15))
    winter = q(GUANGDONG, kwh="300", on_date=datetime.date(2026, 12, 15))
    large = q(GUANGDONG, kwh="300", on_date=datetime.date(2026, 12, 15), household_size=6)
    assert [line.kwh for line in summer.lines] == [260, 40]
    assert [line.kwh for line in winter.lines] == [200, 100]
    assert [line.kwh for line in large.lines] == [300]
    assert winter.cycle_start == datetime.date(2026, 12, 1)


def test_the_annual_cycle_starts_in_the_schedules_start_month():
    schedule = kernel.schedule_from_dict({**GUIZHOU, "cycle_start_month": 7})
    assert kernel.cycle_start(schedule, datetime.date(2026, 3, 5)) == datetime.date(2025, 7, 1)
    assert kernel.cycle_start(schedule, datetime.date(2026, 7, 1)) == datetime.date(2026, 7, 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cycle": "weekly"}, "tariff.cycle"),
        (
            {
                "tiers": [
                    {"up_to_kwh": "300", "price_yuan_per_kwh": "0.5"},
                    {"up_to_kwh": "200", "price_yuan_per_kwh": "0.6"},
                    {"up_to_kwh": None, "price_yuan_per_kwh": "0.7"},
                ]
            },
            "tariff.tiers.1.up_to_kwh",
        ),
        ({"tiers": [{"up_to_kwh": None, "price_yuan_per_kwh": "-0.1"}]}, "tariff.tiers.0.price_yuan_per_kwh"),
        ({"tiers": [{"up_to_kwh": "10", "price_yuan_per_kwh": "0.1"}]}, "tariff.tiers.0.up_to_kwh"),
        ({"cycle_start_month": 13}, "tariff.cycle_start_month"),
        ({"free_kwh_per_month": {"low_income": "ten"}}, "tariff.free_kwh_per_month.low_income"),
    ],
)
def test_a_bad_schedule_names_the_field(change, field):
    with pytest.raises(kernel.ScheduleError) as caught:
        kernel.schedule_from_dict({**GUIZHOU, **change})
    assert caught.value.field == field


def test_the_export_format_round_trips():
    schedule = kernel.schedule_from_dict(GUANGDONG)
    assert kernel.schedule_from_dict(kernel.schedule_to_dict(schedule)) == schedule


def _kernel_amounts(schedule, tiers, ytd, kwh, free):
    bounds, prices = kernel.tier_arrays(tiers)
    return kernel.bill_kernel(
        np.array(ytd, np.int64), np.array(kwh, np.int64), np.array(free, np.int64), bounds, prices
    )


milli = st.integers(min_value=0, max_value=6_000_000)


@settings(max_examples=300, deadline=None)
@given(
    ytd=milli,
    kwh=milli,
    free=st.sampled_from([0, 10_000, 15_000]),
    prices=st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=3, max_size=3),
    bounds=st.lists(st.integers(min_value=1, max_value=5_000_000), min_size=2, max_size=2, unique=True),
)
def test_the_kernel_matches_the_decimal_reference_to_the_fen(ytd, kwh, free, prices, bounds):
    bounds = sorted(bounds)
    raw = {
        "cycle": "annual",
        "tiers": [
            {
                "up_to_kwh": str(Decimal(bounds[0]) / 1000),
                "price_yuan_per_kwh": str(Decimal(prices[0]) / 10**6),
            },
            {
                "up_to_kwh": str(Decimal(bounds[1]) / 1000),
                "price_yuan_per_kwh": str(Decimal(prices[1]) / 10**6),
            },
            {"up_to_kwh": None, "price_yuan_per_kwh": str(Decimal(prices[2]) / 10**6)},
        ],
        "free_kwh_per_month": {"low_income": str(Decimal(free) / 1000)},
    }
    schedule = kernel.schedule_from_dict(raw)
    reference = kernel.quote(
        schedule,
        year_to_date_kwh=Decimal(ytd) / 1000,
        kwh=Decimal(kwh) / 1000,
        on_date=DAY,
        tags=["low_income"],
    )
    result = _kernel_amounts(schedule, schedule.tiers, [ytd], [kwh], [free])
    assert int(result.amount_fen[0]) == int(reference.amount_yuan * 100)
    assert int(result.tier_after[0]) == reference.tier_after
    left = int(result.left_milli[0])
    assert (None if left < 0 else Decimal(left) / 1000) == reference.kwh_left_in_tier
    paid = {line.tier: line for line in reference.lines if line.tier}
    for tier in range(3):
        line = paid.get(tier + 1)
        assert int(result.kwh_milli[0, tier]) == (int(line.kwh * 1000) if line else 0)
        assert int(result.line_fen[0, tier]) == (int(line.amount_yuan * 100) if line else 0)
    plain = python_loop_amounts_fen(
        np.array([ytd]), np.array([kwh]), np.array([free]), *kernel.tier_arrays(schedule.tiers)
    )
    totals = bill_amounts_fen(
        np.array([ytd]), np.array([kwh]), np.array([free]), *kernel.tier_arrays(schedule.tiers)
    )
    assert plain == [int(result.amount_fen[0])] == totals.tolist()


@settings(max_examples=100, deadline=None)
@given(
    ytd=st.decimals(min_value=0, max_value=5000, places=3),
    first=st.decimals(min_value=0, max_value=2000, places=3),
    second=st.decimals(min_value=0, max_value=2000, places=3),
)
def test_splitting_a_bill_in_two_never_changes_the_kwh_per_tier(ytd, first, second):
    schedule = kernel.schedule_from_dict(GUIZHOU)
    whole = kernel.quote(schedule, year_to_date_kwh=ytd, kwh=first + second, on_date=DAY)
    a = kernel.quote(schedule, year_to_date_kwh=ytd, kwh=first, on_date=DAY)
    b = kernel.quote(schedule, year_to_date_kwh=ytd + first, kwh=second, on_date=DAY)
    per_tier = {}
    for line in a.lines + b.lines:
        per_tier[line.tier] = per_tier.get(line.tier, 0) + line.kwh
    assert per_tier == {line.tier: line.kwh for line in whole.lines}
    assert abs(a.amount_yuan + b.amount_yuan - whole.amount_yuan) <= Decimal("0.02")
    if second:
        assert whole.tier_after == b.tier_after


def test_the_kernel_leaves_its_inputs_alone():
    ytd, kwh, free = np.array([2000], np.int64), np.array([100_000], np.int64), np.array([10_000], np.int64)
    bounds, prices = kernel.tier_arrays(kernel.schedule_from_dict(GUIZHOU).tiers)
    kernel.bill_kernel(ytd, kwh, free, bounds, prices)
    assert ytd.tolist() == [2000] and kwh.tolist() == [100_000] and free.tolist() == [10_000]


def test_the_blocked_kernels_agree_with_the_plain_loop_across_block_boundaries():
    rng = np.random.default_rng(3)
    n = kernel.BLOCK * 2 + 5
    ytd, kwh = rng.integers(0, 4_000_000, n), rng.integers(0, 600_000, n)
    free = np.where(rng.random(n) < 0.1, 10_000, 0)
    bounds, prices = kernel.tier_arrays(kernel.schedule_from_dict(GUIZHOU).tiers)
    full = kernel.bill_kernel(ytd, kwh, free, bounds, prices)
    totals = bill_amounts_fen(ytd, kwh, free, bounds, prices)
    assert (
        full.amount_fen.tolist() == totals.tolist() == python_loop_amounts_fen(ytd, kwh, free, bounds, prices)
    )
    assert (full.line_fen.sum(axis=1) == full.amount_fen).all()


@pytest.mark.parametrize(
    ("change", "code", "params"),
    [
        (
            {
                "tiers": [
                    {"up_to_kwh": "1e20", "price_yuan_per_kwh": "0.5"},
                    {"up_to_kwh": None, "price_yuan_per_kwh": "1"},
                ]
            },
            "too_large",
            {"limit": kernel.MAX_BOUND_KWH},
        ),
        (
            {
                "tiers": [
                    {"up_to_kwh": "10.12345", "price_yuan_per_kwh": "0.5"},
                    {"up_to_kwh": None, "price_yuan_per_kwh": "1"},
                ]
            },
            "too_many_places",
            {"places": 3},
        ),
        ({"cycle": "weekly"}, "bad_cycle", {}),
    ],
)
def test_schedule_errors_carry_a_machine_readable_code_and_its_figures(change, code, params):
    with pytest.raises(kernel.ScheduleError) as caught:
        kernel.schedule_from_dict({**GUIZHOU, **change})
    assert (caught.value.code, caught.value.params) == (code, params)


def test_a_schedule_at_the_limits_prices_without_overflow_exactly_as_the_reference():
    limit_tiers = (
        kernel.Tier(kernel.MAX_BOUND_KWH, kernel.MAX_PRICE_YUAN_PER_KWH),
        kernel.Tier(None, kernel.MAX_PRICE_YUAN_PER_KWH),
    )
    ytd_kwh, kwh = kernel.MAX_BOUND_KWH - kernel.MAX_BILL_KWH // 2, kernel.MAX_BILL_KWH
    bounds, prices = kernel.tier_arrays(limit_tiers)
    result = kernel.bill_kernel(
        np.array([int(ytd_kwh * 1000)]), np.array([int(kwh * 1000)]), np.array([0]), bounds, prices
    )
    assert int(result.amount_fen[0]) == int(kwh * kernel.MAX_PRICE_YUAN_PER_KWH * 100)
    assert result.kwh_milli[0].tolist() == [int(kwh * 500), int(kwh * 500)]
