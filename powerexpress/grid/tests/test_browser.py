"""The manager's path in a real headless Chromium: risk list → district → curves → plan → work order."""

import os

import pytest

from conftest import browser_login
from powerexpress.grid import services
from powerexpress.grid.choices import DataKind
from powerexpress.grid.models import PhasePlan
from powerexpress.grid.tests.conftest import household_csv, transformer_csv
from powerexpress.grid.tests.test_views import make_forecast
from powerexpress.registry.models import Customer

pytestmark = pytest.mark.browser


def shoot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_a_manager_goes_from_the_risk_list_to_a_phase_balancing_work_order(
    world, data_dir, page, live_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.interval_file_ingest(
            user=world.users["manager"],
            kind=DataKind.TRANSFORMER,
            file_name="t.csv",
            content=transformer_csv(overload_hours=(18, 21)),
        )
    services.interval_file_ingest(
        user=world.users["manager"],
        kind=DataKind.HOUSEHOLD,
        file_name="h.csv",
        content=household_csv(["0602000001", "0602000002"], days=3),
    )
    world.customer_a2.phase = "A"
    world.customer_a2.save()
    make_forecast(world)
    browser_login(page, live_server, "manager")
    page.goto(f"{live_server.url}/grid/?year=2027")
    assert "重过载风险台区" in page.content()
    shoot(page, "grid-risk.png")
    page.click("#risk-table >> text=XD001-01")
    page.wait_for_selector("#curve .main-svg")
    assert "过载" in page.content() and "0602000001" in page.content()
    page.click("text=计算调整方案")
    page.wait_for_selector("text=生成工单")
    shoot(page, "grid-transformer.png")
    page.click("text=生成工单")
    plan = PhasePlan.objects.get()
    page.wait_for_selector(f"text={plan.work_order.number}")
    assert plan.work_order.items == plan.moves and len(plan.moves) == 1
    order = plan.work_order
    household, to_phase = plan.moves[0]["household"], plan.moves[0]["to"]

    # The crew completes the order on a phone; the registry follows.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 780})
    browser_login(page, live_server, "crew_a")
    page.goto(f"{live_server.url}/workorders/{order.pk}/")
    page.check(f"input[name=moved][value='{household}']")
    with page.expect_navigation():
        page.click("text=完成工单")
    page.wait_for_selector("text=档案变更记录")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(page, "workorder-completed.png")
    assert Customer.objects.get(account_no=household).phase == to_phase
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/grid/transformers/XD001-01/")
    page.wait_for_selector("#curve .main-svg")
    shoot(page, "grid-transformer-after.png")


def test_the_load_curve_speaks_chinese_in_its_dates_and_tool_bar(world, data_dir, page, live_server):
    services.interval_file_ingest(
        user=world.users["clerk_a"],
        kind=DataKind.TRANSFORMER,
        file_name="t.csv",
        content=transformer_csv(overload_hours=(18, 21)),
    )
    browser_login(page, live_server, "crew_a")
    page.goto(f"{live_server.url}/grid/transformers/XD001-01/?start=2026-01-10&end=2026-01-12")
    page.fill("input[name=start]", "2026-01-10")
    page.fill("input[name=end]", "2026-01-12")
    page.click("#curve-form button")
    page.wait_for_selector("#curve .xtick")
    ticks = " ".join(page.eval_on_selector_all("#curve .xtick text", "ts => ts.map(t => t.textContent)"))
    titles = page.eval_on_selector_all("#curve .modebar-btn", "bs => bs.map(b => b.dataset.title)")
    assert "月" in ticks and "Jan" not in ticks, ticks
    assert "自动缩放" in titles or "重置坐标轴" in titles, titles
