"""Managers enter the official holiday notice for a year the installed calendar does not know."""

import datetime

import pytest
import time_machine
from django.utils import translation

from powerexpress.applications.calendar import add_working_days
from powerexpress.applications.models import Application, HolidayNotice
from powerexpress.applications.selectors import time_limit_for
from powerexpress.applications.services import application_submit, application_withdraw, holiday_notice_save
from powerexpress.applications.tests.factories import application_body
from powerexpress.applications.workdays import KNOWN_LAST_YEAR
from powerexpress.core.errors import FieldError

pytestmark = pytest.mark.django_db
YEAR = KNOWN_LAST_YEAR + 1
D = datetime.date
TZ = datetime.timezone(datetime.timedelta(hours=8))


def saturdays(year, month):
    return [D(year, month, day) for day in range(1, 29) if D(year, month, day).weekday() == 5]


def notice_values(**overrides):
    values = {
        "year": YEAR,
        "holidays": f"{YEAR}-01-01, {YEAR}-02-03..{YEAR}-02-12",
        "makeup_workdays": saturdays(YEAR, 2)[-1].isoformat(),
        "source": f"国务院办公厅关于{YEAR}年部分节假日安排的通知",
    }
    values.update(overrides)
    return values


def test_a_saved_notice_makes_due_dates_in_that_year_exact(world):
    before = D(YEAR, 1, 29)
    with time_machine.travel(datetime.datetime(before.year, before.month, before.day, 10, tzinfo=TZ)):
        estimated, _created = application_submit(raw=application_body())
        holiday_notice_save(user=world.users["manager"], **notice_values())
        exact, _created = application_submit(raw=application_body(phone="13912345678"))
    assert estimated.due_dates_estimated is True
    assert exact.due_dates_estimated is False
    assert exact.plan_due_on > estimated.plan_due_on  # the festival holiday is skipped now
    assert HolidayNotice.objects.get(year=YEAR).holidays.startswith(f"{YEAR}-01-01, {YEAR}-02-03")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", KNOWN_LAST_YEAR, "knows the years up to"),
        ("holidays", "", "Enter the public holidays"),
        ("holidays", f"{YEAR}-02-30", "Not a date"),
        ("holidays", f"{YEAR + 1}-01-01", "must lie in"),
        ("makeup_workdays", f"{YEAR}-03-03..{YEAR}-03-05", "Saturday or Sunday"),
        ("source", " ", "Name the notice"),
    ],
)
def test_a_bad_notice_names_the_field(world, field, value, message):
    with translation.override("en"), pytest.raises(FieldError) as caught:
        holiday_notice_save(user=world.users["manager"], **notice_values(**{field: value}))
    errors = {item["field"]: item["message"] for item in caught.value.errors}
    assert message in errors[field]
    assert not HolidayNotice.objects.exists()


def test_a_day_cannot_be_both_holiday_and_make_up_day(world):
    saturday = saturdays(YEAR, 2)[-1].isoformat()
    with pytest.raises(FieldError) as caught:
        holiday_notice_save(
            user=world.users["manager"], **notice_values(holidays=saturday, makeup_workdays=saturday)
        )
    assert caught.value.errors[0]["field"] == "makeup_workdays"


def test_only_a_manager_enters_a_notice_on_the_settings_page(world):
    data = notice_values()
    assert world.web("clerk_a").post("/applications/settings/holidays/", data).status_code == 403
    response = world.web("manager").post("/applications/settings/holidays/", {**data, "holidays": "soon"})
    assert response.status_code == 422 and "Not a date" in response.content.decode()
    assert world.web("manager").post("/applications/settings/holidays/", data).status_code == 302
    page = world.web("manager").get("/applications/settings/").content.decode()
    assert data["source"] in page and f"{YEAR}-02-12" in page


def test_saving_a_notice_recounts_the_due_dates_of_open_applications_in_that_year(world):
    received = D(YEAR - 1, 12, 30)
    with time_machine.travel(datetime.datetime(received.year, 12, 30, 10, tzinfo=TZ)):
        open_one, _created = application_submit(raw=application_body())
        closed, _created = application_submit(raw=application_body(phone="13912345678"))
        application_withdraw(user=None, application=closed)
        holiday_notice_save(
            user=world.users["manager"], **notice_values(holidays=f"{YEAR}-01-01..{YEAR}-01-04")
        )
        limit = time_limit_for(open_one.kind)
        expected_plan = add_working_days(received, limit.plan_reply_days)
        expected_connect = add_working_days(expected_plan.on, limit.install_days)
    recounted = Application.objects.get(pk=open_one.pk)
    assert open_one.due_dates_estimated and not expected_plan.estimated
    assert (recounted.plan_due_on, recounted.connect_due_on, recounted.due_on) == (
        expected_plan.on,
        expected_connect.on,
        expected_plan.on,
    )
    # The estimate already skipped 1 January (the law's); the notice's bridging days add to it.
    assert recounted.plan_due_on > open_one.plan_due_on
    assert recounted.due_dates_estimated is False
    untouched = Application.objects.get(pk=closed.pk)
    assert untouched.due_dates_estimated is True
