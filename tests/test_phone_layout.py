"""No staff page scrolls sideways on a 360 px phone, for any role (headless Chromium)."""

import pytest
from django.test import Client
from django.utils import translation

from conftest import browser_login, build_world
from powerexpress.repair.tests.factories import report, work_to
from tests.crawl import crawl


@pytest.fixture(autouse=True)
def keep_the_active_language():
    """Requests in Chinese must not leave Chinese active for the next test."""
    language = translation.get_language()
    yield
    translation.activate(language)


ROLES = ("crew_a", "team_a", "clerk_a", "manager", "auditor")
# Pages differ by role (a form for those who may record, a column for those who may reveal), so
# the field roles and the clerk see every page they reach; the others the pages not yet seen.
EVERY_PAGE = {"crew_a", "team_a", "clerk_a"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_staff_page_of_any_role_scrolls_sideways_at_360_px(browser, live_server):
    world = build_world()
    work_to(world, report(world), "dispatched")
    checked: set[str] = set()
    too_wide = []
    for who in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(world.users[who])
        pages = {
            name: url
            for name, (url, _html) in crawl(client).items()
            if who in EVERY_PAGE or name not in checked
        }
        checked.update(pages)
        # No service worker here: its background precaching would still be talking to the live
        # server (one shared SQLite connection) when the test's database is flushed.
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 360, "height": 740}, service_workers="block"
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        browser_login(page, live_server, who)
        for name, url in sorted(pages.items()):
            page.goto(live_server.url + url, wait_until="load")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                too_wide.append(f"{who} {name} {url}: {width}px")
        page.goto("about:blank")
        page.wait_for_load_state("networkidle")
        context.close()
    assert len(checked) >= 55  # the crawl really reached the pages
    assert too_wide == []
