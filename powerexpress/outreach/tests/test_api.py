"""The outreach API: contract, idempotency, roles and station scope."""

import datetime

import pytest

from powerexpress.outreach import selectors, services
from powerexpress.outreach.models import Activity

pytestmark = pytest.mark.django_db

BODY = {
    "kind": "market_day",
    "title": "赶集日代扣宣传",
    "held_on": "2026-11-20",
    "village": "XD001",
    "team": "XD-service",
    "participants": ["XD-001"],
    "people_reached": 180,
    "signups_recorded": 15,
    "materials": "宣传单 200 份",
    "submission_key": "api-1",
}
LISTS = ["/api/v1/outreach/activities", "/api/v1/outreach/care/due", "/api/v1/outreach/hazards"]


def test_a_team_member_records_an_activity(world, monkeypatch):
    monkeypatch.setattr(selectors, "agreement_model", lambda: None)
    response = world.api("team_a").post("/api/v1/outreach/activities", BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["code"].startswith("HDXD20261120")
        and body["village"] == "XD001"
        and body["team"] == "XD-service"
    )
    assert (body["participants"], body["signups"], body["signups_linked"]) == (["XD-001"], 15, False)
    again = world.api("team_a").post("/api/v1/outreach/activities", BODY)
    assert again.json()["code"] == body["code"] and Activity.objects.count() == 1


def test_invalid_fields_are_named(world):
    response = world.api("team_a").post(
        "/api/v1/outreach/activities", {**BODY, "kind": "party", "people_reached": -1}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "people_reached"}


def test_a_team_of_another_station_is_refused(world):
    response = world.api("clerk_a").post("/api/v1/outreach/activities", {**BODY, "team": "nope"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "team"


@pytest.mark.parametrize("who,status", [("clerk_b", 404), ("outsider", 404), ("auditor", 403)])
def test_people_outside_the_station_or_read_only_cannot_record(world, who, status):
    assert world.api(who).post("/api/v1/outreach/activities", BODY).status_code == status


@pytest.mark.parametrize("path", LISTS)
def test_anonymous_callers_are_refused(world, path):
    assert world.api(None).get(path).status_code == 401


@pytest.mark.parametrize("path", LISTS)
def test_an_outsider_sees_nothing(world, path):
    assert world.api("outsider").get(path).json()["items"] == []


def test_lists_keep_to_the_station(world, activity, hazard):
    assert [a["code"] for a in world.api("clerk_a").get("/api/v1/outreach/activities").json()["items"]] == [
        activity.code
    ]
    assert world.api("clerk_b").get("/api/v1/outreach/activities").json()["items"] == []
    assert world.api("clerk_b").get(f"/api/v1/outreach/activities/{activity.code}").status_code == 404
    assert world.api("manager").get(f"/api/v1/outreach/activities/{activity.code}").status_code == 200
    hazards = world.api("clerk_a").get("/api/v1/outreach/hazards?severity=major").json()["items"]
    assert [h["id"] for h in hazards] == [hazard.pk] and hazards[0]["village"] == "XD001"
    assert world.api("clerk_b").get("/api/v1/outreach/hazards").json()["items"] == []


def test_the_care_due_list_names_the_state(world):
    services.care_visit_record(
        user=world.users["team_a"], customer=world.customer_a, visited_on=datetime.date(2020, 1, 1)
    )
    [row] = world.api("team_a").get("/api/v1/outreach/care/due?state=overdue").json()["items"]
    assert (row["account_no"], row["state"], row["interval_days"]) == ("0602000001", "overdue", 30)
    assert world.api("clerk_b").get("/api/v1/outreach/care/due?village=XD001").status_code == 404


def test_the_board_data_is_public(world, monkeypatch):
    monkeypatch.setattr(selectors, "board_tariff", lambda: None)
    response = world.api(None).get("/api/v1/outreach/boards/XD001")
    assert response.status_code == 200
    body = response.json()
    assert (body["village_name"], body["hotline"], body["tariff"]) == ("老寨村", "95598", None)
    assert world.api(None).get("/api/v1/outreach/boards/NOPE").status_code == 404
