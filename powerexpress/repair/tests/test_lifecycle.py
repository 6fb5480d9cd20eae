import datetime
import zoneinfo

import pytest
import time_machine

from powerexpress.accounts.models import User
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.models import Notification
from powerexpress.repair.choices import FaultStatus
from powerexpress.repair.models import FaultEvent
from powerexpress.repair.selectors import repair_settings_for, tickets_for_phone
from powerexpress.repair.services import fault_report_create, fault_ticket_rate, fault_ticket_transition
from powerexpress.repair.tests.factories import report, work_to

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
MIN = datetime.timedelta(minutes=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("village_attr", "arrival_min", "restore_min"),
    [("village_a_urban", 45, 180), ("village_a", 90, 240), ("village_b", 120, 240)],
)
def test_commitments_follow_the_village_area_class(world, village_attr, arrival_min, restore_min):
    with time_machine.travel(T0, tick=False) as clock:
        ticket = report(world, village=getattr(world, village_attr), phone="13912345678")
        assert ticket.arrival_due_at == T0 + arrival_min * MIN
        assert ticket.restore_due_at is None
        clock.move_to(T0 + 30 * MIN)
        crew = User.objects.create_user(username="crew_x", password="x", role="crew", station=ticket.station)
        clerk = world.users["manager"]
        ticket = fault_ticket_transition(ticket=ticket, to_status="dispatched", actor=clerk, assignee=crew)
        ticket = fault_ticket_transition(ticket=ticket, to_status="en_route", actor=crew)
        clock.move_to(T0 + 40 * MIN)
        ticket = fault_ticket_transition(ticket=ticket, to_status="on_site", actor=crew)
    assert ticket.on_site_at == T0 + 40 * MIN
    assert ticket.restore_due_at == T0 + 40 * MIN + restore_min * MIN


@pytest.mark.django_db
def test_commitments_are_bureau_settings_the_manager_can_change(world):
    commitments = repair_settings_for(world.bureau.pk)
    assert (commitments.arrival_urban_min, commitments.arrival_rural_min, commitments.arrival_remote_min) == (
        45,
        90,
        120,
    )
    commitments.arrival_rural_min = 60
    commitments.save()
    with time_machine.travel(T0, tick=False):
        assert report(world).arrival_due_at == T0 + 60 * MIN


@pytest.mark.django_db
def test_a_ticket_routes_to_the_station_service_team_and_the_village_responsible_person(world):
    ticket = report(world, account_no="0602000001")
    assert ticket.station == world.station_a and ticket.team == world.team_a
    assert (ticket.responsible_name, ticket.responsible_phone) == ("吴台区", "13900000001")
    assert ticket.customer == world.customer_a and ticket.transformer == world.transformer_a


@pytest.mark.django_db
def test_a_report_without_account_matches_the_household_by_its_phone_in_the_village(world):
    ticket = report(world, phone="13912345678")
    assert ticket.customer == world.customer_a2 and ticket.account_no == "0602000002"


@pytest.mark.django_db
def test_every_step_records_actor_and_time(world):
    with time_machine.travel(T0, tick=False):
        ticket = work_to(world, report(world), "closed")
    events = list(
        FaultEvent.objects.filter(ticket=ticket).values_list(
            "from_status", "to_status", "actor__username", "at"
        )
    )
    assert [e[:3] for e in events] == [
        ("", "reported", None),
        ("reported", "dispatched", "clerk_a"),
        ("dispatched", "en_route", "crew_a"),
        ("en_route", "on_site", "crew_a"),
        ("on_site", "restored", "crew_a"),
        ("restored", "closed", "clerk_a"),
    ]
    assert all(e[3] == T0 for e in events)
    assert ticket.closed_at == T0


@pytest.mark.django_db
def test_an_illegal_transition_is_refused_with_a_clear_message(world):
    ticket = report(world)
    with pytest.raises(ApiError) as refused:
        fault_ticket_transition(ticket=ticket, to_status="restored", actor=world.users["clerk_a"])
    assert refused.value.status == 409
    assert "Reported" in str(refused.value.message) and "Restored" in str(refused.value.message)
    closed = work_to(world, ticket, "closed")
    with pytest.raises(ApiError):
        fault_ticket_transition(ticket=closed, to_status="cancelled", actor=world.users["clerk_a"])


@pytest.mark.django_db
def test_dispatch_needs_a_crew_member_of_the_ticket_station(world):
    ticket = report(world)
    with pytest.raises(FieldError):
        fault_ticket_transition(ticket=ticket, to_status="dispatched", actor=world.users["clerk_a"])
    with pytest.raises(FieldError):
        fault_ticket_transition(
            ticket=ticket,
            to_status="dispatched",
            actor=world.users["clerk_a"],
            assignee=world.users["clerk_b"],
        )


@pytest.mark.django_db
def test_a_second_dispatcher_taking_the_same_ticket_is_refused(world):
    ticket = report(world)
    fault_ticket_transition(
        ticket=ticket, to_status="dispatched", actor=world.users["clerk_a"], assignee=world.users["crew_a"]
    )
    with pytest.raises(ApiError) as refused:
        fault_ticket_transition(
            ticket=ticket,
            to_status="dispatched",
            actor=world.users["manager"],
            assignee=world.users["crew_a"],
        )
    assert refused.value.code == "illegal_transition"


@pytest.mark.django_db
def test_a_duplicate_points_at_the_other_ticket(world):
    first = report(world)
    second = report(world, description="同一个故障")
    second = fault_ticket_transition(
        ticket=second, to_status="duplicate", actor=world.users["clerk_a"], duplicate_of=first
    )
    assert second.duplicate_of == first and second.status == FaultStatus.DUPLICATE
    with pytest.raises(FieldError):
        fault_ticket_transition(
            ticket=first, to_status="duplicate", actor=world.users["clerk_a"], duplicate_of=first
        )


@pytest.mark.django_db
def test_tickets_for_phone_lists_the_reporter_tickets_newest_first(world):
    with time_machine.travel(T0, tick=False) as clock:
        older = report(world)
        clock.move_to(T0 + MIN)
        newer = report(world)
        report(world, phone="13912345678")
    assert list(tickets_for_phone("13812345678")) == [newer, older]


@pytest.mark.django_db
def test_the_portal_contract_takes_keyword_arguments_and_an_idempotency_key(world):
    first = fault_report_create(
        village=world.village_a,
        phone="13812345678",
        description="x",
        source="portal",
        idempotency_key="portal-1",
        actor=None,
    )
    again = fault_report_create(
        village=world.village_a, phone="13812345678", description="x", idempotency_key="portal-1"
    )
    assert first.pk == again.pk


@pytest.mark.django_db
def test_closing_sends_the_rating_link_and_the_reporter_rates_once(world):
    ticket = work_to(world, report(world), "restored")
    with pytest.raises(ApiError):
        fault_ticket_rate(ticket=ticket, rating=5)
    ticket = fault_ticket_transition(ticket=ticket, to_status="closed", actor=world.users["clerk_a"])
    message = Notification.objects.get(purpose="repair_rating")
    assert message.recipient == "13812345678" and ticket.rating_token in message.body
    assert message.status == "logged"
    with pytest.raises(FieldError):
        fault_ticket_rate(ticket=ticket, rating=6)
    rated = fault_ticket_rate(ticket=ticket, rating=4, comment="来得很快")
    assert (rated.rating, rated.rating_comment) == (4, "来得很快")
    with pytest.raises(ApiError) as again:
        fault_ticket_rate(ticket=ticket, rating=1)
    assert again.value.code == "already_rated"
