"""Completing a work order changes the registry: moved households' phases, a district's rating."""

import pytest
from django.utils import translation

from powerexpress.core.errors import ApiError, FieldError
from powerexpress.registry.models import Customer, TransformerDistrict
from powerexpress.workorders.choices import WorkOrderKind, WorkOrderStatus
from powerexpress.workorders.models import RegistryChange
from powerexpress.workorders.services import work_order_complete, work_order_create, work_order_transition

pytestmark = pytest.mark.django_db


def phase_order(world):
    return work_order_create(
        user=world.users["manager"],
        station=world.station_a,
        kind=WorkOrderKind.PHASE_BALANCE,
        title="调整老寨村1号台区三相负荷",
        transformer=world.transformer_a,
        items=[
            {"household": "0602000001", "from": "A", "to": "C"},
            {"household": "0602000002", "from": "B", "to": "A"},
        ],
    )


def capacity_order(world, kind=WorkOrderKind.REPLACE_UNIT):
    return work_order_create(
        user=world.users["manager"],
        station=world.station_a,
        kind=kind,
        title="更换老寨村1号台区变压器",
        transformer=world.transformer_a,
    )


def test_completing_a_phase_order_moves_only_the_done_households_with_who_when_and_which_order(world):
    order = phase_order(world)
    done = work_order_complete(user=world.users["crew_a"], order=order, moved=["0602000001"], notes="已调相")
    assert Customer.objects.get(account_no="0602000001").phase == "C"
    assert Customer.objects.get(account_no="0602000002").phase == "B"
    assert done.status == WorkOrderStatus.DONE and done.completed_at is not None
    assert [item["done"] for item in done.items] == [True, False]
    [change] = RegistryChange.objects.all()
    assert (change.object_type, change.object_ref, change.field) == ("customer", "0602000001", "phase")
    assert (change.old_value, change.new_value) == ("A", "C")
    assert change.changed_by == world.users["crew_a"] and change.work_order == order
    assert change.changed_at is not None


def test_a_move_that_was_not_done_stays_visible_on_the_order(world):
    order = phase_order(world)
    work_order_complete(user=world.users["crew_a"], order=order, moved=["0602000001"])
    page = world.web("crew_a").get(f"/workorders/{order.pk}/").content.decode()
    assert "0602000002" in page and "not done" in page


def test_a_household_not_on_the_order_is_refused_and_nothing_changes(world):
    order = phase_order(world)
    with pytest.raises(FieldError):
        work_order_complete(user=world.users["crew_a"], order=order, moved=["0602000001", "0603000001"])
    assert Customer.objects.get(account_no="0602000001").phase == "A"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.OPEN and not RegistryChange.objects.exists()


def test_a_completed_order_cannot_be_completed_again(world):
    order = phase_order(world)
    work_order_complete(user=world.users["crew_a"], order=order, moved=["0602000001"])
    with translation.override("en"), pytest.raises(ApiError, match="cannot become"):
        work_order_complete(user=world.users["crew_a"], order=order, moved=["0602000002"])
    assert Customer.objects.get(account_no="0602000002").phase == "B"


def test_the_plain_done_move_completes_a_phase_order_with_no_household_moved(world):
    order = phase_order(world)
    done = work_order_transition(user=world.users["crew_a"], order=order, to_status=WorkOrderStatus.DONE)
    assert [item["done"] for item in done.items] == [False, False]
    assert Customer.objects.get(account_no="0602000001").phase == "A"


@pytest.mark.parametrize("kind", [WorkOrderKind.REPLACE_UNIT, WorkOrderKind.EXTRA_CAPACITY])
def test_a_capacity_order_records_the_new_rated_kva_on_the_district(world, kind):
    order = capacity_order(world, kind)
    work_order_complete(user=world.users["crew_a"], order=order, rated_kva=200)
    assert TransformerDistrict.objects.get(pk=world.transformer_a.pk).rated_kva == 200
    [change] = RegistryChange.objects.all()
    assert (change.field, change.old_value, change.new_value) == ("rated_kva", "100", "200")


@pytest.mark.parametrize("rated", [None, 0, -5])
def test_a_capacity_order_needs_a_valid_new_rating(world, rated):
    order = capacity_order(world)
    with pytest.raises(FieldError) as caught:
        work_order_complete(user=world.users["crew_a"], order=order, rated_kva=rated)
    assert caught.value.errors[0]["field"] == "rated_kva"
    assert TransformerDistrict.objects.get(pk=world.transformer_a.pk).rated_kva == 100


def test_the_crew_completes_an_order_from_its_page(world):
    order = phase_order(world)
    response = world.web("crew_a").post(
        f"/workorders/{order.pk}/complete/", {"moved": ["0602000002"], "notes": "完成"}
    )
    assert response.status_code == 302
    assert Customer.objects.get(account_no="0602000002").phase == "A"
    assert world.web("auditor").post(f"/workorders/{order.pk}/complete/", {}).status_code == 403
    assert world.web("clerk_b").post(f"/workorders/{order.pk}/complete/", {}).status_code == 404


def test_the_completion_page_works_for_a_capacity_order(world):
    order = capacity_order(world)
    world.web("crew_a").post(f"/workorders/{order.pk}/complete/", {"rated_kva": "160"})
    assert TransformerDistrict.objects.get(pk=world.transformer_a.pk).rated_kva == 160
