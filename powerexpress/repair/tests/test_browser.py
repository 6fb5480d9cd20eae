import pytest

from conftest import browser_login, build_world
from powerexpress.repair.models import FaultTicket


def wait_until(page, condition, seconds: float = 20) -> None:
    """Waits (in the browser's clock, a quarter second at a time) until the server has stored what
    the page sent: a click answered in place gives no navigation to wait for."""
    for _ in range(int(seconds * 4)):
        if condition():
            return
        page.wait_for_timeout(250)
    assert condition()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_whole_repair_path_in_a_real_browser(browser, live_server):
    build_world()
    villager = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}).new_page()
    villager.set_default_timeout(15_000)
    villager.goto(f"{live_server.url}/repair/report/?village=XD001")
    assert "老寨村" in villager.content()
    villager.fill("input[name=phone]", "13812345678")
    villager.fill("textarea[name=description]", "抽水泵停了，全组没电")
    villager.screenshot(path="/tmp/repair-report.png", full_page=True)
    villager.click("button[type=submit]")
    villager.wait_for_url("**/repair/follow/**")
    ticket = FaultTicket.objects.get()
    assert ticket.number in villager.content()

    clerk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    clerk.set_default_timeout(15_000)
    browser_login(clerk, live_server, "clerk_a")
    clerk.goto(f"{live_server.url}/repair/")
    assert clerk.locator("#tickets").get_by_text(ticket.number).count() == 1
    clerk.wait_for_selector(".countdown.green")
    clerk.screenshot(path="/tmp/repair-list.png", full_page=True)
    clerk.click(f"text={ticket.number}")
    clerk.select_option("select[name=assignee]", label="crew_a")
    clerk.click("form:has(select[name=assignee]) button")
    clerk.wait_for_load_state("networkidle")

    crew = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}).new_page()
    crew.set_default_timeout(15_000)
    browser_login(crew, live_server, "crew_a")
    crew.goto(f"{live_server.url}/repair/crew/")
    for step in ("en_route", "on_site"):
        crew.click(f"button[name=status][value={step}]")
        crew.wait_for_selector(".confirm")
        crew.wait_for_load_state("networkidle")
    crew.goto(f"{live_server.url}/repair/crew/{ticket.number}/")
    crew.fill("input[name=text][placeholder*='200']", "200 m 导线")
    crew.click("form:has(input[value=material]) button")
    wait_until(crew, lambda: ticket.notes.exists())  # the note is saved before the next tap
    crew.wait_for_load_state("networkidle")
    crew.screenshot(path="/tmp/repair-crew.png", full_page=True)
    crew.click("button[name=status][value=restored]")
    wait_until(crew, lambda: FaultTicket.objects.get(pk=ticket.pk).status == "restored")

    clerk.reload()
    clerk.click("button[name=status][value=closed]")
    clerk.wait_for_load_state("networkidle")
    clerk.screenshot(path="/tmp/repair-detail.png", full_page=True)

    villager.reload()
    villager.check("input[name=rating][value='5']")
    villager.fill("textarea[name=comment]", "师傅来得快")
    villager.screenshot(path="/tmp/repair-follow.png", full_page=True)
    villager.click("form[action*='/rate/'] button")
    villager.wait_for_load_state("networkidle")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == ("closed", 5, "师傅来得快")
    assert list(ticket.notes.values_list("text", flat=True)) == ["200 m 导线"]
