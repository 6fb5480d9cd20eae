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
