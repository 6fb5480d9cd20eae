"""Row locks on PostgreSQL: two clerks handing out a campaign's last money at the same moment."""

import datetime
import threading

import pytest
from django.db import connection

from powerexpress.core.errors import ApiError
from powerexpress.outreach import services
from powerexpress.outreach.choices import BeneficiaryKind
from powerexpress.outreach.models import Distribution

D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_distributions_never_spend_more_than_was_donated(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    user = world.users["clerk_a"]
    drive = services.charity_campaign_create(
        user=user, station=world.station_a, title="爱心包裹", starts_on=D(2026, 9, 1), ends_on=D(2026, 12, 31)
    )
    services.donation_record(
        user=user, campaign=drive, donor="职工", donated_on=D(2026, 9, 2), amount_fen=10_000
    )
    children = [
        services.beneficiary_create(
            user=user, village=world.village_a, name=name, kind=BeneficiaryKind.STUDENT
        )
        for name in ("甲", "乙")
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def give(child):
        barrier.wait()
        try:
            services.distribution_record(
                user=user, campaign=drive, beneficiary=child, given_on=D(2026, 10, 1), amount_fen=8_000
            )
            outcomes.append("ok")
        except ApiError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=give, args=(child,)) for child in children]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Distribution.objects.count() == 1
