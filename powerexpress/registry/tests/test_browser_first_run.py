"""First run in a real headless Chromium: a superuser on an empty installation lands on the
first-run page, creates the bureau with its form, and sees what is still missing, in Chinese."""

import os

import pytest

from conftest import browser_login
from powerexpress.accounts.models import User
from powerexpress.registry.models import Bureau

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def test_a_superuser_on_an_empty_installation_creates_the_bureau_on_the_first_run_page(page, live_server):
    User.objects.create_superuser(username="root", password="pw-12345678")
    browser_login(page, live_server, "root")
    assert page.url.endswith("/registry/setup/")
    assert page.locator("h1").inner_text() == "首次设置"
    assert page.locator("#step-bureau .badge").inner_text() == "缺少"
    page.fill("input[name=code]", "YP")
    page.fill("input[name=name]", "玉屏供电局")
    page.fill("input[name=manager]", "li_ju")
    page.fill("input[name=password]", "pw-12345678")
    with page.expect_navigation():
        page.click("#setup-form button.primary")
    assert page.locator("#step-bureau .badge").inner_text() == "已完成"
    assert page.locator("#step-manager .badge").inner_text() == "已完成"
    assert page.locator("#step-stations .badge").inner_text() == "缺少"
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "first-run.png"), full_page=True)
    assert Bureau.objects.get().name == "玉屏供电局"
