"""Vulnerable-household care: visit plans per tag, who is due, visit records, history."""

import datetime

import pytest
import time_machine

from powerexpress.core.errors import ApiError
from powerexpress.outreach import selectors, services
from powerexpress.outreach.models import CareVisit

pytestmark = pytest.mark.django_db
TZ = datetime.timezone(datetime.timedelta(hours=8))
D = datetime.date


TODAY = D(2026, 11, 27)


def state_of(world, user="team_a", today=TODAY):
    rows = selectors.care_households(world.users[user], today=today)
    return {row["customer"].account_no: row for row in rows}


def test_a_tagged_household_never_visited_is_due_and_untagged_ones_are_not_listed(world):
    rows = state_of(world)
    assert list(rows) == ["0602000001"]
    assert rows["0602000001"]["due"].state == "never"
    assert rows["0602000001"]["interval_days"] == 30  # empty_nest (30) is tighter than low_income (90)


def test_a_stations_own_visit_plan_overrides_the_default(world):
    services.visit_plan_set(
        user=world.users["clerk_a"], station=world.station_a, tag="empty_nest", interval_days=14
    )
    assert state_of(world)["0602000001"]["interval_days"] == 14


@time_machine.travel(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=TZ))
def test_the_vanguard_team_records_a_visit_and_the_household_is_up_to_date(world, vanguard):
    response = world.web("team_a").post(
        "/outreach/care/0602000001/",
        {
            "visited_on": "2026-11-27",
            "team": vanguard.pk,
            "visitors": "龙书记",
            "findings": "老人独居，插座松动",
            "help_given": "更换插座",
            "safety_check_done": "on",
            "submission_key": "v1",
        },
    )
    assert response.status_code == 302
    visit = CareVisit.objects.get()
    assert visit.safety_check_done and visit.team == vanguard
    assert state_of(world)["0602000001"]["due"].state == "ok"
    assert "老人独居" in world.web("clerk_a").get("/outreach/care/0602000001/").content.decode()


def test_a_visit_becomes_overdue_after_its_interval(world):
    services.care_visit_record(
        user=world.users["team_a"], customer=world.customer_a, visited_on=D(2026, 10, 1)
    )
    row = state_of(world, today=D(2026, 11, 27))["0602000001"]
    assert (row["due"].state, row["due"].days_overdue) == ("overdue", 27)


def test_the_due_list_page_shows_overdue_households_first(world):
    services.care_visit_record(
        user=world.users["team_a"], customer=world.customer_a, visited_on=D(2025, 1, 1)
    )
    page = world.web("team_a").get("/outreach/care/?state=overdue").content.decode()
    assert "0602000001" in page and 'class="overdue"' in page


def test_a_follow_up_needs_a_note(world):
    with pytest.raises(ApiError) as error:
        services.care_visit_record(
            user=world.users["team_a"],
            customer=world.customer_a,
            visited_on=D(2026, 1, 1),
            follow_up_needed=True,
        )
    assert error.value.errors[0]["field"] == "follow_up_notes"


def test_tags_filter_with_the_delimited_lookup(world):
    assert len(selectors.care_households(world.users["manager"], today=D(2026, 1, 1), tag="empty_nest")) == 1
    assert selectors.care_households(world.users["manager"], today=D(2026, 1, 1), tag="hardship") == []


@pytest.mark.parametrize("who", ["clerk_b", "outsider"])
def test_another_stations_household_answers_404_and_is_not_listed(world, who):
    assert world.web(who).get("/outreach/care/0602000001/").status_code == 404
    assert "0602000001" not in state_of(world, user=who)


def test_the_auditor_cannot_record_a_visit(world):
    response = world.web("auditor").post("/outreach/care/0602000001/", {"visited_on": "2026-01-01"})
    assert response.status_code == 403


def test_the_visit_plan_page_saves_every_tag(world):
    data = {
        "low_income": 60,
        "empty_nest": 20,
        "left_behind_children": 30,
        "old_party_member": 90,
        "hardship": 45,
    }
    assert world.web("clerk_a").post("/outreach/care/plans/", data).status_code == 302
    assert selectors.visit_plan_days(world.station_a.pk)["empty_nest"] == 20


def test_the_morning_reminder_texts_the_station_head_once_a_day(world, hazard):
    from powerexpress.celery_app import app
    from powerexpress.core.models import Notification

    after_deadline = hazard.deadline + datetime.timedelta(days=1)
    assert selectors.station_overdue(world.station_a, after_deadline) == {
        "care_overdue": 0,
        "care_never": 1,
        "hazards": 1,
    }
    assert services.overdue_reminders_send(today=after_deadline) == 1
    assert services.overdue_reminders_send(today=after_deadline) == 0
    message = Notification.objects.get(purpose__startswith="outreach_overdue:XD:")
    assert message.recipient == "13800000001" and message.status == "logged"
    assert "新店供电所" in message.body and "1 处隐患逾期" in message.body
    schedule = app.conf.beat_schedule["outreach-overdue-reminders"]
    assert schedule["task"] == "powerexpress.outreach.tasks.overdue_reminders"


def test_no_reminder_when_nothing_is_overdue(world):
    services.care_visit_record(user=world.users["team_a"], customer=world.customer_a, visited_on=TODAY)
    assert services.overdue_reminders_send(today=TODAY) == 0
