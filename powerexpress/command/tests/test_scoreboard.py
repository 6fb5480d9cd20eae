"""The scoreboard: who may open it, what each role sees, and numbers from the rule."""

import datetime
import io

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from powerexpress.command.selectors import Filters, pace_to_target, scoreboard, table_find, ticket_outcome
from powerexpress.registry.choices import AreaClass
from powerexpress.repair.choices import FaultStatus, OutageKind, OutageStatus
from powerexpress.repair.models import FaultTicket, Outage

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)


def _ticket(
    world,
    number,
    *,
    station=None,
    village=None,
    reported_at,
    on_site_at=None,
    restored_at=None,
    status=FaultStatus.RESTORED,
    area=AreaClass.RURAL,
    arrival_min=90,
    outage=None,
):
    return FaultTicket.objects.create(
        number=number,
        village=village or world.village_a,
        station=station or world.station_a,
        phone="13800000000",
        description="停电",
        area_class=area,
        status=status,
        reported_at=reported_at,
        arrival_due_at=reported_at + datetime.timedelta(minutes=arrival_min),
        on_site_at=on_site_at,
        restore_due_at=on_site_at + datetime.timedelta(minutes=240) if on_site_at else None,
        restored_at=restored_at,
        rating_token=number,
        outage=outage,
    )


@pytest.mark.parametrize("who", ["manager", "auditor", "clerk_a"])
def test_managers_auditors_and_station_clerks_open_the_scoreboard(world, who):
    response = world.web(who).get("/command/")
    assert response.status_code == 200
    assert b"Scoreboard" in response.content


@pytest.mark.parametrize("who", ["crew_a", "team_a", "outsider"])
def test_crews_team_members_and_outsiders_are_denied(world, who):
    assert world.web(who).get("/command/").status_code == 403
    assert world.web(who).get("/command/export/repair.csv").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/command/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_scoreboard_is_named_command_home_for_the_managers_landing_page():
    from django.urls import reverse

    assert reverse("command:home") == "/command/"


def test_an_empty_county_shows_empty_states_not_errors(world):
    response = world.web("manager").get("/command/?months=12&area_class=remote")
    assert response.status_code == 200
    assert b"No data for this selection yet." in response.content
    assert b"Not available" not in response.content


def test_a_station_clerk_sees_only_their_station(world):
    _ticket(
        world,
        "T-A",
        reported_at=NOW - datetime.timedelta(hours=5),
        on_site_at=NOW - datetime.timedelta(hours=4),
    )
    _ticket(
        world,
        "T-B",
        station=world.station_b,
        village=world.village_b,
        area=AreaClass.REMOTE,
        reported_at=NOW - datetime.timedelta(hours=5),
        on_site_at=NOW - datetime.timedelta(hours=4),
    )
    clerk_rows = table_find(scoreboard(world.users["clerk_a"], Filters(), now=NOW), "repair").rows
    manager_rows = table_find(scoreboard(world.users["manager"], Filters(), now=NOW), "repair").rows
    assert {row[0] for row in clerk_rows} == {"新店供电所"}
    assert {row[0] for row in manager_rows} == {"新店供电所", "朱家场供电所"}
    reliability = table_find(scoreboard(world.users["clerk_b"], Filters(), now=NOW), "reliability").rows
    assert {row[0] for row in reliability} == {"朱家场供电所"}


def test_a_clerk_asking_for_another_station_gets_no_rows_of_it(world):
    _ticket(
        world,
        "T-B",
        station=world.station_b,
        village=world.village_b,
        area=AreaClass.REMOTE,
        reported_at=timezone.now() - datetime.timedelta(hours=5),
    )
    response = world.web("clerk_a").get(f"/command/export/repair.csv?station={world.station_b.pk}")
    assert response.status_code == 200
    assert "朱家场".encode() not in response.content


def test_on_time_arrival_and_mean_arrival_follow_the_commitment(world):
    # Rural, 90 minutes: arrivals after 60 and 120 minutes → 50 % on time, mean 90 minutes.
    report = NOW - datetime.timedelta(days=1)
    _ticket(
        world,
        "T1",
        reported_at=report,
        on_site_at=report + datetime.timedelta(minutes=60),
        restored_at=report + datetime.timedelta(minutes=200),
    )
    _ticket(
        world,
        "T2",
        reported_at=report,
        on_site_at=report + datetime.timedelta(minutes=120),
        restored_at=report + datetime.timedelta(minutes=120 + 250),
    )
    row = table_find(scoreboard(world.users["manager"], Filters(), now=NOW), "repair").rows[0]
    station, area, commitment, tickets, arrived, on_time, mean, restored, restored_pct = row
    assert (commitment, tickets, arrived, on_time, mean) == (90, 2, 2, 50.0, 90.0)
    # Restoration: 140 min (within 4 h) and 250 min (over) → 50 %.
    assert (restored, restored_pct) == (2, 50.0)


def test_a_ticket_restored_through_an_outage_without_an_on_site_step_still_counts():
    reported = NOW
    row = {
        "reported_at": reported,
        "arrival_due_at": reported + datetime.timedelta(minutes=90),
        "on_site_at": None,
        "restore_due_at": None,
        "restored_at": reported + datetime.timedelta(minutes=70),
    }
    outcome = ticket_outcome(row, 240)
    assert outcome == {"arrival_min": 70.0, "on_time": True, "restored_in_time": True}
    late = ticket_outcome({**row, "restored_at": reported + datetime.timedelta(minutes=100)}, 240)
    assert late["arrival_min"] == 100.0 and late["on_time"] is False


def test_reliability_indices_come_from_outages_and_the_households_on_each_district(world):
    # Station A serves 2 households (both on transformer_a). One unplanned outage of 60 min on
    # transformer_a in the period: SAIFI = 2/2 = 1, SAIDI = 120/2 = 60 min, CAIDI = 60 min.
    start = NOW - datetime.timedelta(days=2)
    Outage.objects.create(
        number="O-1",
        station=world.station_a,
        transformer=world.transformer_a,
        kind=OutageKind.UNPLANNED,
        status=OutageStatus.RESTORED,
        started_at=start,
        restored_at=start + datetime.timedelta(minutes=60),
    )
    rows = table_find(scoreboard(world.users["clerk_a"], Filters(months=1), now=NOW), "reliability").rows
    by_kind = {row[2]: row for row in rows}
    unplanned = by_kind["unplanned"]
    assert unplanned[1:8] == [1, "unplanned", 2, 2, 1.0, 60.0, 60.0]
    # Period: 1 November 00:00 to 20 November 12:00 = 19.5 days = 468 h; RS-1 = (1 − 2/(2·468))·100.
    assert unplanned[8] == pytest.approx(round((1 - 2 / (2 * 468)) * 100, 4))
    assert unplanned[9] == 1.0
    assert by_kind["planned"][5] == 0


def test_the_pace_gives_the_month_the_target_is_reached():
    months = [datetime.date(2026, m, 1) for m in range(1, 8)]
    # 20 % → 50 % over six months: 5 points a month; 30 points to go → 6 months after July.
    outlook = pace_to_target([20, 25, 30, 35, 40, 45, 50], months)
    assert outlook == {"current": 50, "gain_pp": 5.0, "reached": datetime.date(2027, 1, 1)}
    assert pace_to_target([50] * 7, months)["reached"] is None
    assert pace_to_target([None] * 7, months)["current"] is None


def test_the_numbers_behind_a_chart_download_as_excel_with_chinese_headers(world):
    _ticket(
        world,
        "T1",
        reported_at=timezone.now() - datetime.timedelta(hours=3),
        on_site_at=timezone.now() - datetime.timedelta(hours=2),
    )
    client = world.web("manager")
    client.cookies["django_language"] = "zh-hans"
    with translation.override("en"):  # the request activates Chinese in this thread: undo it after
        response = client.get("/command/export/repair.xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "供电所" and "准时到达率（%）" in header
    assert [cell.value for cell in list(sheet.iter_rows(min_row=2, max_row=2))[0]][3] == 1


def test_an_unknown_table_or_format_is_not_found(world):
    client = world.web("manager")
    assert client.get("/command/export/nothing.csv").status_code == 404
    assert client.get("/command/export/repair.pdf").status_code == 404


def test_a_capability_that_fails_shows_not_available_and_the_rest_still_renders(world, monkeypatch):
    from powerexpress.command import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("grid is down")

    monkeypatch.setattr(selectors, "grid_section", broken)
    response = world.web("manager").get("/command/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Not available: this capability did not answer." in text and "Reliability indices" in text
