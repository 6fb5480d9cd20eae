"""The action plan: items with progress through one transition function, meetings, the Gantt
view and the calendar; overdue items stand out."""

import datetime

import pytest
import time_machine

from powerexpress.core.errors import ApiError
from powerexpress.outreach import services
from powerexpress.outreach.choices import PlanItemKind, PlanStatus
from powerexpress.outreach.models import PlanItem

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = time_machine.travel(
    datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
)


@pytest.fixture
def item(world):
    return services.plan_item_create(
        user=world.users["clerk_a"],
        station=world.station_a,
        title="五走进·走进学校",
        kind=PlanItemKind.ACTIVITY,
        campaign="五走进",
        starts_on=D(2026, 11, 1),
        due_on=D(2026, 11, 20),
        team=world.team_a,
        villages=[world.village_a],
    )


def test_progress_is_recorded_with_who_and_when(world, item):
    services.plan_item_progress(
        user=world.users["clerk_a"],
        item=item,
        status=PlanStatus.IN_PROGRESS,
        progress_percent=40,
        notes="两所学校已完成",
    )
    item.refresh_from_db()
    assert (item.status, item.progress_percent, item.updated_by) == (
        PlanStatus.IN_PROGRESS,
        40,
        world.users["clerk_a"],
    )
    assert item.updates.get().to_status == PlanStatus.IN_PROGRESS


def test_a_done_item_is_complete_and_cannot_reopen(world, item):
    services.plan_item_progress(
        user=world.users["clerk_a"], item=item, status=PlanStatus.DONE, progress_percent=90
    )
    item.refresh_from_db()
    assert item.progress_percent == 100
    with pytest.raises(ApiError) as error:
        services.plan_item_progress(
            user=world.users["clerk_a"], item=item, status=PlanStatus.IN_PROGRESS, progress_percent=10
        )
    assert error.value.code == "illegal_transition"


def test_a_due_date_before_the_start_is_refused(world):
    with pytest.raises(ApiError) as error:
        services.plan_item_create(
            user=world.users["clerk_a"],
            station=world.station_a,
            title="x",
            kind=PlanItemKind.MILESTONE,
            starts_on=D(2026, 2, 1),
            due_on=D(2026, 1, 1),
        )
    assert error.value.errors[0]["field"] == "due_on"


@NOW
def test_an_overdue_item_stands_out_in_the_plan_and_the_calendar(world, item):
    page = world.web("clerk_a").get("/outreach/plan/").content.decode()
    assert 'class="overdue"' in page and "gantt-bar status-planned overdue" in page
    calendar = world.web("clerk_a").get("/outreach/plan/calendar/?year=2026&month=11").content.decode()
    assert 'class="entry overdue"' in calendar
    assert world.web("clerk_a").get("/outreach/plan/?status=overdue").context["items"][0][0] == item


@NOW
def test_the_progress_form_moves_the_item(world, item):
    response = world.web("clerk_a").post(
        f"/outreach/plan/{item.pk}/", {"status": "in_progress", "progress_percent": 50}
    )
    assert response.status_code == 302
    assert PlanItem.objects.get().progress_percent == 50


def test_a_progress_meeting_keeps_minutes_decisions_and_items(world, item):
    response = world.web("clerk_a").post(
        "/outreach/meetings/new/",
        {
            "station": world.station_a.pk,
            "held_on": "2026-11-25",
            "title": "11月推进会",
            "minutes": "听取各队汇报",
            "decisions": "12月10日前完成学校走进",
            "items": [item.pk],
        },
    )
    assert response.status_code == 302
    meeting = world.station_a.progress_meetings.get()
    assert list(meeting.items.all()) == [item]
    assert "12月10日前" in world.web("clerk_a").get(f"/outreach/meetings/{meeting.pk}/").content.decode()


@pytest.mark.parametrize("who", ["clerk_b", "outsider"])
def test_another_stations_plan_item_answers_404(world, item, who):
    assert world.web(who).get(f"/outreach/plan/{item.pk}/").status_code == 404


def test_the_auditor_reads_the_plan_but_cannot_report_progress(world, item):
    client = world.web("auditor")
    assert client.get(f"/outreach/plan/{item.pk}/").status_code == 200
    assert (
        client.post(f"/outreach/plan/{item.pk}/", {"status": "done", "progress_percent": 100}).status_code
        == 403
    )


@NOW
def test_a_clerk_moves_a_plan_items_dates_on_the_edit_page(world, item):
    client = world.web("clerk_a")
    page = client.get(f"/outreach/plan/{item.pk}/edit/")
    assert page.status_code == 200 and "五走进·走进学校" in page.content.decode()
    data = {
        "station": world.station_a.pk,
        "kind": PlanItemKind.ACTIVITY,
        "title": "五走进·走进学校（延期）",
        "campaign": "五走进",
        "starts_on": "2026-11-10",
        "due_on": "2026-12-15",
        "team": world.team_a.pk,
        "villages": [world.village_a.pk],
    }
    assert client.post(f"/outreach/plan/{item.pk}/edit/", data).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.due_on, item.status) == (
        "五走进·走进学校（延期）",
        D(2026, 12, 15),
        PlanStatus.PLANNED,
    )
    bad = client.post(f"/outreach/plan/{item.pk}/edit/", {**data, "due_on": "2026-11-01"})
    assert bad.status_code == 200 and "before the start date" in bad.content.decode()


def test_a_plan_item_stays_with_its_station_and_only_recorders_edit_it(world, item):
    with pytest.raises(ApiError):
        services.plan_item_update(
            user=world.users["clerk_a"],
            item=item,
            station=world.station_b,
            title="x",
            starts_on=D(2026, 11, 1),
            due_on=D(2026, 11, 2),
            kind=PlanItemKind.ACTIVITY,
        )
    assert world.web("clerk_b").get(f"/outreach/plan/{item.pk}/edit/").status_code == 404
    assert world.web("auditor").get(f"/outreach/plan/{item.pk}/edit/").status_code == 403
