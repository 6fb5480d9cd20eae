"""A villager on a phone applies for an irrigation pump connection while station staff move it along."""

import subprocess

import pytest
from django.utils import translation

from conftest import browser_login, make_id_number
from powerexpress.applications.choices import ApplicationStatus
from powerexpress.applications.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def status_label(status: str) -> str:
    with translation.override("zh-hans"):
        return str(ApplicationStatus(status).label)


def test_a_villager_applies_for_an_irrigation_pump_on_a_phone_and_follows_it(
    world, page, browser, live_server
):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/applications/apply/")
    page.click("a[href$='/apply/agricultural/']")
    page.fill("input[name=applicant_name]", "杨永国")
    page.fill("input[name=id_number]", "522223198001011231")  # wrong check character
    page.fill("input[name=phone]", "13812345678")
    page.select_option("select[name=village]", "XD001")
    page.fill("input[name=address]", "老寨村3组 河边水田")
    page.fill("input[name=purpose]", "灌溉20亩水稻")
    page.fill("input[name=appliance_name]", "水泵")
    page.fill("input[name=appliance_quantity]", "1")
    page.fill("input[name=appliance_kw]", "5.5")
    page.click("#add-row")
    page.locator("input[name=appliance_name]").nth(1).fill("照明灯")
    page.locator("input[name=appliance_quantity]").nth(1).fill("2")
    page.locator("input[name=appliance_kw]").nth(1).fill("0.05")
    page.fill("input[name=requested_kw]", "5")
    assert page.inner_text("#connected-kw") == "5.60"
    assert page.locator(".sum.over").count() == 1  # more than the 5 kW asked for
    page.fill("input[name=requested_kw]", "6")
    page.check("input[value=land_proof]")
    page.screenshot(path="/tmp/applications-phone-form.png", full_page=True)
    # the draft survives closing the page
    page.click("#save-draft")
    page.reload()
    assert page.locator("input[name=appliance_kw]").nth(1).input_value() == "0.05"
    assert page.input_value("input[name=requested_kw]") == "6" and page.is_checked("input[value=land_proof]")
    assert page.inner_text("#connected-kw") == "5.60"
    page.click("#submit-application")
    # the server refuses the ID number and keeps everything typed
    assert page.inner_text("[data-for=id_number]")
    assert page.input_value("input[name=address]") == "老寨村3组 河边水田"
    assert page.locator("input[name=appliance_kw]").nth(1).input_value() == "0.05"
    assert page.is_checked("input[value=land_proof]")
    page.screenshot(path="/tmp/applications-phone-error.png", full_page=True)
    page.fill("input[name=id_number]", make_id_number("19800101", "123"))
    page.click("#submit-application")
    page.wait_for_selector("#tracking-no")
    tracking_no = page.inner_text("#tracking-no").strip()
    application = Application.objects.get(tracking_no=tracking_no)
    assert application.kind == "agricultural" and str(application.connected_kw) == "5.600"
    page.screenshot(path="/tmp/applications-phone-track.png", full_page=True)

    receipt = page.request.get(live_server.url + page.get_attribute("#receipt-link", "href"))
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    with open("/tmp/applications-browser-receipt.pdf", "wb") as handle:
        handle.write(receipt.body())
    text = subprocess.run(
        ["pdftotext", "/tmp/applications-browser-receipt.pdf", "-"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert tracking_no in text or not text  # pdftotext may be absent; the PDF is checked visually too

    staff_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    browser_login(staff, live_server, "clerk_a")
    staff.goto(f"{live_server.url}/applications/")
    staff.click(f"text={tracking_no}")
    for step in ("surveyed", "plan_replied", "installed", "connected"):
        staff.fill("textarea[name=notes]", f"step {step}")
        with staff.expect_navigation():
            staff.click(f"button[name=to_status][value={step}]")
        assert staff.inner_text("#status-label") == status_label(step)
        page.reload()
        assert page.inner_text("#status-label") == status_label(step)
    staff.screenshot(path="/tmp/applications-staff-detail.png", full_page=True)
    page.screenshot(path="/tmp/applications-phone-connected.png", full_page=True)
    staff_context.close()
    assert page.locator(".steps li.done").count() == 5
