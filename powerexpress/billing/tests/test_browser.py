"""The clerk's path in a real browser: run billing with the button, open the explained bill."""

import pytest

from conftest import browser_login
from powerexpress.billing.tests.helpers import import_readings


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clerk_runs_billing_with_the_button_and_reads_the_explained_bill(
    schedules, world, page, live_server
):
    import_readings(
        world.users["clerk_a"], [("0602000002", "2026-09-30", "500"), ("0602000002", "2026-10-31", "2600")]
    )
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/billing/")
    page.fill("input[name=month]", "2026-10")
    page.click("#run-billing")
    page.wait_for_load_state("networkidle")
    page.screenshot(path="/tmp/billing-run.png", full_page=True)
    page.goto(f"{live_server.url}/billing/bills/?month=2026-10")
    page.click("text=0602000002")
    page.wait_for_load_state("networkidle")
    page.screenshot(path="/tmp/billing-bill.png", full_page=True)
    text = page.content()
    assert "929.42" in text and "1020" in text and "2026-01-01" in text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_fixes_a_held_reading_with_a_meter_change_re_runs_the_month_and_sees_the_adjustment(
    schedules, world, page, live_server
):
    from powerexpress.billing.models import Bill
    from powerexpress.billing.services import billing_run_start

    clerk = world.users["clerk_a"]
    import_readings(
        clerk,
        [
            ("0602000001", "2026-09-30", "1000"),
            ("0602000001", "2026-10-31", "1300"),
            ("0602000002", "2026-09-30", "90000"),
            ("0602000002", "2026-10-31", "400"),
        ],
    )
    run = billing_run_start(
        user=clerk, station=world.station_a, month=__import__("datetime").date(2026, 10, 1)
    )
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/billing/runs/{run.pk}/")
    assert "1 户未出账" in page.content()  # the page is Chinese first: "1 household was not billed"
    page.click(".fix-meter summary")
    page.fill(".fix-meter input[name=old_final_kwh]", "90100")
    page.fill(".fix-meter input[name=new_start_kwh]", "0")
    page.fill(".fix-meter input[name=register_digits]", "6")
    page.click(".fix-meter button")
    page.wait_for_load_state("networkidle")
    page.click("#rerun")
    page.wait_for_load_state("networkidle")
    assert Bill.objects.get(customer=world.customer_a2).energy_kwh == 100 + 400
    # A corrected reading for the other household, then the month again: the adjustment shows.
    import_readings(clerk, [("0602000001", "2026-10-31", "1250")])
    page.goto(f"{live_server.url}/billing/runs/{run.pk}/")
    page.click("#rerun")
    page.wait_for_load_state("networkidle")
    assert "1" in page.inner_text("#progress")
    adjustment = Bill.objects.get(customer=world.customer_a, sequence=1)
    page.goto(f"{live_server.url}/billing/bills/{adjustment.pk}/")
    text = page.content()
    assert "-50" in text and "调整" in text
