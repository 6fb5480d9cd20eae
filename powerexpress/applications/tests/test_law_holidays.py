"""The holidays the law fixes every year, used for years neither the calendar package nor a
manager's notice covers. Expected dates are those of the almanac (the Chinese calendar), not our
code's: 《全国年节及纪念日放假办法》 (2024 revision) art. 2."""

import datetime

import chinese_calendar
import pytest

from powerexpress.applications import workdays

D = datetime.date

# 清明 from the almanac (the sun at 15° ecliptic longitude, Beijing time).
QINGMING = {
    2020: D(2020, 4, 4),
    2021: D(2021, 4, 4),
    2022: D(2022, 4, 5),
    2023: D(2023, 4, 5),
    2024: D(2024, 4, 4),
    2025: D(2025, 4, 4),
    2026: D(2026, 4, 5),
    2027: D(2027, 4, 5),
    2028: D(2028, 4, 4),
    2029: D(2029, 4, 4),
    2030: D(2030, 4, 5),
}

# 2027: 春节 (正月初一) 6 Feb, so 除夕 5 Feb; 端午 9 Jun; 中秋 15 Sep.
LAW_2027 = {
    D(2027, 1, 1),
    D(2027, 2, 5),
    D(2027, 2, 6),
    D(2027, 2, 7),
    D(2027, 2, 8),
    D(2027, 4, 5),
    D(2027, 5, 1),
    D(2027, 5, 2),
    D(2027, 6, 9),
    D(2027, 9, 15),
    D(2027, 10, 1),
    D(2027, 10, 2),
    D(2027, 10, 3),
}

# 2028: 春节 26 Jan (除夕 25 Jan); 清明 4 Apr; 端午 28 May; 中秋 3 Oct, inside 国庆.
LAW_2028 = {
    D(2028, 1, 1),
    D(2028, 1, 25),
    D(2028, 1, 26),
    D(2028, 1, 27),
    D(2028, 1, 28),
    D(2028, 4, 4),
    D(2028, 5, 1),
    D(2028, 5, 2),
    D(2028, 5, 28),
    D(2028, 10, 1),
    D(2028, 10, 2),
    D(2028, 10, 3),
}


@pytest.mark.parametrize("year", sorted(QINGMING))
def test_qingming_falls_on_the_almanacs_day(year):
    assert workdays.qingming(year) == QINGMING[year]


def test_the_law_fixes_thirteen_holidays_in_2027():
    assert workdays.law_holidays(2027) == LAW_2027


def test_a_mid_autumn_inside_the_national_day_holiday_adds_no_day():
    assert workdays.law_holidays(2028) == LAW_2028


def test_a_new_years_eve_in_the_previous_lunar_month_stays_in_its_own_year():
    # 2031: 正月初一 23 Jan, 除夕 22 Jan; the 2032 除夕 (10 Feb 2032) is not a 2031 holiday.
    days = workdays.law_holidays(2031)
    assert {D(2031, 1, 22), D(2031, 1, 23), D(2031, 1, 24), D(2031, 1, 25)} <= days
    assert all(day.year == 2031 for day in days)


@pytest.mark.parametrize("year", range(2020, 2027))
def test_every_law_holiday_is_a_holiday_in_the_official_notices_of_known_years(year):
    """Before the 2024 revision (in force from 2025) 除夕 and 2 May were not fixed by the law,
    and the 2024 notice made 除夕 (9 Feb) a working day, so those two are left out before 2025."""
    new_years_eve = workdays.LunarDate(year, 1, 1).to_solar_date() - datetime.timedelta(days=1)
    for day in workdays.law_holidays(year):
        if year < 2025 and (day == D(year, 5, 2) or day == new_years_eve):
            continue
        assert chinese_calendar.is_holiday(day), day


def test_an_unknown_year_skips_the_law_holidays_and_stays_an_estimate():
    workdays.use_official_notices({})
    working, estimated = workdays.is_working_day(D(2027, 2, 8))  # a Monday, 初三
    assert (working, estimated) == (False, True)
    assert workdays.is_working_day(D(2027, 2, 9)) == (True, True)  # Tuesday after the festival
    assert workdays.is_working_day(D(2027, 10, 1)) == (False, True)  # a Friday, 国庆


def test_a_due_date_over_the_2027_spring_festival_counts_past_it():
    workdays.use_official_notices({})
    # From Wednesday 3 Feb 2027: Thu 4, then Fri 5 (除夕) – Mon 8 (初三) are holidays; Tue 9, Wed 10.
    due = workdays.add_working_days(D(2027, 2, 3), 3)
    assert due == workdays.DueDate(D(2027, 2, 10), True)
