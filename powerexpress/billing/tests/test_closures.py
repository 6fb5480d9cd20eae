"""Issue 12 rule 5, closures: with BILLING_PRORATE_PARTIAL_CYCLE on, a household closed mid-cycle
has its annual tier bounds prorated by its months of supply (the closure's month counts). Expected
splits worked by hand from the rule (Guizhou 2,040 / 3,120 kWh at 0.4556 / 0.5056 / 0.7556 yuan)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from powerexpress.billing.models import Bill
from powerexpress.billing.tests.helpers import import_readings
from powerexpress.billing.tests.test_money_rules import (
    A2,
    month_bills_by_tier,
    read_months,
    reference_split,
    registers,
    run,
)
from powerexpress.core.tables import write_csv
from powerexpress.registry.services import registry_import

pytestmark = pytest.mark.django_db


def close(world, day: str) -> None:
    response = world.api("clerk_a").patch(f"/api/v1/customers/{A2}", {"closed_on": day})
    assert response.status_code == 200 and response.json()["closed_on"] == day
    world.customer_a2.refresh_from_db()


def bill_year_to_april(world):
    """200 kWh in each of January–March, 600 in April (registers read at each month's end)."""
    clerk = world.users["clerk_a"]
    read_months(clerk, A2, 2025, [0] * 12)  # a household supplied since before the cycle
    read_months(clerk, A2, 2026, registers(0, [200, 200, 200, 600]))
    for month in (1, 2, 3, 4):
        run(world, 2026, month)
    return Bill.objects.get(customer=world.customer_a2, month=datetime.date(2026, 4, 1))


def test_a_household_closed_in_april_has_its_bounds_prorated_to_4_of_12_months_the_worked_example(
    world, settings
):
    settings.BILLING_PRORATE_PARTIAL_CYCLE = True
    close(world, "2026-04-20")
    bill = bill_year_to_april(world)
    # Supplied January–April: 4 of 12 months; bounds 2040 × 4/12 = 680 and 3120 × 4/12 = 1040.
    # April runs from 600 to 1200 kWh: 80 kWh in tier 1 (36.448 → 36.45 yuan), 360 in tier 2
    # (182.016 → 182.02) and 160 in tier 3 (120.896 → 120.90): 339.37 yuan.
    expected = {1: (Decimal(80), 3645), 2: (Decimal(360), 18202), 3: (Decimal(160), 12090)}
    assert expected == reference_split(Decimal(600), Decimal(600), bounds=(Decimal(680), Decimal(1040)))
    assert bill.supply_months == 4
    assert month_bills_by_tier(world.customer_a2, bill.month) == expected
    assert bill.amount_fen == 33937
    with translation.override("en"):
        page = world.web("clerk_a").get(f"/billing/bills/{bill.pk}/").content.decode()
    assert "(closed on 2026-04-20)" in page and "Supplied 4 of the cycle" in page
    assert "680 / 1040 kWh" in page


def test_proration_off_keeps_the_full_bounds_for_a_closed_household(world):
    close(world, "2026-04-20")
    bill = bill_year_to_april(world)
    # April from 600 to 1200 kWh, all under 2,040: 600 × 0.4556 = 273.36 yuan.
    assert bill.supply_months is None
    assert month_bills_by_tier(world.customer_a2, bill.month) == {1: (Decimal(600), 27336)}


def test_a_household_closed_in_the_cycles_last_month_is_supplied_all_12_months(world, settings):
    settings.BILLING_PRORATE_PARTIAL_CYCLE = True
    close(world, "2026-12-15")
    bill = bill_year_to_april(world)
    assert bill.supply_months is None
    assert month_bills_by_tier(world.customer_a2, bill.month) == {1: (Decimal(600), 27336)}


def test_a_household_connected_in_july_and_closed_in_october_is_supplied_4_months(world, settings):
    settings.BILLING_PRORATE_PARTIAL_CYCLE = True
    close(world, "2026-10-10")
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2026-07-01", "0"), (A2, "2026-07-31", "900")])  # connected 1 July
    run(world, 2026, 7)
    bill = Bill.objects.get(customer=world.customer_a2)
    # July–October: 4 months; bounds 680 / 1040; 900 kWh = 680 in tier 1 (309.808 → 309.81) and
    # 220 in tier 2 (111.232 → 111.23).
    assert bill.supply_months == 4
    assert month_bills_by_tier(world.customer_a2, bill.month) == {
        1: (Decimal(680), 30981),
        2: (Decimal(220), 11123),
    }


def test_the_closure_date_is_set_through_the_import_and_cleared_through_the_api(world):
    header = ["account_no", "name", "village", "phase", "closed_on"]
    outcome = registry_import(
        user=world.users["clerk_a"],
        kind="customers",
        file_name="c.csv",
        content=write_csv(header, [[A2, world.customer_a2.name, "XD001", "A", "2026-05-31"]]),
    )
    assert outcome.ok
    world.customer_a2.refresh_from_db()
    assert world.customer_a2.closed_on == datetime.date(2026, 5, 31)
    response = world.api("clerk_a").patch(f"/api/v1/customers/{A2}", {"closed_on": ""})
    assert response.status_code == 200 and response.json()["closed_on"] is None


def test_a_closure_date_that_is_not_a_date_is_a_422_naming_the_field(world):
    response = world.api("clerk_a").patch(f"/api/v1/customers/{A2}", {"closed_on": "31/05/2026"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "closed_on"
