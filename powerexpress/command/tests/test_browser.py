"""A manager's walk through the command centre in headless Chromium, and a clerk's view."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import browser_login
from powerexpress.billing.models import Agreement
from powerexpress.command.services import kpi_registry_seed, monthly_reports_create, score_month_freeze
from powerexpress.grid.choices import EventKind
from powerexpress.grid.models import LoadEvent


def _county(world):
    for village, lat in (
        (world.village_a, "27.25"),
        (world.village_a_urban, "27.27"),
        (world.village_b, "27.30"),
    ):
        village.latitude, village.longitude = Decimal(lat), Decimal("108.90")
        village.responsible_name, village.responsible_phone = "杨主任", "13812349876"
        village.save()
    Agreement.objects.create(
        customer=world.customer_a,
        bank_name="信用社",
        bank_account="6217000000000001",
        status="active",
        signed_on=datetime.date(2026, 3, 5),
    )
    end = timezone.now() - datetime.timedelta(days=1)
    LoadEvent.objects.create(
        transformer=world.transformer_a,
        kind=EventKind.OVERLOAD,
        start_at=end - datetime.timedelta(hours=3),
        end_at=end,
        peak=Decimal("130.0"),
    )
    kpi_registry_seed()
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    monthly_reports_create(score_month=score_month_freeze(month=last_month))
    return last_month


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_walks_from_the_scoreboard_to_a_red_district_a_score_and_the_report(
    world, page, live_server, tmp_path
):
    last_month = _county(world)
    browser_login(page, live_server, "manager")
    page.goto(f"{live_server.url}/command/")
    page.wait_for_selector(".chart[data-key=signup] .main-svg")
    assert "各供电所代扣签约率（目标 80%）" in page.content()
    page.screenshot(path="/tmp/command-scoreboard.png")

    page.goto(f"{live_server.url}/command/map/")
    page.wait_for_selector("path.risk-overload")
    page.locator("path.risk-overload").first.click(force=True)
    page.wait_for_selector(".map-popup")
    assert "138****9876" in page.inner_text(".map-popup")
    page.click(".map-popup a")
    page.wait_for_load_state("networkidle")
    assert "/grid/transformers/XD001-01/" in page.url

    page.goto(f"{live_server.url}/command/scores/?month={last_month:%Y-%m}")
    page.click("text=新店供电所")
    page.wait_for_load_state("networkidle")
    assert "代扣签约率" in page.content() and "/command/scores/" in page.url

    page.goto(f"{live_server.url}/command/reports/")
    with page.expect_download() as download:
        page.locator("a", has_text="PDF").first.click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    assert path.read_bytes()[:4] == b"%PDF"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_station_clerk_sees_their_station_only_on_a_phone(world, browser, live_server):
    _county(world)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 760})
    page = context.new_page()
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/command/")
    page.wait_for_selector(".chart[data-key=signup] .main-svg")
    assert "朱家场供电所" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    context.close()
