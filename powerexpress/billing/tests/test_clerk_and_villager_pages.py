"""Issue 12, what the clerk and the villager see: runs with gaps, held readings fixed on the page
and through the API, bill status, breakdown and credit on the portal and the signed link."""

import datetime

import pytest
from django.test import Client

from powerexpress.billing.choices import BillKind, BillStatus, ReadingResolution, ReadingStatus, RunStatus
from powerexpress.billing.models import Bill, BillingRun, MeterChange, MeterReading
from powerexpress.billing.selectors import customer_bills
from powerexpress.billing.services import billing_run_start
from powerexpress.billing.tests.helpers import import_readings
from powerexpress.core.notifications import MemoryBackend
from powerexpress.portal.tests.test_portal import signed_in

A1, A2 = "0602000001", "0602000002"
JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def held_run(world):
    """January of station A: A1 has no reading, A2's register went down (held)."""
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2025-12-31", "90000"), (A2, "2026-01-31", "150")])
    return billing_run_start(user=clerk, station=world.station_a, month=JAN)


def test_a_run_with_gaps_says_how_many_were_not_billed_why_and_links_to_them(world, held_run):
    assert held_run.status == RunStatus.GAPS
    page = world.web("clerk_a").get(f"/billing/runs/{held_run.pk}/").content.decode()
    assert (
        "Completed with gaps" in page and "2 households were not billed: 1 held readings, 1 without" in page
    )
    assert f"?account_no={A1}" in page and f"?account_no={A2}" in page
    assert "Record a meter replacement" in page and "Confirm as a rollover" in page


def test_a_clerk_records_a_meter_change_for_a_held_reading_on_the_run_page_and_re_runs_the_month(
    world, held_run
):
    held = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-01-31")
    web = world.web("clerk_a")
    response = web.post(
        f"/billing/readings/{held.pk}/fix/",
        {
            "run": held_run.pk,
            "action": "meter_change",
            "changed_on": "2026-01-20",
            "old_final_kwh": "90100",
            "new_start_kwh": "0",
            "register_digits": "6",
        },
    )
    assert response["Location"] == f"/billing/runs/{held_run.pk}/"
    fixed = MeterReading.objects.get(pk=held.pk)
    assert (fixed.status, fixed.energy_kwh, fixed.rollover) == (ReadingStatus.OK, 100 + 150, False)
    assert fixed.resolution == ReadingResolution.METER_CHANGE and fixed.resolved_by == world.users["clerk_a"]
    change = MeterChange.objects.get()
    assert change.recorded_by == world.users["clerk_a"] and change.register_digits == 6
    web.post("/billing/runs/start/", {"station": "XD", "month": "2026-01"})
    again = BillingRun.objects.order_by("-pk").first()
    assert again.bills_created == 1 and Bill.objects.get(customer=world.customer_a2).energy_kwh == 250


def test_a_bad_fix_on_the_page_shows_the_field_error_and_changes_nothing(world, held_run):
    held = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-01-31")
    response = world.web("clerk_a").post(
        f"/billing/readings/{held.pk}/fix/",
        {"run": held_run.pk, "action": "corrected", "register_kwh": "-5"},
        follow=True,
    )
    assert "register_kwh" in response.content.decode()
    assert MeterReading.objects.get(pk=held.pk).status == ReadingStatus.HELD


@pytest.mark.parametrize(("who", "status"), [("crew_a", 403), ("auditor", 403), ("clerk_b", 404)])
def test_only_the_stations_billing_staff_may_fix_a_held_reading(world, held_run, who, status):
    held = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-01-31")
    response = world.web(who).post(
        f"/billing/readings/{held.pk}/fix/", {"action": "rollover", "register_digits": "5"}
    )
    assert response.status_code == status
    assert MeterReading.objects.get(pk=held.pk).status == ReadingStatus.HELD


def test_the_api_confirms_a_held_reading_as_a_rollover(world, held_run):
    held = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-01-31")
    api = world.api("clerk_a")
    response = api.post(
        f"/api/v1/billing/readings/{held.pk}/resolve", {"action": "rollover", "register_digits": 5}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["resolution"] == "rollover" and body["energy_kwh"] == "10150.000"
    refused = api.post(f"/api/v1/billing/readings/{held.pk}/resolve", {"action": "rollover"})
    assert refused.status_code == 409
    bad = api.post(f"/api/v1/billing/readings/{held.pk}/resolve", {"action": "guess"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "action"


def test_the_api_records_a_meter_change_and_names_a_bad_field(world, held_run):
    api = world.api("clerk_a")
    body = {"account_no": A2, "changed_on": "2026-01-20", "old_final_kwh": "90100", "new_start_kwh": "0"}
    created = api.post("/api/v1/billing/meter-changes", body)
    assert created.status_code == 201 and created.json()["register_digits"] == 5
    again = api.post("/api/v1/billing/meter-changes", body)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "changed_on"
    digits = api.post(
        "/api/v1/billing/meter-changes", {**body, "changed_on": "2026-01-21", "register_digits": 12}
    )
    assert digits.status_code == 422 and digits.json()["errors"][0]["field"] == "register_digits"
    assert world.api("crew_a").post("/api/v1/billing/meter-changes", body).status_code == 403
    assert world.api("clerk_b").post("/api/v1/billing/meter-changes", body).status_code == 404


def test_the_readings_import_takes_meter_change_columns(world):
    from powerexpress.billing.services import readings_import

    content = (
        "account_no,read_on,register_kwh,old_final_kwh,new_start_kwh,register_digits,changed_on\n"
        f"{A2},2025-12-31,90000,,,,\n"
        f"{A2},2026-01-31,150,90100,0,6,2026-01-20\n"
    ).encode()
    outcome = readings_import(user=world.users["clerk_a"], file_name="r.csv", content=content)
    assert not outcome.errors and not outcome.held
    reading = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-01-31")
    assert reading.energy_kwh == 250 and MeterChange.objects.get().changed_on == datetime.date(2026, 1, 20)


@pytest.fixture
def credit_bills(world):
    """customer_a (the portal's test household): January billed, then corrected down (a credit)."""
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A1, "2025-12-31", "0"), (A1, "2026-01-31", "500")])
    billing_run_start(user=clerk, station=world.station_a, month=JAN)
    Bill.objects.filter(customer=world.customer_a).update(status=BillStatus.PAID)
    import_readings(clerk, [(A1, "2026-01-31", "300")])
    billing_run_start(user=clerk, station=world.station_a, month=JAN)
    return Bill.objects.get(customer=world.customer_a, kind=BillKind.ADJUSTMENT)


def test_the_portal_shows_each_bills_status_breakdown_and_the_credit_carried(world, credit_bills, settings):
    settings.NOTIFICATION_BACKEND = "powerexpress.core.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    page = signed_in(world).get("/portal/bills/").content.decode()
    assert "Paid" in page and "Credit carried forward" in page
    assert f"¥{-credit_bills.amount_fen / 100:.2f}" in page
    assert "Free allowance" in page and "Tier 1" in page


def test_the_signed_bill_link_shows_status_and_credit_but_no_to_verify_mark(world, credit_bills):
    url = customer_bills(world.customer_a)[0]["url"]
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
    assert "Credit carried forward" in page and "priced again from 0 kWh" in page
    assert "to verify" not in page.lower()
    staff_page = world.web("clerk_a").get(f"/billing/bills/{credit_bills.pk}/").content.decode()
    assert "to verify" in staff_page


def test_after_re_pricing_a_corrected_month_the_run_page_names_the_later_months_to_run_again(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2025-12-31", "0"), (A2, "2026-01-31", "1000"), (A2, "2026-02-28", "2500")])
    for month in (1, 2):
        billing_run_start(user=clerk, station=world.station_a, month=datetime.date(2026, month, 1))
    import_readings(clerk, [(A2, "2026-01-31", "900")])
    rerun = billing_run_start(user=clerk, station=world.station_a, month=JAN)
    page = world.web("clerk_a").get(f"/billing/runs/{rerun.pk}/").content.decode()
    assert "Later months to run again" in page and "Run 2026-02 again" in page
