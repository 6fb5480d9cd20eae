import datetime
import zoneinfo

import pytest
import time_machine

from powerexpress.analytics.repair_kpis import TicketTimes, percentile, repair_kpis
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.models import Notification
from powerexpress.repair.choices import Escalation, FaultStatus, OutageKind, OutageStatus
from powerexpress.repair.models import FaultTicket, Outage
from powerexpress.repair.services import (
    fault_escalation_run,
    outage_restore,
    planned_outage_announce,
    planned_outage_notify,
)
from powerexpress.repair.tasks import fault_escalate
from powerexpress.repair.tests.factories import report, work_to

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
MIN = datetime.timedelta(minutes=1)


@pytest.mark.django_db
def test_reports_on_one_transformer_district_within_the_window_become_one_outage(world):
    with time_machine.travel(T0, tick=False) as clock:
        first = report(world, account_no="0602000001")
        assert first.outage is None
        clock.move_to(T0 + 20 * MIN)
        second = report(world, phone="13912345678", account_no="0602000002")
    outage = second.outage
    assert outage is not None and outage.kind == OutageKind.UNPLANNED
    assert set(outage.tickets.all()) == {first, second}
    assert outage.transformer == world.transformer_a and "老寨村1号台区" in outage.suspected_device
    assert outage.affected_households == 2 and outage.started_at == T0


@pytest.mark.django_db
def test_a_report_after_the_window_is_not_grouped(world):
    with time_machine.travel(T0, tick=False) as clock:
        report(world, account_no="0602000001")
        clock.move_to(T0 + 61 * MIN)
        late = report(world, phone="13912345678", account_no="0602000002")
    assert late.outage is None and Outage.objects.count() == 0


@pytest.mark.django_db
def test_a_household_reporting_twice_does_not_make_an_outage(world):
    report(world, account_no="0602000001")
    again = report(world, account_no="0602000001")
    assert again.outage is None


@pytest.mark.django_db
def test_a_third_report_joins_the_open_outage(world):
    report(world, account_no="0602000001")
    second = report(world, phone="13912345678", account_no="0602000002")
    third = report(world, phone="13612345678", account_no="0602000001")
    assert third.outage == second.outage and Outage.objects.count() == 1


@pytest.mark.django_db
def test_restoring_the_outage_restores_its_tickets(world):
    first = report(world, account_no="0602000001")
    second = report(world, phone="13912345678", account_no="0602000002")
    work_to(world, first, "on_site")
    outage = outage_restore(outage=second.outage, actor=world.users["clerk_a"])
    assert outage.status == OutageStatus.RESTORED
    assert set(FaultTicket.objects.values_list("status", flat=True)) == {FaultStatus.RESTORED}
    assert "随停电事件" in FaultTicket.objects.get(pk=second.pk).events.last().notes
    with pytest.raises(ApiError):
        outage_restore(outage=outage, actor=world.users["clerk_a"])


@pytest.mark.django_db
def test_a_planned_outage_needs_seven_days_notice_and_lists_the_households(world):
    with time_machine.travel(T0, tick=False):
        with pytest.raises(FieldError) as refused:
            planned_outage_announce(
                transformer=world.transformer_a,
                start_at=T0 + datetime.timedelta(days=6),
                end_at=T0 + datetime.timedelta(days=6, hours=4),
                reason="更换变压器",
                actor=world.users["clerk_a"],
            )
        assert refused.value.errors[0]["field"] == "start_at"
        outage = planned_outage_announce(
            transformer=world.transformer_a,
            start_at=T0 + datetime.timedelta(days=7),
            end_at=T0 + datetime.timedelta(days=7, hours=4),
            reason="更换变压器",
            actor=world.users["clerk_a"],
        )
    assert outage.kind == OutageKind.PLANNED and outage.status == OutageStatus.ANNOUNCED
    assert outage.affected_households == 2
    counts = planned_outage_notify(outage=outage)
    assert counts == {"logged": 2}
    assert set(Notification.objects.filter(purpose="planned_outage").values_list("recipient", flat=True)) == {
        "13812345678",
        "13912345678",
    }


@pytest.mark.django_db
def test_escalation_warns_then_marks_overdue_and_notifies_the_station_head_once_per_level(world):
    with time_machine.travel(T0, tick=False) as clock:
        ticket = report(world)  # rural: due at T0 + 90 min, warn 15 min before
        clock.move_to(T0 + 70 * MIN)
        assert fault_escalation_run() == 0
        clock.move_to(T0 + 76 * MIN)
        assert fault_escalation_run() == 1
        assert fault_escalation_run() == 0
        ticket.refresh_from_db()
        assert ticket.arrival_escalation == Escalation.NEAR
        clock.move_to(T0 + 91 * MIN)
        assert fault_escalate() == 1
    ticket.refresh_from_db()
    assert ticket.arrival_escalation == Escalation.OVERDUE
    messages = list(Notification.objects.filter(purpose="repair_escalation").order_by("pk"))
    assert [m.recipient for m in messages] == ["13800000001", "13800000001"]
    assert "已超时" in messages[1].subject and all(m.status == "logged" for m in messages)


@pytest.mark.django_db
def test_escalation_watches_the_restoration_clock_once_on_site(world):
    with time_machine.travel(T0, tick=False) as clock:
        ticket = work_to(world, report(world), "on_site")
        clock.move_to(T0 + 241 * MIN)
        assert fault_escalation_run() == 1
    ticket.refresh_from_db()
    assert ticket.restore_escalation == Escalation.OVERDUE and ticket.arrival_escalation == Escalation.NONE


@pytest.mark.django_db
def test_a_station_without_a_head_phone_is_marked_but_not_notified(world):
    with time_machine.travel(T0, tick=False) as clock:
        report(world, village=world.village_b, phone="15012345678")
        clock.move_to(T0 + 200 * MIN)
        assert fault_escalation_run() == 1
    assert not Notification.objects.filter(purpose="repair_escalation").exists()


def test_percentiles_interpolate_like_numpy():
    assert percentile([], 50) is None
    assert percentile([10], 90) == 10
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == pytest.approx(9.1)


def test_kpis_count_on_time_arrivals_overdue_tickets_and_satisfaction():
    now = T0 + 300 * MIN

    def times(on_site_min=None, restored_min=None, is_open=False, awaiting=False, rating=None):
        on_site = T0 + on_site_min * MIN if on_site_min is not None else None
        return TicketTimes(
            reported_at=T0,
            arrival_due_at=T0 + 90 * MIN,
            on_site_at=on_site,
            restore_due_at=on_site + 240 * MIN if on_site else None,
            restored_at=T0 + restored_min * MIN if restored_min is not None else None,
            is_open=is_open,
            awaiting_arrival=awaiting,
            rating=rating,
        )

    kpis = repair_kpis(
        [
            times(30, 90, rating=5),
            times(100, 130, rating=3),
            times(60, is_open=True),
            times(is_open=True, awaiting=True),
        ],
        now,
    )
    assert (kpis.tickets, kpis.open_count, kpis.overdue_count) == (4, 2, 1)
    assert kpis.on_time_arrival_pct == pytest.approx(66.7)
    assert kpis.arrival_median_min == 60 and kpis.restoration_median_min == 45
    assert kpis.satisfaction_avg == 4 and kpis.ratings_count == 2
