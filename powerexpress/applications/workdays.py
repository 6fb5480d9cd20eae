"""Working-day arithmetic on the official Chinese calendar (pure: no Django).

Public holidays and the official make-up workdays (调休) come from the maintained
``chinese-calendar`` package, never from a table of our own. For a year the installed package
does not know yet, the bureau may enter the State Council's notice for that year (its holidays
and make-up workdays, :func:`use_official_notices`); a year neither knows falls back to "Monday
to Friday without the holidays the law fixes every year" (:func:`law_holidays`) and says so: the
result is then marked ``estimated`` so pages and the API can warn that the official holiday
notice for that year must be checked (it adds bridging days and make-up workdays).
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _calendar_data
from lunardate import LunarDate

KNOWN_FIRST_YEAR = min(day.year for day in _calendar_data.holidays)
KNOWN_LAST_YEAR = max(day.year for day in _calendar_data.holidays)


@dataclass(frozen=True)
class DueDate:
    """A due date and whether any day counted lies beyond the calendar's known years."""

    on: datetime.date
    estimated: bool


_official: dict[int, tuple[frozenset, frozenset]] = {}


def use_official_notices(notices: Mapping[int, tuple]) -> None:
    """Use the holidays and make-up workdays of the official notices the bureau entered, per year
    (``{year: (holidays, makeup_workdays)}``), for years the package does not know; the package
    stays authoritative for its own years."""
    global _official
    new = {
        year: (frozenset(holidays), frozenset(makeup))
        for year, (holidays, makeup) in notices.items()
        if not KNOWN_FIRST_YEAR <= year <= KNOWN_LAST_YEAR
    }
    if new != _official:
        _official = new
        is_working_day.cache_clear()


def is_known_year(day: datetime.date) -> bool:
    return KNOWN_FIRST_YEAR <= day.year <= KNOWN_LAST_YEAR or day.year in _official


def last_known_year() -> int:
    """The last year of the unbroken run of known years (package, then entered notices)."""
    year = KNOWN_LAST_YEAR
    while year + 1 in _official:
        year += 1
    return year


@lru_cache(maxsize=64)
def law_holidays(year: int) -> frozenset[datetime.date]:
    """The days 《全国年节及纪念日放假办法》 (2024 revision, art. 2) makes holidays every year:
    元旦 1 Jan; 春节 除夕 and 正月初一–初三; 清明 (the day of the solar term); 劳动节 1–2 May;
    端午 (五月初五); 中秋 (八月十五); 国庆 1–3 Oct. Lunar dates through ``lunardate``; the 清明
    solar term through ``chinese_calendar``'s solar-term computation. 除夕 is the day before
    正月初一 (the 29th or the 30th of the twelfth month), so it may fall in the previous year."""
    days = {datetime.date(year, 1, 1), datetime.date(year, 5, 1), datetime.date(year, 5, 2)}
    days.update(datetime.date(year, 10, day) for day in (1, 2, 3))
    for lunar_year in (year, year + 1):
        new_year = LunarDate(lunar_year, 1, 1).to_solar_date()
        days.update(new_year + datetime.timedelta(days=n) for n in range(-1, 3))
    days.add(LunarDate(year, 5, 5).to_solar_date())
    days.add(LunarDate(year, 8, 15).to_solar_date())
    days.add(qingming(year))
    return frozenset(day for day in days if day.year == year)


def qingming(year: int) -> datetime.date:
    """The day of the 清明 solar term (the sun at 15° ecliptic longitude, Beijing time)."""
    terms = chinese_calendar.get_solar_terms(datetime.date(year, 4, 1), datetime.date(year, 4, 10))
    return next(day for day, name in terms if name.startswith("清明"))


@lru_cache(maxsize=8192)
def is_working_day(day: datetime.date) -> tuple[bool, bool]:
    """(is a working day, was it estimated) for one date (cached; cleared when notices change)."""
    if KNOWN_FIRST_YEAR <= day.year <= KNOWN_LAST_YEAR:
        return chinese_calendar.is_workday(day), False
    if day.year in _official:
        holidays, makeup = _official[day.year]
        return day in makeup or (day.weekday() < 5 and day not in holidays), False
    return day.weekday() < 5 and day not in law_holidays(day.year), True


_SEPARATORS = re.compile(r"[\s,，、;；]+")
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:(?:\.\.|~|～|至|到)(\d{4}-\d{1,2}-\d{1,2}))?$")


def parse_days(text: str) -> tuple[list[datetime.date], list[str]]:
    """Dates written as ``2027-02-05``, ranges as ``2027-02-05..2027-02-11`` (or ``~``, ``至``),
    separated by commas, 、, semicolons or new lines: (sorted dates, the pieces that are not dates).
    Spaces around a range's ``至`` are allowed."""
    days: set[datetime.date] = set()
    bad: list[str] = []
    text = re.sub(r"\s*(\.\.|~|～|至|到)\s*", r"\1", text or "")
    for piece in filter(None, _SEPARATORS.split(text.strip())):
        match = _RANGE.match(piece)
        try:
            first = datetime.date.fromisoformat(_padded(match.group(1))) if match else None
            last = datetime.date.fromisoformat(_padded(match.group(2))) if match and match.group(2) else first
        except ValueError:
            first = last = None
        if first is None or last < first or (last - first).days > 31:
            bad.append(piece)
            continue
        days.update(first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
    return sorted(days), bad


def _padded(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


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
