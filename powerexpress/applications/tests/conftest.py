import pytest

from powerexpress.applications import workdays


@pytest.fixture(autouse=True)
def no_holiday_notices_left_behind():
    """Entered holiday notices live in the calendar module as well as in the database: each test
    starts and ends without them."""
    workdays.use_official_notices({})
    yield
    workdays.use_official_notices({})
