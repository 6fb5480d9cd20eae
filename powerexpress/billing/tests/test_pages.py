"""Billing pages: scope, roles and what each page shows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from powerexpress.billing.models import Bill, BillingRun, TariffSchedule
from powerexpress.billing.services import agreement_request_create, billing_run_start
from powerexpress.billing.tests.helpers import import_readings, readings_csv

A1, A2 = "0602000001", "0602000002"


@pytest.fixture
def bill(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2026-09-30", "500"), (A2, "2026-10-31", "2600")])
    billing_run_start(user=clerk, station=world.station_a, month=datetime.date(2026, 10, 1))
    return Bill.objects.get()


def test_a_clerk_imports_readings_and_runs_billing_from_the_pages(world):
    web = world.web("clerk_a")
    upload = SimpleUploadedFile(
        "r.csv", readings_csv([(A1, "2026-09-30", "10"), (A1, "2026-10-31", "110"), (A2, "2026-10-31", "x")])
    )
    page = web.post("/billing/readings/import/", {"file": upload})
    assert page.status_code == 200 and "register_kwh" in page.content.decode()
    response = web.post("/billing/runs/start/", {"station": "XD", "month": "2026-10"})
    run = BillingRun.objects.get()
    assert response.url == f"/billing/runs/{run.pk}/" and run.bills_created == 1
    assert "2 / 2" in web.get(response.url).content.decode()


def test_the_bill_page_explains_tiers_cycle_total_and_kwh_left(world, bill):
    text = world.web("clerk_a").get(f"/billing/bills/{bill.pk}/").content.decode()
    for expected in ("2100", "2026-01-01", "1020", "929.42", "0.5056"):
        assert expected in text


def test_another_station_sees_neither_the_bill_nor_the_run(world, bill):
    web = world.web("clerk_b")
    assert web.get(f"/billing/bills/{bill.pk}/").status_code == 404
    assert web.get(f"/billing/runs/{bill.run_id}/").status_code == 404
    assert A2 not in web.get("/billing/bills/").content.decode()


def test_crews_and_auditors_cannot_start_runs_or_import_readings(world):
    for who in ("crew_a", "auditor"):
        web = world.web(who)
        assert web.post("/billing/runs/start/", {"station": "XD", "month": "2026-10"}).status_code == 403
        assert web.post("/billing/readings/import/", {}).status_code == 403


def test_the_api_starts_a_run_and_lists_a_customers_bills(world, bill):
    api = world.api("clerk_a")
    created = api.post("/api/v1/billing/runs", {"station": "XD", "month": "2026-10"})
    assert created.status_code == 201 and created.json()["bills_created"] == 0
    bills = api.get(f"/api/v1/billing/customers/{A2}/bills").json()
    assert bills[0]["month"] == "2026-10" and bills[0]["tier_after"] == 2
    assert world.api("clerk_b").get(f"/api/v1/billing/customers/{A2}/bills").status_code == 404
    assert (
        world.api("clerk_b").post("/api/v1/billing/runs", {"station": "XD", "month": "2026-10"}).status_code
        == 404
    )
    assert (
        world.api("crew_a").post("/api/v1/billing/runs", {"station": "XD", "month": "2026-10"}).status_code
        == 403
    )
    assert (
        api.post("/api/v1/billing/runs", {"station": "XD", "month": "2026/10"}).json()["errors"][0]["field"]
        == "month"
    )


def test_a_manager_edits_a_tariff_as_a_new_version_and_bad_bounds_are_refused(world, bill):
    schedule = TariffSchedule.objects.get(code="guizhou-residential-annual")
    web = world.web("manager")
    bad = web.post(
        f"/billing/tariffs/{schedule.pk}/edit/",
        {
            "name": schedule.name,
            "effective_from": "2027-01-01",
            "to_verify": "on",
            "definition": '{"cycle": "annual", "tiers": [{"up_to_kwh": "3000", "price_yuan_per_kwh": "0.5"}, '
            '{"up_to_kwh": "2000", "price_yuan_per_kwh": "0.6"}, {"up_to_kwh": null, "price_yuan_per_kwh": "1"}]}',
        },
    )
    assert "definition.tiers.1.up_to_kwh" in bad.content.decode()
    good = web.post(
        f"/billing/tariffs/{schedule.pk}/edit/",
        {
            "name": schedule.name,
            "effective_from": "2027-01-01",
            "to_verify": "on",
            "definition": '{"cycle": "annual", "tiers": [{"up_to_kwh": "2160", "price_yuan_per_kwh": "0.4556"}, '
            '{"up_to_kwh": null, "price_yuan_per_kwh": "0.5056"}]}',
        },
    )
    assert good.status_code == 302
    assert TariffSchedule.objects.filter(code=schedule.code).count() == 2
    assert Bill.objects.get(pk=bill.pk).schedule == schedule
    assert world.web("clerk_a").get(f"/billing/tariffs/{schedule.pk}/edit/").status_code == 403


def test_staff_confirm_a_portal_request_and_the_kpi_page_shows_the_rate(world):
    agreement = agreement_request_create(
        customer=world.customer_a,
        bank_name="信用联社",
        bank_account="6217001234567890123",
        channel="unionpay",
    )
    web = world.web("clerk_a")
    listing = web.get("/billing/agreements/").content.decode()
    assert "6217***********0123" in listing and "6217001234567890123" not in listing
    web.post(f"/billing/agreements/{agreement.pk}/confirm/")
    agreement.refresh_from_db()
    assert agreement.status == "active" and agreement.confirmed_by == world.users["clerk_a"]
    assert "50.0%" in web.get("/billing/kpis/").content.decode()
    worklist = web.get("/billing/worklist/XD001/").content.decode()
    assert A2 in worklist and A1 not in worklist
    assert world.web("clerk_b").get("/billing/worklist/XD001/").status_code == 404
    assert world.web("crew_a").post(f"/billing/agreements/{agreement.pk}/cancel/").status_code == 403


def test_the_debit_page_lists_batches_and_arrears(world, bill):
    web = world.web("clerk_a")
    assert web.get("/billing/debit/").status_code == 200
    assert world.web("outsider").get("/billing/").status_code == 200


def test_a_household_opens_its_bill_from_the_signed_link_without_signing_in(world, bill):
    from django.test import Client

    from powerexpress.billing.selectors import customer_bills

    url = customer_bills(world.customer_a2)[0]["url"]
    text = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
    assert "929.42" in text and "1020" in text and world.customer_a2.name not in text
    assert Client().get(url[:-3] + "xx/").status_code == 404
