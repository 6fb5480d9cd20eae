import datetime
import zoneinfo

import pytest
import time_machine

from powerexpress.registry.models import Customer, Village
from powerexpress.repair.models import FaultTicket, RepairSettings
from powerexpress.repair.selectors import report_routing_for, village_for_report
from powerexpress.repair.tests.factories import report, work_to

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOON = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=SHANGHAI)
BODY = {"village": "XD001", "phone": "13812345678", "description": "抽水泵不转，全寨停电"}


@pytest.mark.django_db
def test_a_villager_reports_a_fault_without_signing_in_and_gets_the_commitment(world):
    with time_machine.travel(NOON, tick=False):
        response = world.api(None).post("/api/v1/faults", BODY)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"number", "status", "reported_at", "arrival_due_at", "restore_due_at"}
    assert body["status"] == "reported"
    assert datetime.datetime.fromisoformat(body["reported_at"]) == NOON
    assert datetime.datetime.fromisoformat(body["arrival_due_at"]) == NOON + datetime.timedelta(minutes=90)
    assert body["restore_due_at"] is None
    ticket = FaultTicket.objects.get(number=body["number"])
    assert ticket.source == "api" and ticket.team == world.team_a and ticket.responsible_name == "吴台区"


@pytest.mark.django_db
def test_the_same_idempotency_key_returns_the_same_ticket_with_200_and_creates_nothing(world):
    client = world.api(None)
    first = client.post("/api/v1/faults", BODY, HTTP_IDEMPOTENCY_KEY="abc-123")
    again = client.post("/api/v1/faults", BODY | {"description": "再报一次"}, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert FaultTicket.objects.count() == 1
    other = client.post("/api/v1/faults", BODY, HTTP_IDEMPOTENCY_KEY="abc-124")
    assert other.status_code == 201 and FaultTicket.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"village": "NOPE"}, "village"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "23812345678"}, "phone"),
        ({"description": ""}, "description"),
    ],
)
def test_an_invalid_report_answers_422_naming_the_field(world, change, field):
    response = world.api(None).post("/api/v1/faults", BODY | change)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert FaultTicket.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_field_answers_422_naming_it(world):
    response = world.api(None).post("/api/v1/faults", {"village": "XD001", "description": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "phone"


@pytest.mark.django_db
def test_the_message_follows_the_language(world):
    response = world.api(None, language="zh-hans").post("/api/v1/faults", BODY | {"phone": "1"})
    assert "手机" in response.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_public_reports_are_rate_limited_per_client(world, settings):
    settings.RATELIMIT_ENABLE = True
    settings.PUBLIC_RATE_LIMIT = "3/m"
    client = world.api(None)
    codes = [client.post("/api/v1/faults", BODY, REMOTE_ADDR="10.1.1.1").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert client.post("/api/v1/faults", BODY, REMOTE_ADDR="10.1.1.2").status_code == 201
    assert FaultTicket.objects.count() == 4


@pytest.mark.django_db
def test_the_reporter_follows_progress_with_the_phone_and_nobody_else_can(world):
    ticket = report(world)
    work_to(world, ticket, "on_site")
    client = world.api(None)
    response = client.get(f"/api/v1/faults/{ticket.number}", {"phone": "13812345678"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "on_site" and body["restore_due_at"] is not None
    assert [step["status"] for step in body["history"]] == ["reported", "dispatched", "en_route", "on_site"]
    assert client.get(f"/api/v1/faults/{ticket.number}", {"phone": "13900000000"}).status_code == 404
    assert client.get(f"/api/v1/faults/{ticket.number}").status_code == 422
    assert client.get("/api/v1/faults/F000", {"phone": "13812345678"}).status_code == 404


@pytest.mark.django_db
def test_staff_list_tickets_of_their_own_station_only(world):
    mine = report(world)
    theirs = report(world, village=world.village_b, phone="15012345678")

    def numbers(who):
        return [t["number"] for t in world.api(who).get("/api/v1/repair/tickets").json()["items"]]

    assert numbers("clerk_a") == [mine.number]
    assert numbers("clerk_b") == [theirs.number]
    assert sorted(numbers("manager")) == sorted([mine.number, theirs.number])
    assert numbers("outsider") == []
    assert world.api(None).get("/api/v1/repair/tickets").status_code == 401
    listed = world.api("clerk_a").get("/api/v1/repair/tickets").json()["items"][0]
    assert listed["phone"] == "138****5678"
    assert world.api("clerk_b").get(f"/api/v1/repair/tickets/{mine.number}").status_code == 404


@pytest.mark.django_db
def test_staff_move_a_ticket_through_the_api_and_other_stations_cannot(world):
    ticket = report(world)
    path = f"/api/v1/repair/tickets/{ticket.number}/transitions"
    assert world.api("clerk_b").post(path, {"status": "dispatched", "assignee": "crew_a"}).status_code == 404
    assert world.api("auditor").post(path, {"status": "dispatched", "assignee": "crew_a"}).status_code == 403
    assert world.api("crew_a").post(path, {"status": "dispatched", "assignee": "crew_a"}).status_code == 403
    response = world.api("clerk_a").post(path, {"status": "dispatched", "assignee": "crew_a"})
    assert response.status_code == 200 and response.json()["assignee"] == "crew_a"
    refused = world.api("clerk_a").post(path, {"status": "closed"})
    assert refused.status_code == 409 and refused.json()["code"] == "illegal_transition"
    assert world.api("crew_a").post(path, {"status": "en_route"}).status_code == 200


@pytest.mark.django_db
def test_kpis_answer_per_station_and_area_class(world):
    report(world)
    rows = world.api("manager").get("/api/v1/repair/kpis").json()
    assert {(r["station"], r["area_class"]) for r in rows} == {("XD", ""), ("XD", "rural")}
    assert world.api("clerk_b").get("/api/v1/repair/kpis").json() == []
    assert world.api(None).get("/api/v1/repair/kpis").status_code == 401


@pytest.mark.django_db
def test_a_report_costs_a_handful_of_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        assert world.api(None).post("/api/v1/faults", BODY, HTTP_IDEMPOTENCY_KEY="q-1").status_code == 201


def test_an_unknown_village_and_a_bad_phone_are_both_named(world):
    response = world.api(None).post(
        "/api/v1/faults", {"village": "NOPE", "phone": "123", "description": "停电"}
    )
    assert response.status_code == 422
    assert sorted(error["field"] for error in response.json()["errors"]) == ["phone", "village"]


@pytest.mark.django_db
@pytest.mark.parametrize("account_no", ["9999999999", "0603000001", "0602000001"])
def test_a_public_report_answers_alike_whether_or_not_the_account_number_exists_here(world, account_no):
    response = world.api(None).post("/api/v1/faults", BODY | {"account_no": account_no})
    assert response.status_code == 201
    assert sorted(response.json()) == ["arrival_due_at", "number", "reported_at", "restore_due_at", "status"]
    ticket = FaultTicket.objects.get()
    assert ticket.customer == world.customer_a  # the account number, or else the mobile


@pytest.mark.django_db
def test_a_public_report_reads_everything_it_needs_in_one_query(world, django_assert_num_queries):
    unknown_mobile = BODY | {"phone": "13700000009"}
    # the village with its station, commitments, service team and the reporter's household;
    # then the ticket, its number and its first event, inside one transaction (a savepoint here)
    with django_assert_num_queries(6):
        response = world.api(None).post("/api/v1/faults", unknown_mobile, HTTP_IDEMPOTENCY_KEY="q-2")
    assert response.status_code == 201
    # a known household adds the outage grouping: the district lock, its open outage, the neighbours
    with django_assert_num_queries(9):
        assert world.api(None).post("/api/v1/faults", BODY, HTTP_IDEMPOTENCY_KEY="q-3").status_code == 201


@pytest.mark.django_db
def test_the_village_loaded_for_a_report_routes_it_as_the_plain_village_does(world):
    second = Customer.objects.create(
        account_no="0602000009", name="杨二", phone="13812345678", village=world.village_a
    )
    for phone in ("13812345678", " 13812345678 ", "13700000009"):
        loaded = village_for_report(" XD001 ", phone)
        plain = report_routing_for(Village.objects.get(code="XD001"), phone)
        assert loaded.report_routing == plain
        assert loaded.report_routing.team_id == world.team_a.pk
    assert village_for_report("XD001", "13812345678").report_routing.customer == world.customer_a != second
    assert village_for_report("NOPE", "13812345678") is None
    RepairSettings.objects.all().delete()
    assert village_for_report("XD001", "1").report_routing.commitments.pk is None
