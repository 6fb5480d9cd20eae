import datetime

import pytest
import time_machine
from django.core.cache import cache

from powerexpress.applications.models import Application, ApplicationEvent
from powerexpress.applications.tests.factories import application_body

URL = "/api/v1/applications"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_an_anonymous_applicant_submits_and_gets_a_tracking_number_and_due_dates(world):
    response = world.api(None).post(URL, application_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"tracking_no", "status", "connected_kw", "plan_due_on", "connect_due_on"}
    assert body["status"] == "received"
    assert body["connected_kw"] == "5.60"
    assert body["tracking_no"].startswith("YK20260302")
    # agricultural: 7 working days to the plan, then 5 to connection (Monday 2 March 2026)
    assert body["plan_due_on"] == "2026-03-11"
    assert body["connect_due_on"] == "2026-03-18"
    assert body["due_dates_estimated"] is False
    application = Application.objects.get(tracking_no=body["tracking_no"])
    assert application.station == world.station_a
    assert application.transformer == world.transformer_a
    assert application.appliances.count() == 2
    assert ApplicationEvent.objects.filter(application=application, to_status="received").exists()


def test_connected_kw_sums_quantity_times_kw_each_as_a_decimal_string(world):
    body = application_body(
        appliances=[
            {"name": "风扇", "quantity": 3, "kw": "0.075"},
            {"name": "冰箱", "quantity": 1, "kw": 0.1},
        ]
    )
    response = world.api(None).post(URL, body)
    assert response.status_code == 201, response.content
    assert response.json()["connected_kw"] == "0.325"


@pytest.mark.parametrize(
    "field, value",
    [
        ("id_number", "522223198001011231"),  # wrong check character
        ("id_number", "52222319801301123X"),  # month 13
        ("id_number", "12345"),
        ("phone", "12812345678"),
        ("phone", "1381234567"),
        ("village", "NOPE01"),
        ("requested_kw", "-1"),
        ("kind", "factory"),
    ],
)
def test_a_bad_field_answers_422_naming_the_field(world, field, value):
    response = world.api(None).post(URL, application_body(**{field: value}))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in [error["field"] for error in body["errors"]]
    assert Application.objects.count() == 0


def test_a_bad_appliance_line_is_named_by_its_position_and_column(world):
    lines = [{"name": "水泵", "quantity": 1, "kw": "5.5"}, {"name": "电灯", "quantity": 2, "kw": "-3"}]
    response = world.api(None).post(URL, application_body(appliances=lines))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["appliances.1.kw"]


def test_an_appliance_kw_that_is_not_a_number_is_named_too(world):
    lines = [{"name": "水泵", "quantity": 1, "kw": "5.5"}, {"name": "电灯", "quantity": 0, "kw": "abc"}]
    response = world.api(None).post(URL, application_body(appliances=lines))
    assert response.status_code == 422
    assert "appliances.1.kw" in [e["field"] for e in response.json()["errors"]]


def test_an_empty_appliance_list_and_a_zero_quantity_are_refused(world):
    response = world.api(None).post(URL, application_body(appliances=[]))
    assert [e["field"] for e in response.json()["errors"]] == ["appliances"]
    lines = [{"name": "水泵", "quantity": 0, "kw": "5.5"}]
    response = world.api(None).post(URL, application_body(appliances=lines))
    assert [e["field"] for e in response.json()["errors"]] == ["appliances.0.quantity"]


def test_validation_messages_are_in_chinese_by_default(world):
    response = world.api(None, language="zh-hans").post(URL, application_body(phone="123"))
    message = response.json()["errors"][0]["message"]
    assert "手机" in message


def test_resending_with_the_same_idempotency_key_returns_the_first_application(world):
    client = world.api(None)
    first = client.post(URL, application_body(), HTTP_IDEMPOTENCY_KEY="abc-123")
    second = client.post(URL, application_body(), HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == second.status_code == 201
    assert first.json()["tracking_no"] == second.json()["tracking_no"]
    assert Application.objects.count() == 1


def test_the_same_idempotency_key_with_a_different_body_is_refused(world):
    client = world.api(None)
    client.post(URL, application_body(), HTTP_IDEMPOTENCY_KEY="abc-123")
    response = client.post(URL, application_body(requested_kw="9"), HTTP_IDEMPOTENCY_KEY="abc-123")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"


def test_without_a_key_two_submissions_make_two_applications(world):
    client = world.api(None)
    assert (
        client.post(URL, application_body()).json()["tracking_no"]
        != client.post(URL, application_body()).json()["tracking_no"]
    )


def test_public_submissions_are_rate_limited_per_client(world, settings):
    settings.RATELIMIT_ENABLE = True
    settings.PUBLIC_RATE_LIMIT = "3/m"
    client = world.api(None)
    codes = [client.post(URL, application_body(phone="12")).status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    assert client.post(URL, application_body(), REMOTE_ADDR="10.0.0.9").status_code == 201


def test_the_applicant_follows_progress_with_the_mobile_number(world):
    tracking_no = world.api(None).post(URL, application_body()).json()["tracking_no"]
    response = world.api(None).get(f"{URL}/{tracking_no}", {"phone": "13812345678"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "received"
    assert [step["status"] for step in body["steps"]] == ["received"]
    assert body["status_url"].startswith(f"/applications/track/{tracking_no}/?t=")


def test_progress_with_another_mobile_number_answers_404(world):
    tracking_no = world.api(None).post(URL, application_body()).json()["tracking_no"]
    assert world.api(None).get(f"{URL}/{tracking_no}", {"phone": "13900000000"}).status_code == 404
    assert world.api(None).get(f"{URL}/{tracking_no}").status_code == 404
    assert world.api(None).get(f"{URL}/YK000", {"phone": "13812345678"}).status_code == 404


@time_machine.travel(datetime.datetime(2026, 12, 24, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_due_dates_beyond_the_calendars_known_years_are_marked_as_estimated(world):
    response = world.api(None).post(URL, application_body())
    body = response.json()
    assert body["due_dates_estimated"] is True
    assert "2026" in body["due_dates_note"]


def test_the_staff_list_is_scoped_to_the_station_and_masks_personal_data(world):
    world.api(None).post(URL, application_body())
    world.api(None).post(URL, application_body(village="ZJC001"))
    rows = world.api("clerk_a").get(URL).json()["items"]
    assert [row["village"] for row in rows] == ["XD001"]
    assert rows[0]["phone"] == "138****5678"
    assert len(world.api("manager").get(URL).json()["items"]) == 2
    assert world.api("outsider").get(URL).json()["items"] == []
    assert world.api(None).get(URL).status_code == 401


def test_staff_move_an_application_through_the_steps_by_api(world):
    tracking_no = (
        world.api(None)
        .post(
            URL, application_body(requested_kw="3", appliances=[{"name": "水泵", "quantity": 1, "kw": "3"}])
        )
        .json()["tracking_no"]
    )
    clerk = world.api("clerk_a")
    for step in ("surveyed", "plan_replied", "installed", "connected"):
        response = clerk.post(f"{URL}/{tracking_no}/steps", {"to_status": step, "notes": f"done {step}"})
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "connected"
    assert [s["status"] for s in response.json()["steps"]] == [
        "received",
        "surveyed",
        "plan_replied",
        "installed",
        "connected",
    ]


def test_another_stations_clerk_cannot_move_or_see_the_application(world):
    tracking_no = world.api(None).post(URL, application_body()).json()["tracking_no"]
    response = world.api("clerk_b").post(f"{URL}/{tracking_no}/steps", {"to_status": "surveyed"})
    assert response.status_code == 404
    assert (
        world.api("auditor").post(f"{URL}/{tracking_no}/steps", {"to_status": "surveyed"}).status_code == 403
    )
    assert world.api(None).post(f"{URL}/{tracking_no}/steps", {"to_status": "surveyed"}).status_code == 401


def test_an_illegal_step_answers_409(world):
    tracking_no = world.api(None).post(URL, application_body()).json()["tracking_no"]
    response = world.api("clerk_a").post(f"{URL}/{tracking_no}/steps", {"to_status": "connected"})
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_kind_specific_fields_are_kept_and_checked(world):
    body = application_body(
        kind="temporary", purpose="建房施工", supply_until="2026-13-01", documents=["works_permit"]
    )
    response = world.api(None).post(URL, body)
    assert [e["field"] for e in response.json()["errors"]] == ["supply_until"]
    body["supply_until"] = "2027-06-30"
    tracking_no = world.api(None).post(URL, body).json()["tracking_no"]
    application = Application.objects.get(tracking_no=tracking_no)
    assert (application.purpose, application.supply_until, application.documents) == (
        "建房施工",
        datetime.date(2027, 6, 30),
        ["works_permit"],
    )


def test_fields_a_kind_does_not_ask_for_are_ignored(world):
    body = application_body(
        kind="residential", business_name="超市", documents=["business_licence", "id_card"]
    )
    tracking_no = world.api(None).post(URL, body).json()["tracking_no"]
    application = Application.objects.get(tracking_no=tracking_no)
    assert application.business_name == "" and application.documents == ["id_card"]


def test_a_missing_appliance_kw_is_named(world):
    response = world.api(None).post(URL, application_body(appliances=[{"name": "泵", "quantity": 1}]))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["appliances.0.kw"]
