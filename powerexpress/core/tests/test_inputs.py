"""The one input guard: control characters, numbers out of range, pagination, uploads, and the
rate limits when the cache is down (issue 11, audit findings)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from powerexpress.repair.models import FaultTicket

FAULT = {"village": "XD001", "phone": "13812345678", "description": "停电了"}
ACTIVITY = {
    "kind": "market_day",
    "title": "赶集日代扣宣传",
    "held_on": "2026-11-20",
    "village": "XD001",
    "people_reached": 180,
}
DOWN_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["description", "phone", "village"])
def test_a_nul_byte_in_any_string_answers_422_naming_the_field(world, field):
    response = world.api(None).post("/api/v1/faults", FAULT | {field: "停电\x00了"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": field, "message": "Remove the control characters (such as NUL) from this field."}
    ]
    assert FaultTicket.objects.count() == 0


@pytest.mark.django_db
def test_a_control_character_in_a_nested_field_or_the_query_string_is_named(world):
    response = world.api("manager").post(
        "/api/v1/outreach/activities", ACTIVITY | {"participants": ["X\x1b"]}
    )
    assert response.json()["errors"][0]["field"] == "participants"
    response = world.api("manager").get("/api/v1/customers", {"tag": "a\x00"})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "tag")


@pytest.mark.django_db
def test_line_breaks_and_tabs_in_text_are_accepted(world):
    response = world.api(None).post("/api/v1/faults", FAULT | {"description": "停电了\r\n\t变压器冒烟"})
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_nul_byte_in_a_public_form_answers_422_in_chinese_naming_the_field(world):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/repair/report/", FAULT | {"description": "停电\x00"}
    )
    assert response.status_code == 422
    assert "description" in response.content.decode() and "控制字符" in response.content.decode()
    assert FaultTicket.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/portal/login/", "/applications/status/"])
def test_a_nul_byte_on_the_other_public_pages_never_answers_500(world, path):
    response = Client().post(path, {"account_no": "\x00", "phone": "138\x00", "tracking_no": "\x00"})
    assert response.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize("value", [2**31, 2**40, -(2**31) - 1])
def test_a_count_beyond_its_database_column_answers_422_naming_it(world, value):
    response = world.api("manager").post("/api/v1/outreach/activities", ACTIVITY | {"people_reached": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "people_reached"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": 2**64}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 2**64}, "offset"),
    ],
)
def test_pagination_out_of_range_answers_422_naming_the_parameter(world, query, field):
    response = world.api("manager").get("/api/v1/customers", query)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.django_db
def test_a_page_of_500_rows_is_allowed(world):
    assert world.api("manager").get("/api/v1/customers", {"limit": 500}).status_code == 200


@pytest.mark.django_db
def test_an_id_beyond_64_bits_in_the_path_is_not_found_rather_than_a_server_error(world):
    assert world.api("manager").get(f"/api/v1/billing/runs/{2**70}").status_code == 404


@pytest.mark.django_db
@override_settings(CACHES=DOWN_CACHE, RATELIMIT_ENABLE=True)
def test_public_endpoints_still_answer_when_the_cache_is_down(world, caplog):
    client = world.api(None)
    assert client.post("/api/v1/faults", FAULT).status_code == 201
    assert (
        client.get(f"/api/v1/faults/{FaultTicket.objects.get().number}", {"phone": "13812345678"}).status_code
        == 200
    )
    assert Client().post("/repair/report/", FAULT | {"idempotency_key": "k1"}).status_code == 302
    assert (
        Client().post("/portal/login/", {"account_no": "0602000001", "phone": "13812345678"}).status_code
        == 302
    )
    assert "the cache failed" in caplog.text


@pytest.mark.django_db
@override_settings(RATELIMIT_ENABLE=True, PUBLIC_RATE_LIMIT="2/m")
def test_rate_limits_are_counted_in_the_shared_database_cache(world):
    from django.db import connection

    client = world.api(None)
    codes = [client.post("/api/v1/faults", FAULT).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM powerexpress_cache")
        assert cursor.fetchone()[0] >= 1


@pytest.mark.django_db
@override_settings(
    RATELIMIT_ENABLE=True,
    PUBLIC_RATE_LIMIT="1/m",
    TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR",
    TRUSTED_PROXY_COUNT=1,
)
def test_behind_a_trusted_proxy_each_villager_has_their_own_limit(world):
    client = world.api(None)

    def report(forwarded: str) -> int:
        return client.post("/api/v1/faults", FAULT, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert report("1.1.1.1") == 201
    assert report("2.2.2.2") == 201
    assert report("9.9.9.9, 1.1.1.1") == 429  # a forged left-hand entry does not escape the limit


@pytest.mark.django_db
@override_settings(MAX_PHOTO_UPLOAD_BYTES=1000)
def test_a_public_photo_above_the_limit_is_refused_naming_the_field(world):
    big = SimpleUploadedFile("a.png", png_bytes() + b"\x00" * 2000, content_type="image/png")
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/repair/report/", FAULT | {"photo": big})
    assert response.status_code == 422
    page = response.content.decode()
    assert "photo" in page and "too large" in page
    assert FaultTicket.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("a.png", b"MZ not an image"), ("a.exe", b"MZ"), ("a.xlsx", b"plain text"), ("a.csv", b"a,b\x00\x01")],
)
def test_an_upload_whose_content_does_not_match_its_type_is_refused(world, name, content):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/repair/report/", FAULT | {"photo": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    assert FaultTicket.objects.count() == 0


@pytest.mark.django_db
@override_settings(MAX_REQUEST_BODY_BYTES=1000)
def test_a_body_above_the_limit_is_refused_before_it_is_read(world):
    response = world.api(None).post("/api/v1/faults", FAULT | {"description": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"


@pytest.mark.django_db
def test_a_count_beyond_its_database_column_is_a_form_error_on_the_activity_page(world):
    from powerexpress.outreach.models import Activity
    from powerexpress.outreach.tests.test_activities import post_activity

    response = post_activity(world.web("team_a"), world, people_reached=2**31)
    assert response.status_code == 200 and "people_reached" in response.context["form"].errors
    assert not Activity.objects.exists()
