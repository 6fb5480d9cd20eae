import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from powerexpress.core.models import AuditEntry, Notification
from powerexpress.repair.models import FaultNote, FaultTicket, RepairSettings
from powerexpress.repair.tests.factories import report, work_to


@pytest.fixture(autouse=True)
def keep_the_active_language():
    """Requests in Chinese must not leave Chinese active for the next test."""
    language = translation.get_language()
    yield
    translation.activate(language)


def photo_file(name="p.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.mark.django_db
def test_the_qr_report_page_prefills_the_village_and_is_tiny(world):
    response = Client().get(reverse("repair:report"), {"village": "XD001"})
    assert reverse("repair:report") == "/repair/report/"
    assert response.status_code == 200
    html = response.content.decode()
    assert "老寨村" in html and 'name="village" value="XD001"' in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert len(response.content) < 8_000


@pytest.mark.django_db
def test_the_report_page_without_a_village_asks_the_township_then_its_villages(world):
    html = Client().get("/repair/report/").content.decode()
    assert (
        '<select name="township"' in html
        and "新店镇 · 新店供电所" in html
        and "朱家场镇 · 朱家场供电所" in html
    )
    assert '<select name="village"' not in html
    html = Client().get("/repair/report/", {"township": "XD-T1"}).content.decode()
    villages = html.split('<select name="village"')[1].split("</select>")[0]
    assert "老寨村" in villages and "新店社区" in villages and "洪家湾村" not in villages


@pytest.mark.django_db
def test_the_fault_page_shows_the_danger_warning_first_and_stays_light(world):
    response = Client().get("/repair/report/", {"township": "XD-T1"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert html.index("95598") < html.index("<form")
    assert "断落" in html and "<script" not in html
    assert len(response.content) < 50_000


@pytest.mark.django_db
def test_a_report_with_errors_keeps_the_chosen_township(world):
    response = Client().post("/repair/report/", {"township": "XD-T1", "phone": "123", "description": "x"})
    html = response.content.decode()
    assert '<select name="village"' in html and "老寨村" in html


@pytest.mark.django_db
def test_a_villager_reports_on_the_page_with_a_photo_and_follows_it(world):
    client = Client()
    page = client.get("/repair/report/?village=XD001").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {
        "village": "XD001",
        "via": "qr",
        "phone": "13812345678",
        "description": "抽水泵停了",
        "idempotency_key": key,
        "photo": photo_file(),
    }
    response = client.post("/repair/report/", data)
    ticket = FaultTicket.objects.get()
    assert response.status_code == 302 and response.url == f"/repair/follow/{ticket.number}/"
    assert ticket.source == "qr" and FaultNote.objects.get(ticket=ticket).kind == "photo"
    data["photo"] = photo_file()
    assert client.post("/repair/report/", data).status_code == 302
    assert FaultTicket.objects.count() == 1
    follow = client.get(response.url)
    assert follow.status_code == 200 and ticket.number in follow.content.decode()


@pytest.mark.django_db
def test_the_report_page_shows_field_errors(world):
    response = Client().post("/repair/report/", {"village": "XD001", "phone": "123", "description": "x"})
    assert response.status_code == 200 and FaultTicket.objects.count() == 0
    assert "11" in response.content.decode()


@pytest.mark.django_db
def test_the_follow_page_asks_for_the_phone_and_hides_other_reports(world):
    ticket = report(world)
    client = Client()
    url = reverse("repair:follow", args=[ticket.number])
    assert url == f"/repair/follow/{ticket.number}/"
    asked = client.get(url).content.decode()
    assert 'name="phone"' in asked and "老寨村" not in asked
    assert "老寨村" not in client.get(url, {"phone": "13900000000"}).content.decode()
    assert "老寨村" in client.get(url, {"phone": "13812345678"}).content.decode()


@pytest.mark.django_db
def test_the_rating_link_takes_one_to_five_stars_after_closure(world):
    ticket = work_to(world, report(world), "closed")
    client = Client()
    assert client.get(f"/repair/rate/{ticket.number}/wrong/").status_code == 404
    url = reverse("repair:rate", args=[ticket.number, ticket.rating_token])
    assert client.get(url).status_code == 200
    assert client.post(url, {"rating": "9"}).status_code == 200
    assert client.post(url, {"rating": "5", "comment": "很好"}).status_code == 200
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (5, "很好")


@pytest.mark.django_db
def test_the_hotline_records_a_ticket_for_the_caller(world):
    client = world.web("clerk_a")
    assert client.get("/repair/hotline/").status_code == 200
    lookup = client.get("/repair/lookup/", {"q": "0602000001"}).content.decode()
    assert "杨永国" in lookup and "138****5678" in lookup
    assert "龙建明" not in client.get("/repair/lookup/", {"q": "0603000001"}).content.decode()
    response = client.post(
        "/repair/hotline/",
        {
            "village": "XD001",
            "phone": "13812345678",
            "description": "没电",
            "account_no": "0602000001",
            "idempotency_key": "h1",
        },
    )
    ticket = FaultTicket.objects.get()
    assert response.status_code == 302 and ticket.source == "hotline"
    assert ticket.reported_by == world.users["clerk_a"]
    refused = client.post(
        "/repair/hotline/", {"village": "ZJC001", "phone": "13812345678", "description": "x"}
    )
    assert refused.status_code == 200 and FaultTicket.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["crew_a", "team_a", "auditor"])
def test_only_dispatchers_use_the_hotline(world, who):
    assert world.web(who).get("/repair/hotline/").status_code == 403


@pytest.mark.django_db
def test_a_user_without_a_role_sees_no_repair_page(world):
    client = world.web("outsider")
    for url in ("/repair/", "/repair/crew/", "/repair/outages/", "/repair/kpis/", "/repair/hotline/"):
        assert client.get(url).status_code == 403
    assert Client().get("/repair/").status_code == 302


@pytest.mark.django_db
def test_the_station_list_shows_its_own_tickets_with_a_countdown(world):
    mine = report(world)
    theirs = report(world, village=world.village_b, phone="15012345678")
    html = world.web("clerk_a").get("/repair/").content.decode()
    assert mine.number in html and theirs.number not in html and "data-due=" in html
    partial = world.web("clerk_a").get("/repair/", HTTP_HX_REQUEST="true").content.decode()
    assert mine.number in partial and "<html" not in partial
    assert world.web("clerk_b").get(f"/repair/t/{mine.number}/").status_code == 404
    assert world.web("manager").get(f"/repair/t/{theirs.number}/").status_code == 200


@pytest.mark.django_db
def test_the_clerk_dispatches_and_the_crew_works_the_ticket_from_the_phone_page(world):
    ticket = report(world)
    clerk, crew = world.web("clerk_a"), world.web("crew_a")
    detail = clerk.get(f"/repair/t/{ticket.number}/").content.decode()
    assert "crew_a" in detail
    clerk.post(
        f"/repair/t/{ticket.number}/move/", {"status": "dispatched", "assignee": world.users["crew_a"].pk}
    )
    page = crew.get("/repair/crew/").content.decode()
    assert ticket.number in page and 'value="en_route"' in page
    for step in ("en_route", "on_site"):
        assert (
            crew.post(f"/repair/t/{ticket.number}/move/", {"status": step, "next": "crew"}).url
            == "/repair/crew/"
        )
    crew.post(
        f"/repair/t/{ticket.number}/note/", {"kind": "material", "text": "200 m conductor", "next": "crew"}
    )
    crew.post(f"/repair/t/{ticket.number}/note/", {"kind": "photo", "photo": photo_file(), "next": "crew"})
    crew.post(f"/repair/t/{ticket.number}/move/", {"status": "restored", "next": "crew"})
    ticket.refresh_from_db()
    assert ticket.status == "restored"
    assert list(ticket.notes.values_list("kind", flat=True)) == ["material", "photo"]
    assert ticket.number not in crew.get("/repair/crew/").content.decode()


@pytest.mark.django_db
def test_another_crew_member_cannot_work_a_ticket_not_assigned_to_them(world):
    ticket = report(world)
    assert (
        world.web("crew_a").post(f"/repair/t/{ticket.number}/move/", {"status": "cancelled"}).status_code
        == 403
    )
    assert (
        world.web("team_a")
        .post(f"/repair/t/{ticket.number}/note/", {"kind": "note", "text": "x"})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_an_illegal_step_on_the_page_shows_the_message(world):
    ticket = report(world)
    response = world.web("clerk_a").post(
        f"/repair/t/{ticket.number}/move/", {"status": "closed"}, follow=True
    )
    assert "cannot become" in response.content.decode()


@pytest.mark.django_db
def test_revealing_the_reporter_phone_is_audited(world):
    ticket = report(world)
    response = world.web("clerk_a").post(f"/repair/t/{ticket.number}/reveal/")
    assert "13812345678" in response.content.decode()
    assert AuditEntry.objects.get().object_ref == ticket.number
    assert world.web("crew_a").post(f"/repair/t/{ticket.number}/reveal/").status_code == 403


@pytest.mark.django_db
def test_outage_pages_restore_and_announce(world):
    report(world, account_no="0602000001")
    outage = report(world, phone="13912345678", account_no="0602000002").outage
    clerk = world.web("clerk_a")
    assert outage.number in clerk.get("/repair/outages/").content.decode()
    detail = clerk.get(f"/repair/outages/{outage.pk}/").content.decode()
    assert "0602000001" in detail and "138****5678" in detail
    assert world.web("clerk_b").get(f"/repair/outages/{outage.pk}/").status_code == 404
    assert world.web("crew_a").post(f"/repair/outages/{outage.pk}/restore/").status_code == 403
    clerk.post(f"/repair/outages/{outage.pk}/restore/")
    assert set(FaultTicket.objects.values_list("status", flat=True)) == {"restored"}
    assert clerk.get("/repair/outages/plan/").status_code == 200
    refused = clerk.post(
        "/repair/outages/plan/",
        {
            "transformer": world.transformer_a.pk,
            "start_at": "2020-01-01T08:00",
            "end_at": "2020-01-01T12:00",
            "reason": "检修",
        },
    )
    assert refused.status_code == 200 and "7" in refused.content.decode()


@pytest.mark.django_db
def test_kpi_page_and_commitments_page(world):
    work_to(world, report(world), "closed")
    assert "新店供电所" in world.web("manager").get("/repair/kpis/").content.decode()
    assert world.web("clerk_a").post("/repair/settings/", {"arrival_rural_min": "1"}).status_code == 403
    assert world.web("clerk_a").get("/repair/settings/").status_code == 200
    values = {
        "arrival_urban_min": 40,
        "arrival_rural_min": 80,
        "arrival_remote_min": 120,
        "restore_urban_min": 180,
        "restore_rural_min": 240,
        "restore_remote_min": 240,
        "warn_before_min": 15,
        "grouping_window_min": 60,
        "planned_notice_days": 7,
    }
    assert world.web("manager").post("/repair/settings/", values).status_code == 302
    saved = RepairSettings.objects.get()
    assert saved.arrival_rural_min == 80 and saved.updated_by == world.users["manager"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["crew_a", "team_a", "auditor"])
def test_only_dispatchers_announce_planned_outages_and_send_notices(world, who):
    client = world.web(who)
    assert client.get("/repair/outages/plan/").status_code == 403
    report(world, account_no="0602000001")
    outage = report(world, phone="13912345678", account_no="0602000002").outage
    assert client.post(f"/repair/outages/{outage.pk}/notify/").status_code == 403
    assert world.web("clerk_a").post(f"/repair/outages/{outage.pk}/explode/").status_code == 404


@pytest.mark.django_db
def test_a_clerk_announces_a_planned_outage_and_sends_the_notice(world):
    start = timezone.localtime() + datetime.timedelta(days=8)
    client = world.web("clerk_a")
    response = client.post(
        "/repair/outages/plan/",
        {
            "transformer": world.transformer_a.pk,
            "start_at": start.strftime("%Y-%m-%dT08:00"),
            "end_at": start.strftime("%Y-%m-%dT12:00"),
            "reason": "更换导线",
        },
    )
    assert response.status_code == 302
    client.post(response.url + "notify/")
    assert Notification.objects.filter(purpose="planned_outage").count() == 2
    assert (
        world.web("clerk_b")
        .post(
            "/repair/outages/plan/",
            {
                "transformer": world.transformer_a.pk,
                "start_at": start.strftime("%Y-%m-%dT08:00"),
                "end_at": start.strftime("%Y-%m-%dT12:00"),
                "reason": "x",
            },
        )
        .status_code
        == 200
    )
