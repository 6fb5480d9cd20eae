"""Working days on the official calendar (no database needed)."""

import datetime

from powerexpress.applications.workdays import (
    KNOWN_LAST_YEAR,
    add_working_days,
    is_working_day,
    last_known_year,
    parse_days,
    use_official_notices,
    working_days_between,
)

D = datetime.date


def test_three_working_days_across_the_2026_spring_festival_count_the_saturday_make_up_day():
    # Fri 13 Feb; Sat 14 Feb is an official make-up workday; 15–23 Feb is the holiday.
    due = add_working_days(D(2026, 2, 13), 3)
    assert due.on == D(2026, 2, 25)
    assert due.estimated is False


def test_three_working_days_across_the_2025_spring_festival_count_the_sunday_make_up_day():
    # Sun 26 Jan 2025 is a make-up workday; 28 Jan – 4 Feb is the holiday.
    assert add_working_days(D(2025, 1, 24), 3).on == D(2025, 2, 5)


def test_seven_working_days_across_the_2025_national_day_holiday():
    # 1–8 Oct 2025 holiday, Sat 11 Oct make-up workday.
    assert add_working_days(D(2025, 9, 30), 3).on == D(2025, 10, 11)
    assert add_working_days(D(2025, 9, 26), 7).on == D(2025, 10, 13)


def test_the_2026_national_day_holiday_and_its_make_up_saturday():
    assert is_working_day(D(2026, 10, 5)) == (False, False)
    assert is_working_day(D(2026, 10, 10)) == (True, False)
    assert add_working_days(D(2026, 9, 30), 3).on == D(2026, 10, 10)


def test_an_application_received_on_a_holiday_starts_counting_on_the_next_working_day():
    assert add_working_days(D(2026, 2, 17), 1).on == D(2026, 2, 24)


def test_dates_beyond_the_calendars_known_years_fall_back_to_weekdays_and_say_so():
    year = KNOWN_LAST_YEAR + 1
    due = add_working_days(D(KNOWN_LAST_YEAR, 12, 30), 3)
    assert due.estimated is True
    assert due.on.year == year
    assert is_working_day(D(year, 1, 4)) == (D(year, 1, 4).weekday() < 5, True)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 25)) == 3
    assert working_days_between(D(2026, 2, 25), D(2026, 2, 13)) == -3
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


def test_an_entered_notice_makes_a_later_year_exact_holidays_and_make_up_days_included():
    year = KNOWN_LAST_YEAR + 1
    saturday = next(D(year, 2, day) for day in range(1, 8) if D(year, 2, day).weekday() == 5)
    monday = saturday + datetime.timedelta(days=2)
    use_official_notices({year: ([monday, monday + datetime.timedelta(days=1)], [saturday])})
    assert last_known_year() == year
    assert is_working_day(saturday) == (True, False)
    assert is_working_day(monday) == (False, False)
    due = add_working_days(
        saturday - datetime.timedelta(days=1), 2
    )  # Fri → Sat (make-up), skip Mon+Tue → Wed
    assert (due.on, due.estimated) == (monday + datetime.timedelta(days=2), False)
    use_official_notices({})
    assert is_working_day(saturday) == (False, True)


def test_a_notice_never_overrides_a_year_the_package_knows():
    use_official_notices({2026: ([D(2026, 3, 2)], [])})
    assert is_working_day(D(2026, 3, 2)) == (True, False)


def test_dates_and_ranges_are_read_from_a_pasted_notice():
    days, bad = parse_days("2027-01-01、2027-02-05 至 2027-02-07\n2027-4-5; 2027-13-01, 春节")
    assert days == [D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 4, 5)]
    assert bad == ["2027-13-01", "春节"]
