"""Working-day arithmetic on the official Chinese calendar (pure: no Django).

Public holidays and the official make-up workdays (调休) come from the maintained
``chinese-calendar`` package, never from a table of our own. For a date beyond the years the
installed package knows, the count falls back to "Monday to Friday" and says so: the result is
then marked ``estimated`` so pages and the API can warn that the official holiday notice for
that year must be checked.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _calendar_data

KNOWN_FIRST_YEAR = min(day.year for day in _calendar_data.holidays)
KNOWN_LAST_YEAR = max(day.year for day in _calendar_data.holidays)


@dataclass(frozen=True)
class DueDate:
    """A due date and whether any day counted lies beyond the calendar's known years."""

    on: datetime.date
    estimated: bool


def is_known_year(day: datetime.date) -> bool:
    return KNOWN_FIRST_YEAR <= day.year <= KNOWN_LAST_YEAR


@lru_cache(maxsize=8192)
def is_working_day(day: datetime.date) -> tuple[bool, bool]:
    """(is a working day, was it estimated) for one date (cached: the calendar is fixed per install)."""
    if is_known_year(day):
        return chinese_calendar.is_workday(day), False
    return day.weekday() < 5, True


def add_working_days(start: datetime.date, days: int) -> DueDate:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    day, counted, estimated = start, 0, False
    while counted < days:
        day += datetime.timedelta(days=1)
        working, guessed = is_working_day(day)
        estimated = estimated or guessed
        counted += working
    return DueDate(day, estimated)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    day, count = start, 0
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)[0]
    return count
