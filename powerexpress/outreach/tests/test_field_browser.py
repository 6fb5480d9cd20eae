"""A team member's day on a 360 × 740 phone in headless Chromium, and a care visit recorded with
the network off that reaches the server, once, when it returns."""

import pytest

from conftest import browser_login, build_world
from powerexpress.outreach.models import CareVisit

SCREENSHOTS = "docs/screenshots"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_team_member_records_a_care_visit_offline_and_it_arrives_once_when_back_online(
    browser, live_server
):
    world = build_world()
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    browser_login(page, live_server, "team_a")
    assert page.url.endswith("/outreach/today/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=f"{SCREENSHOTS}/team-member-day-phone.png", full_page=True)
    page.click("#today-care a")
    page.wait_for_selector("#visit-form")

    context.set_offline(True)
    page.fill("textarea[name=findings]", "老人身体好，线路正常")
    page.check("input[name=safety_check_done]")
    page.click("#visit-form button.primary")
    page.wait_for_function("document.getElementById('offline-status').textContent.includes('1')")
    assert "离线 — 1 项待发送" in page.inner_text("#offline-status")
    page.screenshot(path=f"{SCREENSHOTS}/team-member-offline-phone.png", full_page=True)
    assert CareVisit.objects.count() == 0

    context.set_offline(False)
    page.wait_for_function("document.getElementById('offline-status').hidden", timeout=30_000)
    page.wait_for_load_state("networkidle")
    visit = CareVisit.objects.get()
    assert visit.recorded_offline and visit.safety_check_done and visit.findings == "老人身体好，线路正常"
    assert visit.customer == world.customer_a
    page.wait_for_timeout(500)
    page.goto(f"{live_server.url}/outreach/care/{world.customer_a.account_no}/")
    assert "老人身体好" in page.content() and CareVisit.objects.count() == 1
    context.close()
