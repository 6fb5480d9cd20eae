"""The signed-up KPI reads aggregates (``billing.kpis``): after every kind of change — a sign-up,
a request confirmed, a cancellation, an agreement deleted, a household added, moved or closed,
bills written — they equal a fresh count of the agreements and households."""

import datetime

import pytest
import time_machine

from powerexpress.billing import kpis
from powerexpress.billing.choices import AgreementStatus
from powerexpress.billing.models import Agreement, SignupMonth, StationHouseholds
from powerexpress.billing.services import (
    agreement_cancel,
    agreement_confirm,
    agreement_request_create,
    agreement_sign,
    billing_run_start,
)
from powerexpress.billing.tests.helpers import import_readings
from powerexpress.registry.models import Customer

pytestmark = pytest.mark.django_db
D = datetime.date
MONTHS = [D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)]


def fresh(world) -> list[tuple]:
    """Counted from the rows, month by month, as the rule says: signed by the month's end and not
    cancelled by then."""
    rows = []
    for station in (world.station_a, world.station_b):
        households = Customer.objects.filter(village__station=station).count()
        for month in MONTHS:
            end = (month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
            signed = (
                Agreement.objects.filter(customer__village__station=station, signed_on__lte=end)
                .exclude(status=AgreementStatus.PENDING)
                .exclude(cancelled_on__lte=end)
                .count()
            )
            rows.append((station.code, households, month, signed))
    return rows


def kept(world) -> list[tuple]:
    return [
        (row["station"].code, row["households"], cell["month"], cell["signed"])
        for row in kpis.signup_kpis(world.users["manager"], MONTHS)
        for cell in row["months"]
    ]


def assert_kept_equals_fresh(world):
    assert kept(world) == fresh(world)
    months = sorted(
        SignupMonth.objects.exclude(net_signed=0).values_list("station_id", "month", "net_signed")
    )
    kpis.signup_totals_rebuild()
    assert sorted(SignupMonth.objects.values_list("station_id", "month", "net_signed")) == months


def sign(world, customer, day):
    return agreement_sign(
        user=world.users["manager"],
        customer=customer,
        bank_name="信用联社",
        bank_account="621700123456",
        channel="unionpay",
        signed_on=day,
    )


def test_a_sign_up_counts_from_its_month(world):
    sign(world, world.customer_a, D(2026, 9, 15))
    assert_kept_equals_fresh(world)
    assert [cell[3] for cell in kept(world)[:5]] == [0, 1, 1, 1, 1]


def test_a_request_counts_once_confirmed(world):
    request = agreement_request_create(
        customer=world.customer_b, bank_name="信用联社", bank_account="621700123456", channel="counter"
    )
    assert_kept_equals_fresh(world)
    with time_machine.travel(datetime.datetime(2026, 10, 3, 9, tzinfo=datetime.UTC)):
        agreement_confirm(user=world.users["clerk_b"], agreement=request)
    assert_kept_equals_fresh(world)
    assert kept(world)[5:][2][3] == 1  # station B, October


def test_a_cancellation_stops_counting_from_its_month(world):
    agreement = sign(world, world.customer_a, D(2026, 8, 20))
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)):
        agreement_cancel(user=world.users["manager"], agreement=agreement)
    assert_kept_equals_fresh(world)
    assert [cell[3] for cell in kept(world)[:5]] == [1, 1, 1, 0, 0]
    sign(world, world.customer_a, D(2026, 12, 1))  # signed again
    assert_kept_equals_fresh(world)


def test_a_deleted_agreement_is_taken_out(world):
    sign(world, world.customer_a, D(2026, 9, 1))
    Agreement.objects.all().delete()
    assert_kept_equals_fresh(world)


def test_households_added_moved_and_deleted_move_the_denominator(world):
    before = StationHouseholds.objects.get(station=world.station_a).households
    customer = Customer.objects.create(account_no="0602000777", name="新户", village=world.village_a)
    assert StationHouseholds.objects.get(station=world.station_a).households == before + 1
    assert_kept_equals_fresh(world)
    customer.village = world.village_b
    customer.save()
    assert_kept_equals_fresh(world)
    customer.delete()
    assert_kept_equals_fresh(world)


def test_bills_written_leave_the_totals_as_counted(world):
    sign(world, world.customer_a, D(2026, 9, 1))
    clerk = world.users["clerk_a"]
    import_readings(
        clerk,
        [
            ("0602000001", "2026-09-30", "1000"),
            ("0602000002", "2026-09-30", "500"),
            ("0602000001", "2026-10-31", "1150"),
            ("0602000002", "2026-10-31", "620"),
        ],
    )
    billing_run_start(user=world.users["clerk_a"], station=world.station_a, month=D(2026, 10, 1))
    assert_kept_equals_fresh(world)
