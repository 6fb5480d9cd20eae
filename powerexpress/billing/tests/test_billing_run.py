"""Readings import and the monthly billing run."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from powerexpress.billing.choices import BillKind, ReadingStatus
from powerexpress.billing.models import Bill, MeterReading, TariffSchedule
from powerexpress.billing.selectors import customer_bills
from powerexpress.billing.services import billing_run_start, tariff_schedule_save
from powerexpress.billing.tests.helpers import import_readings

A1, A2, B1 = "0602000001", "0602000002", "0603000001"


def run(world, month, station=None):
    return billing_run_start(
        user=world.users["clerk_a"], station=station or world.station_a, month=datetime.date(2026, month, 1)
    )


@pytest.fixture
def readings(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A1, "2025-12-31", "1000"), (A2, "2025-12-31", "500")])
    return clerk


def test_consumption_comes_from_register_differences_and_bills_split_across_the_year(world, readings):
    import_readings(readings, [(A2, "2026-01-31", "2500"), (A2, "2026-02-28", "2600")])
    run(world, 1)
    run(world, 2)
    january, february = Bill.objects.filter(customer=world.customer_a2).order_by("month")
    assert january.energy_kwh == 2000 and january.amount_fen == 91120
    assert february.ytd_before_kwh == 2000 and february.energy_kwh == 100
    assert [(line["tier"], line["kwh"]) for line in february.lines] == [(1, "40"), (2, "60")]
    assert february.amount_fen == 1822 + 3034
    assert february.tier_after == 2 and february.kwh_left_in_tier == Decimal("1020")


def test_the_free_allowance_is_applied_to_low_income_households(world, readings):
    import_readings(readings, [(A1, "2026-01-31", "1030")])
    run(world, 1)
    bill = Bill.objects.get(customer=world.customer_a)
    assert bill.free_kwh == 10 and bill.lines[0] == {
        "tier": 0,
        "kwh": "10",
        "price_yuan_per_kwh": "0",
        "amount_fen": 0,
    }
    assert bill.amount_fen == 911


def test_a_shared_meter_is_billed_at_the_flat_price(world, readings):
    world.customer_a2.shared_meter = True
    world.customer_a2.save()
    import_readings(readings, [(A2, "2026-01-31", "3000")])
    run(world, 1)
    bill = Bill.objects.get(customer=world.customer_a2)
    assert bill.amount_fen == 113900 and [line["tier"] for line in bill.lines] == [1]


def test_running_a_month_again_bills_nothing_twice(world, readings):
    import_readings(readings, [(A1, "2026-01-31", "1100"), (A2, "2026-01-31", "600")])
    first = run(world, 1)
    again = run(world, 1)
    assert (first.bills_created, again.bills_created, again.adjustments_created) == (2, 0, 0)
    assert Bill.objects.count() == 2


def test_a_corrected_reading_produces_an_adjustment_bill_and_never_edits_the_issued_one(world, readings):
    import_readings(readings, [(A2, "2026-01-31", "2600")])
    run(world, 1)
    issued = Bill.objects.get(customer=world.customer_a2)
    outcome = import_readings(readings, [(A2, "2026-01-31", "2000")])
    assert outcome.corrected == 1
    second = run(world, 1)
    assert second.adjustments_created == 1
    issued_again = Bill.objects.get(pk=issued.pk)
    assert (issued_again.energy_kwh, issued_again.amount_fen) == (issued.energy_kwh, issued.amount_fen)
    adjustment = Bill.objects.get(customer=world.customer_a2, sequence=1)
    assert adjustment.kind == BillKind.ADJUSTMENT and adjustment.energy_kwh == -600
    assert issued.amount_fen + adjustment.amount_fen == 1500 * 4556 // 100 + 0  # 1500 kWh all in tier 1
    assert sum(line["amount_fen"] for line in adjustment.lines) == adjustment.amount_fen
    assert MeterReading.objects.filter(customer=world.customer_a2, read_on="2026-01-31").count() == 2


def test_a_schedule_change_mid_year_applies_from_its_date_and_keeps_the_cycle_total(world, readings):
    import_readings(readings, [(A2, "2026-06-30", "1500"), (A2, "2026-07-31", "1600")])
    run(world, 6)
    old = TariffSchedule.objects.get(code="guizhou-residential-annual")
    definition = {
        **old.definition,
        "tiers": [
            {"up_to_kwh": "1000", "price_yuan_per_kwh": "0.5"},
            {"up_to_kwh": None, "price_yuan_per_kwh": "1"},
        ],
    }
    new = tariff_schedule_save(
        user=world.users["manager"],
        code=old.code,
        name=old.name,
        effective_from=datetime.date(2026, 7, 1),
        definition=definition,
        to_verify=True,
    )
    run(world, 7)
    june, july = Bill.objects.filter(customer=world.customer_a2).order_by("month")
    assert june.schedule == old and july.schedule == new and new.version == 2
    assert july.ytd_before_kwh == 1000 and july.lines == [
        {"tier": 2, "kwh": "100", "price_yuan_per_kwh": "1", "amount_fen": 10000}
    ]
    assert Bill.objects.get(pk=june.pk).amount_fen == june.amount_fen


def test_a_new_year_starts_a_new_cycle(world, readings):
    import_readings(readings, [(A2, "2026-12-31", "3000"), (A2, "2027-01-31", "3100")])
    billing_run_start(user=None, station=world.station_a, month=datetime.date(2026, 12, 1))
    billing_run_start(user=None, station=world.station_a, month=datetime.date(2027, 1, 1))
    january = Bill.objects.get(customer=world.customer_a2, month="2027-01-01")
    assert january.ytd_before_kwh == 0 and january.cycle_start == datetime.date(2027, 1, 1)


def test_implausible_and_negative_readings_are_held_and_not_billed(world, readings):
    outcome = import_readings(
        readings,
        [
            (A1, "2026-01-31", "900"),
            (A2, "2026-01-31", "9000"),
            ("0699999999", "2026-01-31", "5"),
            (A1, "bad-date", "1"),
        ],
    )
    assert len(outcome.held) == 2 and {e["column"] for e in outcome.errors} == {"account_no", "read_on"}
    assert MeterReading.objects.filter(status=ReadingStatus.HELD).count() == 2
    result = run(world, 1)
    assert result.bills_created == 0 and result.held_count == 2


def test_a_register_rollover_is_recognised(world):
    import_readings(world.users["clerk_a"], [(A2, "2025-12-31", "99950"), (A2, "2026-01-31", "50", "1")])
    reading = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-01-31")
    assert reading.rollover and reading.energy_kwh == 100 and reading.estimated
    run(world, 1)
    assert Bill.objects.get(customer=world.customer_a2).estimated


def test_households_without_a_reading_are_counted_missing(world, readings):
    import_readings(readings, [(A1, "2026-01-31", "1100")])
    assert run(world, 1).missing_count == 1


def test_a_clerk_cannot_import_another_stations_readings(world):
    outcome = import_readings(world.users["clerk_a"], [(B1, "2026-01-31", "10")])
    assert outcome.created == 0 and outcome.errors[0]["column"] == "account_no"


def test_the_command_runs_a_station_month(world, readings, capsys):
    import_readings(readings, [(A1, "2026-03-31", "1100")])
    call_command("billing", "run", "--station", "XD", "--month", "2026-03")
    assert "1 bills" in capsys.readouterr().out
    assert customer_bills(world.customer_a)[0]["month"] == "2026-03"


def test_correcting_a_reading_re_derives_the_next_months_consumption(world, readings):
    import_readings(readings, [(A2, "2026-01-31", "600"), (A2, "2026-02-28", "700")])
    outcome = import_readings(readings, [(A2, "2026-01-31", "550"), (A2, "2026-02-28", "700")])
    assert (outcome.corrected, outcome.unchanged) == (1, 1)
    current = dict(
        MeterReading.objects.filter(customer=world.customer_a2, current=True).values_list(
            "read_on", "energy_kwh"
        )
    )
    assert current[datetime.date(2026, 1, 31)] == 50 and current[datetime.date(2026, 2, 28)] == 150
