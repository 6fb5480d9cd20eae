import pytest

from powerexpress.billing.models import TariffSchedule
from powerexpress.billing.shipped import load_shipped


@pytest.fixture
def schedules(transactional_db):
    """The shipped schedules, for transactional tests: an earlier transactional test empties every
    table, including the rows the data migration loaded."""
    load_shipped(TariffSchedule)
