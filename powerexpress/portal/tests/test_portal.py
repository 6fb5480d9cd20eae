import datetime
import re
import sys

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from powerexpress.applications.services import (
    application_connect,
    application_install,
    application_reply_plan,
    application_submit,
    application_survey,
)
from powerexpress.applications.tests.factories import application_body
from powerexpress.core.models import Notification
from powerexpress.core.notifications import MemoryBackend
from powerexpress.portal.models import ApplicationRating, LoginCode


@pytest.fixture(autouse=True)
def _clear_rate_limits(db, settings):
    cache.clear()
    settings.NOTIFICATION_BACKEND = "powerexpress.core.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()


def last_code() -> str:
    """The code in the last SMS as delivered (the stored copy has it masked)."""
    body = [message for message in MemoryBackend.outbox if message.purpose == "portal_login"][-1].body
    return re.search(r"\b(\d{6})\b", body).group(1)


def ask_code(client: Client, account_no="0602000001", phone="13812345678"):
    return client.post("/portal/login/", {"account_no": account_no, "phone": phone})


def signed_in(world) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    ask_code(client)
    response = client.post("/portal/login/code/", {"code": last_code()})
    assert response["Location"] == "/portal/"
    return client


def test_a_villager_signs_in_with_account_number_mobile_and_a_code_sent_by_sms(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = ask_code(client)
    assert response["Location"] == "/portal/login/code/"
    notification = Notification.objects.get(purpose="portal_login")
    assert notification.recipient == "13812345678" and notification.status == "logged"
    assert LoginCode.objects.get().code_hash != last_code()
    client.post("/portal/login/code/", {"code": last_code()})
    page = client.get("/portal/").content.decode()
    assert "杨永国" in page and "0602000001" in page


def test_a_wrong_mobile_gets_the_same_answer_and_no_code(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert ask_code(client, phone="13900000000")["Location"] == "/portal/login/code/"
    assert not Notification.objects.filter(purpose="portal_login").exists()
    response = client.post("/portal/login/code/", {"code": "123456"})
    assert "wrong or has expired" in response.content.decode()


def test_a_code_works_once_and_expires(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        ask_code(client)
    code = last_code()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 11, tzinfo=datetime.UTC), tick=False):
        response = client.post("/portal/login/code/", {"code": code})
    assert "expired" in response.content.decode()
    assert client.get("/portal/")["Location"] == "/portal/login/"


def test_a_code_locks_after_five_wrong_tries(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    ask_code(client)
    code = last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        page = client.post("/portal/login/code/", {"code": wrong}).content.decode()
    assert "locked" in page
    page = client.post("/portal/login/code/", {"code": code}).content.decode()
    assert "locked" in page
    assert client.get("/portal/")["Location"] == "/portal/login/"


def test_the_code_is_delivered_but_neither_stored_nor_logged_in_clear_text(world, caplog):
    ask_code(Client())
    code = last_code()
    stored = Notification.objects.get(purpose="portal_login")
    assert code not in stored.body and "******" in stored.body
    assert code not in caplog.text
    assert LoginCode.objects.get().code_hash != code and code not in LoginCode.objects.get().code_hash


def test_an_unknown_account_is_refused_more_codes_exactly_like_a_known_one(world):
    answers = {}
    for account_no, phone in (("0602000001", "13812345678"), ("0699999999", "13812345678")):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        for _ in range(3):
            assert ask_code(client, account_no, phone)["Location"] == "/portal/login/code/"
        page = ask_code(client, account_no, phone).content.decode()
        answers[account_no] = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page).replace(
            f'value="{account_no}"', ""
        )
    assert "wait half an hour" in answers["0699999999"]
    assert answers["0602000001"] == answers["0699999999"]


def test_a_household_gets_at_most_three_codes_in_half_an_hour(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(3):
        ask_code(client)
    page = ask_code(client).content.decode()
    assert "wait half an hour" in page
    assert Notification.objects.filter(purpose="portal_login").count() == 3


def test_sign_in_requests_are_rate_limited_per_device(world, settings):
    settings.RATELIMIT_ENABLE = True
    settings.PUBLIC_RATE_LIMIT = "2/m"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    codes = [ask_code(client, phone="13900000000").status_code for _ in range(3)]
    assert codes[:2] == [302, 302]
    assert "Too many tries" in ask_code(client, phone="13900000000").content.decode()


def test_every_portal_page_needs_a_signed_in_household(world):
    client = Client()
    for path in (
        "/portal/",
        "/portal/bills/",
        "/portal/autodebit/",
        "/portal/faults/",
        "/portal/applications/",
        "/portal/board/",
        "/portal/rate/YK1/",
    ):
        assert client.get(path)["Location"] == "/portal/login/", path
    # a staff sign-in is not a household sign-in
    assert world.web("clerk_a").get("/portal/bills/")["Location"] == "/portal/login/"


def test_pages_of_missing_capabilities_say_not_available_yet(world, monkeypatch):
    client = signed_in(world)
    for module in (
        "powerexpress.billing.selectors",
        "powerexpress.billing.services",
        "powerexpress.repair.services",
        "powerexpress.repair.selectors",
    ):
        monkeypatch.setitem(sys.modules, module, None)
    for path in ("/portal/bills/", "/portal/autodebit/", "/portal/faults/"):
        assert "not available yet" in client.get(path).content.decode(), path


def test_my_bills_show_the_tier_progress(world, monkeypatch):
    import types

    fake = types.ModuleType("powerexpress.billing.selectors")
    fake.customer_bills = lambda customer: [
        {
            "month": "2026-10",
            "energy_kwh": 180,
            "amount_fen": 8201,
            "tier_after": 1,
            "kwh_left_in_tier": 310,
            "cycle_start": datetime.date(2026, 1, 1),
            "status": "issued",
            "url": "/billing/bills/1/",
        }
    ]
    monkeypatch.setitem(sys.modules, "powerexpress.billing.selectors", fake)
    page = signed_in(world).get("/portal/bills/").content.decode()
    assert "82.01" in page and "310 kWh left" in page and "2026-01-01" in page


def test_a_villager_asks_for_bank_auto_debit(world):
    pytest.importorskip("powerexpress.billing.services")
    from powerexpress.billing.models import Agreement

    client = signed_in(world)
    response = client.post(
        "/portal/autodebit/", {"bank_name": "玉屏信用联社", "bank_account": "12", "channel": "counter"}
    )
    assert "12 to 19 digits" in response.content.decode()
    response = client.post(
        "/portal/autodebit/",
        {"bank_name": "玉屏信用联社", "bank_account": "6217001234567890123", "channel": "counter"},
    )
    assert response["Location"] == "/portal/"
    agreement = Agreement.objects.get(customer=world.customer_a)
    assert agreement.status == "pending"


def test_a_villager_reports_a_fault_and_sees_it_to_follow(world):
    pytest.importorskip("powerexpress.repair.services")
    client = signed_in(world)
    response = client.post("/portal/faults/", {"description": "全屋停电", "form_token": "t1"})
    assert response["Location"] == "/portal/faults/"
    page = client.get("/portal/faults/").content.decode()
    assert "/repair/follow/" in page and "phone=13812345678" in page


def test_the_notice_board_link_opens_the_villages_board(world):
    response = signed_in(world).get("/portal/board/")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == "/outreach/board/XD001/"


def test_a_villager_follows_applications_and_rates_a_connected_one(world):
    clerk = world.users["clerk_a"]
    application, _ = application_submit(
        raw=application_body(requested_kw="3", appliances=[{"name": "泵", "quantity": 1, "kw": "3"}])
    )
    other, _ = application_submit(raw=application_body(phone="13900000001"))
    client = signed_in(world)
    page = client.get("/portal/applications/").content.decode()
    assert application.tracking_no in page and other.tracking_no not in page
    assert "?village=XD001" in page
    assert client.post(f"/portal/rate/{application.tracking_no}/", {"stars": "5"}).status_code == 200
    assert not ApplicationRating.objects.exists()
    application = application_survey(user=clerk, application=application)
    for step in (application_reply_plan, application_install, application_connect):
        application = step(user=clerk, application=application)
    assert f"/portal/rate/{application.tracking_no}/" in client.get("/portal/applications/").content.decode()
    response = client.post(f"/portal/rate/{application.tracking_no}/", {"stars": "4", "comment": "很快"})
    assert response["Location"] == "/portal/applications/"
    assert ApplicationRating.objects.get().stars == 4
    assert (
        "already rated"
        in client.post(f"/portal/rate/{application.tracking_no}/", {"stars": "5"}).content.decode()
    )
    assert client.get(f"/portal/rate/{other.tracking_no}/").status_code == 404


def test_the_application_form_opened_from_the_portal_is_prefilled(world):
    client = signed_in(world)
    page = client.get("/applications/apply/residential/?village=XD001").content.decode()
    assert 'value="13812345678"' in page
    assert 'value="XD001" selected' in page


def test_the_portal_offers_large_text_with_the_same_cookie_as_the_other_public_pages(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get("/portal/login/").content.decode()
    assert '<html lang="zh-hans">' in page and "大字" in page
    switch = re.search(r'<a class="textsize" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(switch)
    assert response.status_code == 302 and response["Location"] == "/portal/login/"
    assert client.cookies["pe_large_text"].value == "1"
    large = client.get("/portal/login/").content.decode()
    assert '<html lang="zh-hans" class="bigtext">' in large and "正常字号" in large
    # A signed-in villager's pages keep it: the repair pages and the portal read one cookie.
    signed = signed_in(world)
    signed.cookies["pe_large_text"] = "1"
    assert 'class="bigtext"' in signed.get("/portal/bills/").content.decode()
    assert 'class="bigtext"' in signed.get("/repair/report/").content.decode()


@pytest.mark.browser
def test_large_text_on_the_portal_is_larger_and_fits_a_360_px_phone(world, page, live_server):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/portal/login/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    page.click("a.textsize")
    page.wait_for_selector("html.bigtext")
    large = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= 1.2 * normal and body == 20
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("header button[name=language]")  # English has the longer words
    page.wait_for_selector("html[lang=en].bigtext")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
