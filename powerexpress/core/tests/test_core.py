import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from powerexpress.core.masking import mask_bank_account, mask_id_number, mask_phone
from powerexpress.core.models import Notification, NotificationStatus
from powerexpress.core.notifications import notify
from powerexpress.core.validators import id_check_character, id_number_error, mobile_error


def test_masks_keep_only_the_ends():
    assert mask_id_number("52222319800101123X") == "522223**********3X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_bank_account("6217001234567890123") == "6217***********0123"
    assert mask_phone("") == ""


def test_the_check_character_follows_gb_11643():
    # The example of GB 11643-1999: 11010519491231002X
    assert id_check_character("11010519491231002") == "X"
    assert id_number_error("11010519491231002X") is None
    assert id_number_error("110105194912310021") is not None


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_any_id_built_with_its_check_character_is_valid(born, sequence):
    first17 = f"522223{born:%Y%m%d}{sequence:03d}"
    assert id_number_error(first17 + id_check_character(first17)) is None


@translation.override("en")  # the messages are English only when English is active (the default is Chinese)
def test_a_future_or_impossible_birth_date_is_refused():
    future = "52222330000101123"
    bad = "52222319800230123"
    with translation.override("en"):
        assert "birth date" in id_number_error(future + id_check_character(future))
        assert "birth date" in id_number_error(bad + id_check_character(bad))


@pytest.mark.parametrize(
    "mobile,ok",
    [
        ("13812345678", True),
        ("19912345678", True),
        ("12812345678", False),
        ("1381234567", False),
        ("138123456789", False),
        ("1381234567a", False),
    ],
)
def test_mobiles_are_1_3_to_9_and_nine_digits(mobile, ok):
    assert (mobile_error(mobile) is None) is ok


def test_the_log_backend_says_logged_not_sent(db):
    notification = notify(channel="sms", recipient="13812345678", subject="", body="验证码 123456")
    assert notification.status == NotificationStatus.LOGGED
    assert Notification.objects.get().status == NotificationStatus.LOGGED


def test_an_unconfigured_sms_gateway_fails_honestly(db, settings):
    settings.NOTIFICATION_BACKEND = "powerexpress.core.notifications.HttpSmsBackend"
    notification = notify(channel="sms", recipient="13812345678", subject="", body="hi")
    assert notification.status == NotificationStatus.FAILED
    assert "SMS_GATEWAY_URL" in notification.error


def test_the_sms_gateway_backend_posts_to_the_gateway(db, settings):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(
                (
                    self.headers["Authorization"],
                    json.loads(self.rfile.read(int(self.headers["Content-Length"]))),
                )
            )
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    settings.NOTIFICATION_BACKEND = "powerexpress.core.notifications.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret"
    notification = notify(channel="sms", recipient="13812345678", subject="", body="停电通知")
    thread.join(5)
    server.server_close()
    assert notification.status == NotificationStatus.SENT
    assert received == [("Bearer secret", {"to": "13812345678", "text": "停电通知", "sign": ""})]


def test_email_goes_through_djangos_mail(db, settings, mailoutbox):
    settings.NOTIFICATION_BACKEND = "powerexpress.core.notifications.EmailBackend"
    notification = notify(channel="email", recipient="head@example.com", subject="超时", body="工单超时")
    assert notification.status == NotificationStatus.SENT
    assert mailoutbox[0].subject == "超时"


def test_the_overview_counts_households_care_tags_and_tight_districts(world):
    from powerexpress.registry.models import TransformerDistrict

    TransformerDistrict.objects.filter(pk=world.transformer_a.pk).update(
        rated_kva=3
    )  # 2 households need 4 kVA
    page = world.web("manager").get("/overview/").content.decode()
    stations = page.split("<tbody>")[1]
    assert "新店供电所" in stations and "朱家场供电所" in stations
    assert '<span class="badge amber">1</span>' in stations
    only_own = world.web("clerk_b").get("/overview/").content.decode()
    assert "新店供电所" not in only_own
