import datetime
import sys
import types
from decimal import Decimal

import pytest
import time_machine

from powerexpress.applications.choices import ApplicationStatus as S
from powerexpress.applications.models import Application, ApplicationPolicy, TimeLimit
from powerexpress.applications.selectors import (
    applications_for_phone,
    headroom_check,
    station_queues,
)
from powerexpress.applications.services import (
    application_connect,
    application_install,
    application_reject,
    application_reply_plan,
    application_settle_fees,
    application_submit,
    application_survey,
    application_withdraw,
)
from powerexpress.applications.tests.factories import application_body
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.models import Notification


def submit(**overrides) -> Application:
    application, _created = application_submit(raw=application_body(**overrides))
    return application


def big_pump(**overrides) -> Application:
    return submit(requested_kw="70", appliances=[{"name": "深井泵", "quantity": 1, "kw": "70"}], **overrides)


def test_each_step_records_the_actor_the_time_and_the_notes(world):
    clerk = world.users["clerk_a"]
    application = submit(requested_kw="3", appliances=[{"name": "泵", "quantity": 1, "kw": "3"}])
    application = application_survey(user=clerk, application=application, notes="现场已勘查")
    application = application_reply_plan(
        user=clerk, application=application, fee_fen=12000, notes="方案已答复"
    )
    application = application_settle_fees(user=clerk, application=application, notes="已缴费")
    application = application_install(user=clerk, application=application, notes="已装表")
    application = application_connect(user=clerk, application=application, notes="已送电")
    events = list(application.events.all())
    assert [e.to_status for e in events] == [
        S.RECEIVED,
        S.SURVEYED,
        S.PLAN_REPLIED,
        S.FEES_SETTLED,
        S.INSTALLED,
        S.CONNECTED,
    ]
    assert all(e.actor == clerk and e.at for e in events[1:])
    assert events[-1].notes == "已送电"
    assert application.closed_at is not None and application.due_on is None
    assert Notification.objects.filter(recipient="13812345678", purpose="application").count() == 6


def test_installation_waits_for_the_fees_when_the_plan_names_fees(world):
    clerk = world.users["clerk_a"]
    application = application_survey(
        user=clerk,
        application=submit(requested_kw="3", appliances=[{"name": "泵", "quantity": 1, "kw": "3"}]),
    )
    application = application_reply_plan(user=clerk, application=application, fee_fen=5000)
    with pytest.raises(ApiError) as error:
        application_install(user=clerk, application=application)
    assert error.value.code == "fees_unsettled"


def test_a_rejection_needs_a_reason_and_closes_the_application(world):
    clerk = world.users["clerk_a"]
    application = submit()
    with pytest.raises(FieldError):
        application_reject(user=clerk, application=application, notes=" ")
    application = application_reject(user=clerk, application=application, notes="不在供电范围")
    assert application.status == S.REJECTED
    with pytest.raises(ApiError):
        application_withdraw(user=None, application=application)


def test_the_applicant_can_withdraw_before_installation(world):
    application = application_withdraw(user=None, application=submit(), notes="不需要了")
    assert application.status == S.WITHDRAWN
    assert application.events.last().actor is None


def test_headroom_uses_households_and_connected_applications_when_no_measurements_exist(world):
    headroom = headroom_check(transformer=world.transformer_a, new_kw=Decimal("9"))
    # two households × 2 kVA = 4 kVA; 9 kW / 0.9 = 10 kVA; rated 100 kVA
    assert headroom.source == "estimate"
    assert headroom.rate_before_percent == Decimal("4.0")
    assert headroom.rate_after_percent == Decimal("14.0")
    assert headroom.warn is False


def test_replying_a_plan_that_would_pass_80_percent_needs_an_acknowledgement(world):
    clerk = world.users["clerk_a"]
    application = application_survey(user=clerk, application=big_pump())
    with pytest.raises(ApiError) as error:
        application_reply_plan(user=clerk, application=application)
    assert error.value.code == "headroom_warning"
    assert "81.8" in str(error.value.message)
    application = application_reply_plan(user=clerk, application=application, acknowledge_headroom=True)
    assert application.status == S.PLAN_REPLIED
    assert "81.8" in application.headroom_note


def test_connected_applications_count_in_the_next_estimate(world):
    clerk = world.users["clerk_a"]
    first = application_survey(
        user=clerk,
        application=submit(requested_kw="36", appliances=[{"name": "泵", "quantity": 1, "kw": "36"}]),
    )
    for step in (application_reply_plan, application_install, application_connect):
        first = step(user=clerk, application=first)
    headroom = headroom_check(transformer=world.transformer_a, new_kw=Decimal("36"))
    assert headroom.rate_before_percent == Decimal("44.0")
    assert headroom.warn is True


def test_measured_peaks_from_grid_data_replace_the_estimate(world, monkeypatch):
    fake = types.ModuleType("powerexpress.grid.selectors")
    fake.measured_peak_kva = lambda transformer: 75.5 if transformer.code == "XD001-01" else None
    monkeypatch.setitem(sys.modules, "powerexpress.grid.selectors", fake)
    headroom = headroom_check(transformer=world.transformer_a, new_kw=Decimal("9"))
    assert headroom.source == "measured"
    assert headroom.rate_after_percent == Decimal("85.5")
    assert headroom.warn is True
    assert headroom_check(transformer=world.transformer_b, new_kw=Decimal("9")).source == "estimate"


def test_the_headroom_threshold_is_a_bureau_setting(world):
    ApplicationPolicy.objects.update(heavy_load_percent=10)
    assert headroom_check(transformer=world.transformer_a, new_kw=Decimal("9")).warn is True


def test_the_time_limits_per_kind_are_bureau_settings(world):
    TimeLimit.objects.filter(kind="residential").update(plan_reply_days=1, install_days=1)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        application = submit(kind="residential")
    assert application.plan_due_on == datetime.date(2026, 3, 3)
    assert application.connect_due_on == datetime.date(2026, 3, 4)


def test_the_residential_defaults_are_three_and_three_working_days(world):
    with time_machine.travel(datetime.datetime(2026, 2, 13, 10, 0, tzinfo=datetime.UTC), tick=False):
        application = submit(kind="residential")
    assert application.plan_due_on == datetime.date(2026, 2, 25)
    assert application.connect_due_on == datetime.date(2026, 2, 28)


def test_the_connection_timer_restarts_when_the_fees_are_settled(world):
    clerk = world.users["clerk_a"]
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        application = application_survey(
            user=clerk,
            application=submit(
                kind="residential", requested_kw="3", appliances=[{"name": "灶", "quantity": 1, "kw": "2"}]
            ),
        )
        application = application_reply_plan(user=clerk, application=application, fee_fen=100)
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.UTC), tick=False):
        application = application_settle_fees(user=clerk, application=application)
    assert application.connect_due_on == datetime.date(2026, 3, 19)
    assert application.due_on == datetime.date(2026, 3, 19)


def test_overdue_and_near_due_lists_per_station(world):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        late = submit(kind="residential")  # plan due 5 March
        soon = submit(kind="agricultural")  # plan due 11 March
        submit(kind="residential", village="ZJC001")
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC), tick=False):
        queues = station_queues(world.users["clerk_a"])
        assert list(queues["overdue"]) == [late]
        assert list(queues["near_due"]) == [soon]
        assert list(queues["open"]) == []
        assert len(station_queues(world.users["manager"])["overdue"]) == 2
        assert not station_queues(world.users["outsider"])["overdue"].exists()


def test_applications_for_phone_lists_the_newest_first(world):
    first, second = submit(), submit()
    submit(phone="13900000009")
    assert list(applications_for_phone("13812345678")) == [second, first]


def test_the_demo_command_is_deterministic_and_idempotent(world):
    from powerexpress.applications.demo import applications_demo_build

    assert applications_demo_build(seed=1, count=12) == 12
    assert applications_demo_build(seed=1, count=12) == 0
    first = Application.objects.order_by("tracking_no").first()
    assert first.tracking_no == "YKDEMO0001"
    assert first.events.first().to_status == S.RECEIVED


def test_station_heads_get_one_overdue_digest_a_day(world):
    from powerexpress.applications.tasks import applications_overdue_digest

    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        submit(kind="residential")
        submit(kind="residential", village="ZJC001")
    with time_machine.travel(datetime.datetime(2026, 3, 10, 0, 30, tzinfo=datetime.UTC), tick=False):
        assert applications_overdue_digest() == 1  # station B has no head phone
        assert applications_overdue_digest() == 0
    digest = Notification.objects.get(purpose="applications-digest-2026-03-10")
    assert digest.recipient == "13800000001" and "1" in digest.body
