"""Every registry endpoint honours roles and station scope."""

import pytest

LIST_ENDPOINTS = ["/api/v1/stations", "/api/v1/villages", "/api/v1/transformers", "/api/v1/customers"]


def codes(response, key="code"):
    return sorted(item[key] for item in response.json()["items"])


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_anonymous_callers_are_refused(world, path):
    assert world.api(None).get(path).status_code == 401


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_an_outsider_sees_nothing(world, path):
    response = world.api("outsider").get(path)
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_station_staff_list_only_their_station(world):
    api = world.api("clerk_a")
    assert codes(api.get("/api/v1/stations")) == ["XD"]
    assert codes(api.get("/api/v1/villages")) == ["XD001", "XD002"]
    assert codes(api.get("/api/v1/transformers")) == ["XD001-01"]
    assert codes(api.get("/api/v1/customers"), "account_no") == ["0602000001", "0602000002"]


@pytest.mark.parametrize("who", ["manager", "auditor"])
def test_bureau_wide_roles_list_every_station(world, who):
    api = world.api(who)
    assert codes(api.get("/api/v1/stations")) == ["XD", "ZJC"]
    assert len(api.get("/api/v1/customers").json()["items"]) == 3


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/stations/ZJC",
        "/api/v1/villages/ZJC001",
        "/api/v1/transformers/ZJC001-01",
        "/api/v1/customers/0603000001",
    ],
)
@pytest.mark.parametrize("who", ["clerk_a", "crew_a", "team_a", "outsider"])
def test_another_stations_object_answers_404(world, path, who):
    response = world.api(who).get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_same_object_is_visible_to_its_own_station(world):
    response = world.api("clerk_b").get("/api/v1/customers/0603000001")
    assert response.status_code == 200
    assert response.json()["village"] == "ZJC001"


@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/v1/villages", {"code": "X9", "name": "x", "station": "XD", "area_class": "rural"}),
        (
            "/api/v1/transformers",
            {
                "code": "T9",
                "name": "t",
                "station": "XD",
                "village": "XD001",
                "rated_kva": 50,
                "connection_group": "Dyn11",
            },
        ),
        ("/api/v1/customers", {"account_no": "0602999999", "name": "新户", "village": "XD001", "phase": "A"}),
    ],
)
@pytest.mark.parametrize("who", ["crew_a", "team_a", "auditor", "outsider"])
def test_read_only_roles_cannot_create(world, path, body, who):
    assert world.api(who).post(path, body).status_code == 403


def test_station_staff_cannot_create_in_another_station(world):
    response = world.api("clerk_a").post(
        "/api/v1/customers", {"account_no": "0603999999", "name": "越权", "village": "ZJC001", "phase": "A"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["village"]


def test_station_staff_cannot_update_another_stations_customer(world):
    response = world.api("clerk_a").patch("/api/v1/customers/0603000001", {"name": "改名"})
    assert response.status_code == 404


def test_only_managers_create_stations(world):
    assert world.api("clerk_a").post("/api/v1/stations", {"code": "NEW", "name": "新所"}).status_code == 403
    response = world.api("manager").post("/api/v1/stations", {"code": "NEW", "name": "新所"})
    assert response.status_code == 201
    assert response.json() == {"code": "NEW", "name": "新所", "address": "", "head_name": ""}


@pytest.mark.parametrize("path", ["/api/v1/townships", "/api/v1/meters", "/api/v1/staff", "/api/v1/teams"])
def test_the_other_kinds_are_scoped_too(world, path):
    def keys(who):
        return {str(sorted(item.items())) for item in world.api(who).get(path).json()["items"]}

    assert keys("outsider") == set()
    assert keys("clerk_a") and not keys("clerk_a") & keys("clerk_b")
    assert keys("manager") >= keys("clerk_a") | keys("clerk_b")


def test_staff_phones_are_masked_and_teams_list_members(world):
    staff = world.api("clerk_a").get("/api/v1/staff/XD-001").json()
    assert staff["phone"] == "137****0001"
    team = world.api("manager").get("/api/v1/teams/XD-service").json()
    assert team == {
        "code": "XD-service",
        "name": "新店服务队",
        "station": "XD",
        "kind": "service",
        "responsible_unit": "",
        "responsible_person": "XD-001",
        "members": ["XD-001"],
    }
    assert world.api("clerk_b").get("/api/v1/teams/XD-service").status_code == 404


def test_a_team_and_a_meter_are_created_and_updated(world):
    api = world.api("clerk_a")
    response = api.post(
        "/api/v1/teams",
        {
            "code": "XD-vanguard",
            "name": "新店先锋队",
            "station": "XD",
            "kind": "vanguard",
            "members": ["XD-001"],
        },
    )
    assert response.status_code == 201 and response.json()["members"] == ["XD-001"]
    assert api.patch("/api/v1/teams/XD-vanguard", {"members": []}).json()["members"] == []
    response = api.post("/api/v1/meters", {"meter_no": "M-NEW-1", "customer": "0602000002", "multiplier": 1})
    assert response.status_code == 201
    assert api.post("/api/v1/meters", {"meter_no": "M-NEW-2", "customer": "0603000001"}).status_code == 422
