"""The pure computations: money text, visit due dates, Gantt bars and calendar weeks."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerexpress.outreach.calc import (
    fen_to_yuan,
    gantt_bar,
    interval_for,
    month_weeks,
    percent,
    shift_month,
    visit_due,
    yuan_to_fen,
)

D = datetime.date


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_fen_survive_a_round_trip_through_yuan_text(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


@pytest.mark.parametrize("text", ["abc", "1.234", "NaN", "Infinity"])
def test_amounts_that_are_not_yuan_are_refused(text):
    with pytest.raises(ValueError):
        yuan_to_fen(text)


def test_an_empty_amount_is_zero():
    assert yuan_to_fen("") == 0 and yuan_to_fen("12.5") == 1250


def test_a_household_never_visited_is_due_now():
    due = visit_due(last_visited_on=None, interval_days=30, today=D(2026, 11, 27), soon_days=7)
    assert due.state == "never" and due.next_due_on is None


@pytest.mark.parametrize(
    "last,state,late",
    [
        (D(2026, 10, 1), "overdue", 27),
        (D(2026, 10, 28), "due", 0),
        (D(2026, 11, 1), "soon", -4),
        (D(2026, 11, 20), "ok", -23),
    ],
)
def test_visit_state_follows_the_interval(last, state, late):
    due = visit_due(last_visited_on=last, interval_days=30, today=D(2026, 11, 27), soon_days=7)
    assert (due.state, due.days_overdue) == (state, late)


def test_the_tightest_tag_sets_the_interval():
    assert interval_for(["low_income", "empty_nest"], {"low_income": 90, "empty_nest": 30}) == 30
    assert interval_for(["other"], {"low_income": 90}) is None


def test_a_bar_inside_the_window_is_placed_in_proportion():
    bar = gantt_bar(D(2026, 1, 11), D(2026, 1, 20), D(2026, 1, 1), D(2026, 1, 31))
    assert bar.left_percent == pytest.approx(10 / 31 * 100, abs=0.001)
    assert bar.width_percent == pytest.approx(10 / 31 * 100, abs=0.001)
    assert not bar.clipped_start and not bar.clipped_end


def test_a_bar_overlapping_the_window_is_clipped_and_one_outside_is_dropped():
    bar = gantt_bar(D(2025, 12, 1), D(2026, 2, 1), D(2026, 1, 1), D(2026, 1, 31))
    assert (bar.left_percent, bar.width_percent, bar.clipped_start, bar.clipped_end) == (0, 100, True, True)
    assert gantt_bar(D(2026, 3, 1), D(2026, 3, 5), D(2026, 1, 1), D(2026, 1, 31)) is None


def test_calendar_weeks_start_on_monday_and_cover_the_month():
    weeks = month_weeks(2026, 2)
    assert weeks[0][0].weekday() == 0 and weeks[0][0] <= D(2026, 2, 1) and weeks[-1][-1] >= D(2026, 2, 28)
    assert shift_month(2026, 1, -1) == (2025, 12) and shift_month(2026, 12, 1) == (2027, 1)


def test_a_percentage_of_nothing_is_none():
    assert percent(1, 0) is None and percent(1, 4) == 25.0
