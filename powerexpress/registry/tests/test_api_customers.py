"""Customers through the API: contract fields, validation naming each field, masking and reveal."""

import pytest

from conftest import make_id_number
from powerexpress.core.models import AuditAction, AuditEntry
from powerexpress.registry.models import Customer

NEW_CUSTOMER = {
    "account_no": "0602000099",
    "name": "姚春兰",
    "id_number": make_id_number("19850615", "321"),
    "phone": "13698765432",
    "village": "XD001",
    "transformer": "XD001-01",
    "phase": "B",
    "tags": ["left_behind_children"],
}


def test_the_customer_list_has_the_contract_fields_with_masked_personal_data(world):
    item = world.api("clerk_a").get("/api/v1/customers", {"tag": "low_income"}).json()["items"][0]
    assert item["account_no"] == "0602000001"
    assert item["id_number"] == "522223**********" + world.customer_a.id_number[-2:]
    assert item["phone"] == "138****5678"
    assert item["village"] == "XD001" and item["transformer"] == "XD001-01"
    assert item["phase"] == "A"
    assert item["tags"] == ["empty_nest", "low_income"]


def test_a_customer_is_created_and_read_back(world):
    api = world.api("clerk_a")
    response = api.post("/api/v1/customers", NEW_CUSTOMER)
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "136****5432"
    stored = Customer.objects.get(account_no="0602000099")
    assert stored.id_number == NEW_CUSTOMER["id_number"] and stored.tag_list == ["left_behind_children"]
    assert api.get("/api/v1/customers/0602000099").json()["name"] == "姚春兰"


def test_a_duplicate_account_number_is_refused(world):
    response = world.api("manager").post("/api/v1/customers", {**NEW_CUSTOMER, "account_no": "0603000001"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "account_no"


@pytest.mark.parametrize(
    "field,value",
    [
        ("id_number", "522223198506153210"),  # wrong check character
        ("id_number", "522223198502303215"),  # 30 February
        ("id_number", "52222319850615"),
        ("phone", "12812345678"),
        ("phone", "1381234567"),
        ("phase", "D"),
        ("village", "NOPE"),
        ("transformer", "ZJC001-01"),  # another station's transformer is unknown to clerk_a
        ("tags", ["rich"]),
    ],
)
def test_bad_input_answers_422_naming_the_field(world, field, value):
    response = world.api("clerk_a").post("/api/v1/customers", {**NEW_CUSTOMER, field: value})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [error["field"] for error in body["errors"]] == [field]
    assert body["errors"][0]["message"]
    assert not Customer.objects.filter(account_no="0602000099").exists()


def test_every_bad_field_is_named_at_once(world):
    response = world.api("clerk_a").post(
        "/api/v1/customers", {**NEW_CUSTOMER, "phone": "1", "id_number": "x"}
    )
    assert sorted(e["field"] for e in response.json()["errors"]) == ["id_number", "phone"]


def test_missing_required_fields_are_named(world):
    response = world.api("clerk_a").post("/api/v1/customers", {"account_no": "0602000100"})
    assert sorted(e["field"] for e in response.json()["errors"]) == ["name", "phase", "village"]


def test_messages_follow_the_requests_language(world):
    body = {**NEW_CUSTOMER, "phone": "12345"}
    english = world.api("clerk_a", language="en").post("/api/v1/customers", body).json()
    chinese = world.api("clerk_a", language="zh-hans").post("/api/v1/customers", body).json()
    assert "11 digits" in english["errors"][0]["message"]
    assert "11 位" in chinese["errors"][0]["message"]


def test_pydantic_type_errors_name_the_field(world):
    response = world.api("clerk_a").post(
        "/api/v1/transformers",
        {
            "code": "X",
            "name": "x",
            "station": "XD",
            "village": "XD001",
            "rated_kva": "big",
            "connection_group": "Dyn11",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rated_kva"


def test_an_update_changes_only_the_fields_sent(world):
    response = world.api("clerk_a").patch("/api/v1/customers/0602000001", {"phase": "C"})
    assert response.status_code == 200
    world.customer_a.refresh_from_db()
    assert world.customer_a.phase == "C" and world.customer_a.phone == "13812345678"


def test_reveal_shows_full_values_and_writes_an_audit_entry(world):
    response = world.api("clerk_a").get("/api/v1/customers/0602000001", {"reveal": 1})
    assert response.status_code == 200
    assert response.json()["id_number"] == world.customer_a.id_number
    assert response.json()["phone"] == "13812345678"
    entry = AuditEntry.objects.get()
    assert (entry.user.username, entry.action, entry.object_ref) == (
        "clerk_a",
        AuditAction.REVEAL,
        "0602000001",
    )


def test_the_manager_may_reveal_any_station(world):
    assert (
        world.api("manager").get("/api/v1/customers/0603000001", {"reveal": 1}).json()["phone"]
        == "15012345678"
    )


@pytest.mark.parametrize("who", ["crew_a", "team_a", "auditor"])
def test_roles_without_the_permission_get_403_on_reveal_and_nothing_is_logged(world, who):
    response = world.api(who).get("/api/v1/customers/0602000001", {"reveal": 1})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == 0


def test_reveal_of_another_stations_customer_is_404(world):
    assert world.api("clerk_a").get("/api/v1/customers/0603000001", {"reveal": 1}).status_code == 404
    assert AuditEntry.objects.count() == 0


def test_list_filters_by_station_village_and_search(world):
    api = world.api("manager")
    assert len(api.get("/api/v1/customers", {"station": "ZJC"}).json()["items"]) == 1
    assert len(api.get("/api/v1/customers", {"village": "XD001"}).json()["items"]) == 2
    assert [c["name"] for c in api.get("/api/v1/customers", {"q": "吴秀"}).json()["items"]] == ["吴秀英"]
    assert api.get("/api/v1/customers", {"limit": 1}).json()["count"] == 3


def test_the_openapi_schema_is_published(world):
    schema = world.api(None).get("/api/v1/openapi.json").json()
    assert "/api/v1/customers/{account_no}" in schema["paths"]
