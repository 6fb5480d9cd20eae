"""The registry in a real headless Chromium: Chinese UI, scoped lists, masked data, audited reveal."""

import os

import pytest

from conftest import browser_login
from powerexpress.core.models import AuditEntry

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def shoot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, name), full_page=True)


def test_a_clerk_signs_in_sees_chinese_and_only_their_station(world, page, live_server):
    browser_login(page, live_server, "clerk_a")
    assert page.locator("h1").inner_text() == "待办 · 新店供电所"  # a clerk lands on the work list
    page.goto(f"{live_server.url}/overview/")
    assert page.locator("h1").inner_text() == "总览"
    assert "新店供电所" in page.content() and "朱家场供电所" not in page.content()
    shoot(page, "home.png")
    page.click("nav summary:has-text('基础档案')")
    page.click("nav .menu-items >> text=用电户")
    page.wait_for_selector("table.table")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 2
    assert "138****5678" in page.content() and "13812345678" not in page.content()
    shoot(page, "customers.png")


def test_search_filters_the_table_without_reloading(world, page, live_server):
    browser_login(page, live_server, "manager")
    page.goto(f"{live_server.url}/registry/customers/")
    page.locator("input[name=q]").press_sequentially("龙建")
    page.wait_for_function("document.querySelectorAll('#list-table tbody tr').length === 1")
    assert "0603000001" in page.locator("#list-table").inner_text()
    assert "q=" in page.url


def test_the_show_button_reveals_and_is_audited(world, page, live_server):
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/registry/customers/{world.customer_a.pk}/")
    page.click("text=显示身份证号和手机号")
    page.wait_for_selector("[data-testid=revealed-phone]")
    assert page.locator("[data-testid=revealed-phone]").inner_text() == "13812345678"
    assert AuditEntry.objects.filter(user__username="clerk_a", object_ref="0602000001").count() == 1
    shoot(page, "customer-revealed.png")


def test_english_is_one_click_away(world, page, live_server):
    browser_login(page, live_server, "manager")
    page.goto(f"{live_server.url}/overview/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.wait_for_selector("h1:text('Overview')")
    assert page.locator("h1").inner_text() == "Overview"
