"""The issue's "done when", in a real headless browser: a publicity team member records a
market-day activity with sign-ups; the vanguard team sees who is due a visit and records it; a
station runs a pre-festival inspection whose failed item becomes a hazard closed after
re-inspection; a station prints every village's notice board (PDF rendered to images)."""

import shutil
import subprocess

import pytest

from conftest import browser_login
from powerexpress.outreach.choices import HazardStatus
from powerexpress.outreach.models import Activity, CareVisit, Hazard
from powerexpress.registry.models import Staff, Team
from powerexpress.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def publicity_member(world):
    staff = Staff.objects.create(
        station=world.station_a, employee_no="XD-020", name="姚宣传", phone="13700000020"
    )
    team = Team.objects.create(
        station=world.station_a,
        code="XD-publicity",
        kind="publicity",
        name="新店宣传队",
        responsible_unit="新店供电所党支部、工会",
        responsible_person=staff,
    )
    team.members.set([staff])
    user = world.users["team_a"]
    user.staff = staff
    user.save()
    return team


def test_a_publicity_team_member_records_a_market_day_activity_with_sign_ups(
    world, publicity_member, page, live_server
):
    browser_login(page, live_server, "team_a")
    page.goto(f"{live_server.url}/outreach/activities/new/")
    page.select_option("select[name=kind]", "market_day")
    page.fill("input[name=title]", "新店赶集日：银行代扣电费宣传摊点")
    page.select_option("select[name=village]", str(world.village_a.pk))
    assert page.input_value("select[name=team]") == str(publicity_member.pk)
    page.check(f"input[name=participants][value='{publicity_member.responsible_person.pk}']")
    page.fill("input[name=people_reached]", "240")
    page.fill("input[name=materials]", "代扣宣传单 500 份")
    page.fill("input[name=signups_recorded]", "23")
    page.fill("textarea[name=outcomes]", "现场签约代扣 23 户")
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    activity = Activity.objects.get()
    assert page.url.endswith(f"/outreach/activities/{activity.pk}/")
    assert activity.code in page.content() and "23" in page.inner_text("dl.fields")
    page.screenshot(path="/tmp/outreach-activity.png", full_page=True)
    page.goto(f"{live_server.url}/outreach/villages/{world.village_a.code}/")
    assert activity.code in page.content()


def test_the_vanguard_team_sees_who_is_due_and_records_a_visit(world, vanguard, page, live_server):
    browser_login(page, live_server, "team_a")
    page.goto(f"{live_server.url}/outreach/care/")
    row = page.locator("tr", has_text="0602000001")
    assert row.count() == 1 and row.locator(".badge.red").count() == 1
    page.screenshot(path="/tmp/outreach-care-due.png", full_page=True)
    row.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=team]", str(vanguard.pk))
    page.fill("input[name=visitors]", "龙书记、吴台区")
    page.fill("textarea[name=findings]", "老人独居，卧室插座松动")
    page.fill("textarea[name=help_given]", "更换插座，讲解电热毯安全使用")
    page.check("input[name=safety_check_done]")
    page.click("#visit-form button.primary")
    page.wait_for_load_state("networkidle")
    assert "老人独居" in page.content()
    assert CareVisit.objects.get().safety_check_done
    page.goto(f"{live_server.url}/outreach/care/?state=all")
    assert page.locator("tr", has_text="0602000001").locator(".badge.green").count() == 1


def test_a_pre_festival_inspection_raises_a_hazard_closed_after_reinspection(world, page, live_server):
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/outreach/inspections/new/")
    page.select_option("select[name=kind]", "pre_festival")
    page.fill("input[name=title]", "新店供电所春节前拉网式排查")
    page.fill("input[name=starts_on]", "2026-01-05")
    page.fill("input[name=ends_on]", "2026-02-10")
    page.select_option("select[name=villages]", [str(world.village_a.pk)])
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    page.select_option("#inspection-form select[name=village]", str(world.village_a.pk))
    page.select_option("#inspection-form select[name=transformer]", str(world.transformer_a.pk))
    page.fill("#inspection-form input[name=inspected_on]", "2026-01-08")
    page.check("input[name=rcd_trip__result][value=fail]")
    page.fill("input[name=rcd_trip__notes]", "漏电保护开关试跳不动作")
    page.select_option("select[name=rcd_trip__severity]", "critical")
    page.click("#inspection-form button.primary")
    page.wait_for_load_state("networkidle")
    hazard = Hazard.objects.get()
    assert "漏电保护开关试跳不动作" in page.content()
    page.goto(f"{live_server.url}/outreach/hazards/{hazard.pk}/")
    page.click("#order-fix")
    page.wait_for_load_state("networkidle")
    assert WorkOrder.objects.get().source_ref == str(hazard.pk)
    page.check("#reinspect-form input[name=passed][value='0']")
    page.click("#reinspect-form button.primary")
    page.wait_for_load_state("networkidle")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FIXING
    page.check("#reinspect-form input[name=passed][value='1']")
    page.fill("#reinspect-form textarea[name=notes]", "已更换漏保，试跳正常")
    page.click("#reinspect-form button.primary")
    page.wait_for_load_state("networkidle")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED
    assert page.locator("#hazard-status.green").count() == 1
    page.screenshot(path="/tmp/outreach-hazard.png", full_page=True)


def test_a_station_prints_every_villages_notice_board(world, page, live_server, tmp_path):
    page.goto(f"{live_server.url}/outreach/board/{world.village_a.code}/")
    assert "老寨村" in page.content() and page.locator("svg").count() >= 1 and "95598" in page.content()
    page.screenshot(path="/tmp/outreach-board-page.png", full_page=True)
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/outreach/boards/")
    link = page.locator("a[data-station=XD]")
    response = page.context.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "boards.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 2
    for image in images:
        shutil.copy(image, f"/tmp/outreach-print-{image.name}")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "老寨村" in text and "新店社区" in text
