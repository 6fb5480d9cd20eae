"""The working-day calendar as the application workflow uses it: the arithmetic of
:mod:`powerexpress.applications.workdays` with the holiday notices managers entered (read at each
call, so every process sees a notice as soon as it is saved). A loop over many dates calls
:func:`sync` once and then the pure functions of ``workdays``."""

import datetime

from powerexpress.applications import workdays
from powerexpress.applications.models import HolidayNotice
from powerexpress.applications.workdays import DueDate


def sync() -> None:
    notices = {}
    for year, holidays, makeup in HolidayNotice.objects.values_list("year", "holidays", "makeup_workdays"):
        notices[year] = (workdays.parse_days(holidays)[0], workdays.parse_days(makeup)[0])
    workdays.use_official_notices(notices)


def add_working_days(start: datetime.date, days: int) -> DueDate:
    sync()
    return workdays.add_working_days(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    sync()
    return workdays.working_days_between(start, end)


def is_known_year(day: datetime.date) -> bool:
    sync()
    return workdays.is_known_year(day)


def last_known_year() -> int:
    sync()
    return workdays.last_known_year()
