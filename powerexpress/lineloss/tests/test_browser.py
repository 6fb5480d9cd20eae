"""The manager's path in a real headless Chromium: ranking → negative district → move a household;
high-loss district → governance plan with a work order."""

import datetime as dt
import os

import pytest

from conftest import browser_login
from powerexpress.lineloss.choices import LossClass
from powerexpress.lineloss.models import LineLoss, PlanItem, TransformerMove
from powerexpress.lineloss.tests.test_services import _synthetic_station

pytestmark = pytest.mark.browser


def shoot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_a_manager_moves_a_misregistered_household_and_plans_a_high_loss_district(
    world, data_dir, page, live_server
):
    _codes, moved = _synthetic_station(world, data_dir)
    month = dt.date(2026, 1, 1)
    negative = (
        LineLoss.objects.filter(month=month, loss_class=LossClass.NEGATIVE)
        .select_related("transformer")
        .first()
    )
    high = (
        LineLoss.objects.filter(month=month, loss_class=LossClass.HIGH).select_related("transformer").first()
    )
    browser_login(page, live_server, "manager")
    page.goto(f"{live_server.url}/lineloss/?month=2026-01")
    assert "2026-01 同期线损" in page.content() and "负损" in page.content()
    shoot(page, "lineloss-ranking.png")
    page.click(f"#loss-table >> text={negative.transformer.code}")
    page.wait_for_selector("#suspect-table")
    account = next(a for a in moved if a in page.content())
    shoot(page, "lineloss-district.png")
    page.click(f"#suspect-table tr:has-text('{account}') >> text=确认并调整")
    page.wait_for_selector("text=该用户已调整到")
    assert TransformerMove.objects.get().customer.transformer.code == moved[account]
    page.goto(f"{live_server.url}/lineloss/districts/{high.transformer.code}/")
    page.select_option("#plan-form select[name=cause]", "old_wire")
    page.click("text=列入并派发工单")
    item = PlanItem.objects.get()
    page.wait_for_selector(f"text={item.work_order.number}")
    assert item.transformer == high.transformer and item.work_order.station == world.station_a
    shoot(page, "lineloss-plan.png")
