import pytest
from django.utils import translation

from powerexpress.core.errors import ApiError
from powerexpress.workorders.choices import WorkOrderKind, WorkOrderStatus
from powerexpress.workorders.models import WorkOrder
from powerexpress.workorders.services import work_order_create, work_order_transition


def make_order(world, **extra):
    return work_order_create(
        user=world.users["manager"],
        station=world.station_a,
        kind=WorkOrderKind.PHASE_BALANCE,
        title="调整老寨村1号台区三相负荷",
        transformer=world.transformer_a,
        items=[{"household": "0602000001", "from": "A", "to": "C"}],
        **extra,
    )


def test_a_work_order_goes_to_the_stations_service_team(world):
    order = make_order(world)
    assert order.team == world.team_a and order.status == WorkOrderStatus.OPEN
    assert order.number.startswith("WO") and order.events.count() == 1


def test_the_same_source_gives_the_same_order(world):
    first = make_order(world, source_type="phase_plan", source_ref="7")
    again = make_order(world, source_type="phase_plan", source_ref="7")
    assert first.pk == again.pk and WorkOrder.objects.count() == 1


def test_transitions_record_who_and_refuse_illegal_moves(world):
    order = make_order(world)
    work_order_transition(
        user=world.users["crew_a"], order=order, to_status=WorkOrderStatus.DONE, notes="已调相"
    )
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE and order.completed_at is not None
    assert order.events.last().actor == world.users["crew_a"]
    with translation.override("en"), pytest.raises(ApiError, match="cannot become"):
        work_order_transition(user=world.users["crew_a"], order=order, to_status=WorkOrderStatus.IN_PROGRESS)


def test_work_order_pages_honour_scope(world):
    order = make_order(world)
    assert order.number in world.web("clerk_a").get("/workorders/").content.decode()
    assert order.number not in world.web("clerk_b").get("/workorders/").content.decode()
    assert world.web("clerk_b").get(f"/workorders/{order.pk}/").status_code == 404


def test_the_crew_moves_an_order_from_its_page(world):
    order = make_order(world)
    world.web("crew_a").post(f"/workorders/{order.pk}/move/", {"status": "in_progress", "notes": "出发"})
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.IN_PROGRESS
    assert world.web("auditor").post(f"/workorders/{order.pk}/move/", {"status": "done"}).status_code == 403
