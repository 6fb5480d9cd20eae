"""Row locks and concurrent submissions: PostgreSQL only (SQLite serialises every writer)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from conftest import ApiClient, build_world
from powerexpress.core.errors import ApiError
from powerexpress.repair.choices import FaultStatus
from powerexpress.repair.models import FaultEvent, FaultTicket, Outage
from powerexpress.repair.services import fault_report_create, fault_ticket_transition

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_two_dispatchers_taking_the_same_ticket_exactly_one_wins():
    world = build_world()
    ticket = fault_report_create(village=world.village_a, phone="13812345678", description="停电")
    barrier = threading.Barrier(2)

    @_in_thread
    def dispatch(username):
        barrier.wait()
        try:
            fault_ticket_transition(
                ticket=ticket,
                to_status=FaultStatus.DISPATCHED,
                actor=world.users[username],
                assignee=world.users["crew_a"],
            )
            return "won"
        except ApiError as exc:
            return exc.code

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(dispatch, ["clerk_a", "manager"]))
    assert results == ["illegal_transition", "won"]
    assert FaultEvent.objects.filter(ticket=ticket, to_status=FaultStatus.DISPATCHED).count() == 1


def test_no_report_is_lost_under_200_concurrent_submissions():
    build_world()
    barrier = threading.Barrier(40)

    @_in_thread
    def submit(index):
        if index < 40:
            barrier.wait()
        body = {"village": "XD001", "phone": f"138{index:08d}", "description": f"停电 {index}"}
        if index % 2:
            body["account_no"] = "0602000001" if index % 4 == 1 else "0602000002"
        response = ApiClient().post("/api/v1/faults", body, HTTP_IDEMPOTENCY_KEY=f"load-{index}")
        return response.status_code, response.json().get("number")

    with ThreadPoolExecutor(40) as pool:
        results = list(pool.map(submit, range(200)))
    assert [code for code, _number in results] == [201] * 200
    numbers = {number for _code, number in results}
    assert len(numbers) == 200 and FaultTicket.objects.count() == 200
    assert set(FaultTicket.objects.values_list("number", flat=True)) == numbers
    assert Outage.objects.count() == 1
    assert FaultTicket.objects.filter(outage__isnull=False).count() == 100
