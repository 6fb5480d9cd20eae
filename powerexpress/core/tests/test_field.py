"""Each role lands on its work; the station's work list; the phone layout's bottom bar."""

import datetime

import pytest
from django.utils import timezone, translation

from powerexpress.core.worklist import WorkGroup, WorkItem, worklist_for, worklist_register
from powerexpress.repair.services import fault_report_submit


@pytest.fixture(autouse=True)
def keep_the_active_language():
    """Requests in Chinese must not leave Chinese active for the next test."""
    language = translation.get_language()
    yield
    translation.activate(language)


def test_a_crew_member_lands_on_their_tickets(world):
    response = world.web("crew_a").get("/")
    assert response.status_code == 302 and response["Location"] == "/repair/crew/"


def test_a_team_member_lands_on_their_day(world):
    response = world.web("team_a").get("/")
    assert response.status_code == 302 and response["Location"] == "/outreach/today/"
    day = world.web("team_a").get("/outreach/today/").content.decode()
    assert "杨永国" in day  # a tagged household never visited is due


def test_a_manager_lands_on_the_command_centre_and_still_reaches_the_overview(world):
    assert world.web("manager").get("/").url == "/command/"
    page = world.web("manager").get("/overview/").content.decode()
    assert "朱家场供电所" in page and "bottombar" in page


def test_a_station_clerk_lands_on_the_station_work_list_with_tickets_near_their_deadline(world):
    ticket, _ = fault_report_submit(village=world.village_a_urban, phone="13812345678", description="没电了")
    page = world.web("clerk_a").get("/").content.decode()
    assert 'id="work-repair"' in page and ticket.number in page
    assert 'id="work-outreach"' in page and "杨永国" in page
    assert 'id="work-billing"' in page and 'id="work-applications"' in page
    assert ticket.number not in world.web("clerk_b").get("/").content.decode()


def test_the_work_list_takes_items_from_a_registered_provider_and_skips_a_missing_app(world):
    def lineloss(user, now):
        return WorkGroup(
            "lineloss", "高损台区", [WorkItem(title="老寨村1号台区", detail="8.2%", url="/grid/")]
        )

    def absent(user, now):
        from powerexpress import no_such_app  # noqa: F401

    worklist_register("lineloss-test", lineloss)
    worklist_register("absent-test", absent)
    try:
        keys = [group.key for group in worklist_for(world.users["clerk_a"])]
    finally:
        from powerexpress.core import worklist

        worklist._PROVIDERS.pop("lineloss-test")
        worklist._PROVIDERS.pop("absent-test")
    assert "lineloss" in keys and "repair" in keys


def test_the_bottom_bar_shows_the_roles_main_places(world):
    page = world.web("crew_a").get("/repair/crew/").content.decode()
    bar = page.split('class="bottombar"')[1].split("</nav>")[0]
    assert "/repair/crew/" in bar and "/repair/" in bar and bar.count("<a ") <= 4


@pytest.mark.django_db
def test_the_service_worker_and_manifest_are_served_from_the_site_root(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("application/javascript")
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_a_work_item_shows_dates_and_times_in_beijing_time():
    at = datetime.datetime(2026, 12, 7, 1, 30, tzinfo=datetime.UTC)
    assert WorkItem(title="", detail="", url="", due_at=at).due_text == "12-07 09:30"
    assert WorkItem(title="", detail="", url="", due_at=datetime.date(2026, 12, 7)).due_text == "12-07"
    assert timezone.localtime(at).hour == 9


def test_the_404_and_403_pages_are_chinese_in_the_site_layout(world):
    client = world.web("crew_a")
    missing = client.get("/repair/t/F-NONE/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    assert 'class="topbar"' in missing.content.decode() and 'name="viewport"' in missing.content.decode()
    forbidden = world.web("auditor").get("/repair/hotline/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert forbidden.status_code == 403 and "无权打开此页面" in forbidden.content.decode()


def test_the_500_page_is_chinese_and_needs_no_request_context():
    from django.test import RequestFactory
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "出错" in response.content.decode()


def test_collected_static_files_get_hashed_names_with_brotli_and_gzip_copies(tmp_path):
    from django.core.files.storage import FileSystemStorage
    from django.templatetags.static import static

    from powerexpress.core.storage import StaticStorage
    from powerexpress.core.views import STATIC_DIR

    assert static("core/app.css") == "/static/core/app.css"  # not collected: plain names
    source = FileSystemStorage(location=STATIC_DIR.parent)
    storage = StaticStorage(location=tmp_path)
    storage.save("core/app.css", source.open("core/app.css"))
    list(storage.post_process({"core/app.css": (source, "core/app.css")}))
    names = {path.name for path in (tmp_path / "core").iterdir()}
    hashed = [n for n in names if n.startswith("app.") and n.endswith(".css") and n != "app.css"]
    assert len(hashed) == 1 and f"{hashed[0]}.br" in names and f"{hashed[0]}.gz" in names
    assert StaticStorage(location=tmp_path).url("core/app.css") == f"/static/core/{hashed[0]}"


def test_a_held_meter_reading_is_on_its_stations_work_list_only(world):
    from decimal import Decimal

    from powerexpress.billing.choices import ReadingStatus
    from powerexpress.billing.models import MeterReading

    MeterReading.objects.create(
        customer=world.customer_a,
        read_on=datetime.date(2026, 11, 30),
        register_kwh=Decimal("1234.5"),
        status=ReadingStatus.HELD,
        problem="用量异常",
    )
    groups = {g.key: g for g in worklist_for(world.users["clerk_a"])}
    assert [item.title for item in groups["billing"].items] == ["0602000001 · 杨永国"]
    assert groups["billing"].items[0].due_text == "11-30"
    other = {g.key: g for g in worklist_for(world.users["clerk_b"])}
    assert other["billing"].items == []
