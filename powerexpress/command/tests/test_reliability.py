"""Reliability indices checked against values worked by hand from the definitions (DOMAIN.md §10)."""

import pytest

from powerexpress.analytics.reliability import (
    ALL,
    PLANNED,
    UNPLANNED,
    Interruption,
    reliability_by_kind,
    reliability_indices,
)

# A 30-day month (720 h) on 1,000 customers:
#   unplanned: 200 customers for 90 min, 50 customers for 30 min, 300 customers for 3 min (momentary);
#   planned:   100 customers for 240 min.
MONTH_HOURS = 30 * 24
EVENTS = [
    Interruption(customers=200, duration_min=90, planned=False),
    Interruption(customers=50, duration_min=30, planned=False),
    Interruption(customers=300, duration_min=3, planned=False),
    Interruption(customers=100, duration_min=240, planned=True),
]


def test_saifi_saidi_and_caidi_follow_ieee_1366_on_a_worked_month():
    result = reliability_by_kind(EVENTS, customers_served=1000, period_hours=MONTH_HOURS)[ALL]
    # Sustained only: 200 + 50 + 100 = 350 customers interrupted; the 3-minute one is momentary.
    assert result.interruptions == 3
    assert result.customers_interrupted == 350
    # 200·90 + 50·30 + 100·240 = 18,000 + 1,500 + 24,000 = 43,500 customer-minutes.
    assert result.customer_minutes == pytest.approx(43_500)
    assert result.saifi == pytest.approx(0.35)
    assert result.saidi_min == pytest.approx(43.5)
    # CAIDI = 43.5 / 0.35 = 124.2857… minutes per interruption.
    assert result.caidi_min == pytest.approx(124.285714, rel=1e-6)


def test_rs1_and_aihc1_follow_the_chinese_definitions_on_a_worked_month():
    result = reliability_by_kind(EVENTS, customers_served=1000, period_hours=MONTH_HOURS)[ALL]
    # 43,500 customer-minutes = 725 customer-hours; AIHC-1 = 725 / 1000 = 0.725 h.
    assert result.aihc1_h == pytest.approx(0.725)
    # RS-1 = (1 − 725 / (1000 · 720)) · 100 = 99.899305…%.
    assert result.rs1_pct == pytest.approx(99.8993055, rel=1e-9)


def test_planned_and_unplanned_are_counted_separately():
    result = reliability_by_kind(EVENTS, customers_served=1000, period_hours=MONTH_HOURS)
    assert result[PLANNED].saifi == pytest.approx(0.1)
    assert result[PLANNED].saidi_min == pytest.approx(24.0)
    assert result[PLANNED].caidi_min == pytest.approx(240.0)
    assert result[UNPLANNED].saifi == pytest.approx(0.25)
    # (18,000 + 1,500) / 1000 = 19.5 min; CAIDI 19.5 / 0.25 = 78 min.
    assert result[UNPLANNED].saidi_min == pytest.approx(19.5)
    assert result[UNPLANNED].caidi_min == pytest.approx(78.0)
    # Planned + unplanned add up to the whole for the additive indices.
    assert result[PLANNED].saidi_min + result[UNPLANNED].saidi_min == pytest.approx(result[ALL].saidi_min)


def test_an_interruption_of_exactly_five_minutes_is_momentary_and_one_just_longer_is_sustained():
    five = reliability_indices(
        [Interruption(customers=10, duration_min=5, planned=False)], customers_served=100, period_hours=24
    )
    longer = reliability_indices(
        [Interruption(customers=10, duration_min=5.5, planned=False)], customers_served=100, period_hours=24
    )
    assert five.interruptions == 0 and five.saifi == 0 and five.caidi_min is None and five.rs1_pct == 100
    assert longer.saifi == pytest.approx(0.1)
    assert longer.saidi_min == pytest.approx(0.55)


def test_no_customers_served_gives_no_index_instead_of_a_division_error():
    result = reliability_indices(EVENTS, customers_served=0, period_hours=MONTH_HOURS)
    assert (result.saifi, result.saidi_min, result.caidi_min, result.rs1_pct, result.aihc1_h) == (None,) * 5


def test_a_quiet_period_is_fully_reliable():
    result = reliability_indices([], customers_served=500, period_hours=MONTH_HOURS)
    assert result.saifi == 0 and result.saidi_min == 0 and result.rs1_pct == 100 and result.aihc1_h == 0
