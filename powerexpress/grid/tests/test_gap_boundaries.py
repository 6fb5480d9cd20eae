"""A single missing reading at a month boundary, stored and detected month by month: bridged into
one event marked "gap inside" when the bureau's setting says so, else no event and a "gap inside"
mark — whichever month is detected first or again (expected values from the rule, docs/grid.md)."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django.test import Client

from powerexpress.grid import services
from powerexpress.grid.choices import EventKind
from powerexpress.grid.models import GapRun, GridSettings, LoadEvent
from powerexpress.grid.tests.test_boundaries import TZ, readings_csv

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.datetime(2022, 1, 30, tzinfo=TZ), dt.datetime(2022, 2, 3, tzinfo=TZ)
# 114.75 kVA on the 100 kVA unit from 23:00 on 31 January to 01:15 on 1 February (9 steps), the
# 23:45 reading (January's last) missing: 3 readings before the gap and 5 after, 8 = 2 hours.
SPAN = (dt.datetime(2022, 1, 31, 23, 0, tzinfo=TZ), dt.datetime(2022, 2, 1, 1, 15, tzinfo=TZ))
GAP = dt.datetime(2022, 1, 31, 23, 45, tzinfo=TZ)


def content() -> bytes:
    frame = pl.read_csv(readings_csv(FIRST, LAST, [SPAN]))
    return frame.filter(pl.col("ts") != GAP.strftime("%Y-%m-%d %H:%M")).write_csv().encode()


def bridge(on: bool) -> None:
    grid_settings = services.grid_settings_get()
    grid_settings.bridge_single_gaps = on
    grid_settings.save()


def overloads():
    return [
        (e.start_at, e.end_at, e.peak, e.energy_above_kvah, e.gap_inside)
        for e in LoadEvent.objects.filter(kind=EventKind.OVERLOAD)
    ]


def marks():
    return [(g.start_at, g.end_at) for g in GapRun.objects.filter(kind=EventKind.OVERLOAD)]


def test_by_default_a_missing_reading_at_the_month_boundary_leaves_no_event_and_a_gap_inside_mark(load):
    assert GridSettings._meta.get_field("bridge_single_gaps").default is False
    load(content())
    for month in (dt.date(2022, 2, 1), dt.date(2022, 1, 1), dt.date(2022, 2, 1)):
        services.partition_detect(station_code="XD", month=month)
        assert overloads() == []
        assert marks() == [SPAN]


def test_with_bridging_the_run_across_the_month_boundary_is_one_event_marked_gap_inside(load):
    bridge(True)
    load(content())
    # 8 readings × (114.75 − 100) kVA × 0.25 h = 29.5 kVAh; the missing step adds nothing.
    expected = [(*SPAN, Decimal("114.8"), Decimal("29.5"), True)]
    for month in (dt.date(2022, 2, 1), dt.date(2022, 1, 1), dt.date(2022, 1, 1), dt.date(2022, 2, 1)):
        services.partition_detect(station_code="XD", month=month)
        assert overloads() == expected
        assert GapRun.objects.count() == 0


def test_turning_bridging_off_and_detecting_again_turns_the_event_into_a_mark(load):
    bridge(True)
    load(content())
    assert len(overloads()) == 1
    bridge(False)
    for month in (dt.date(2022, 1, 1), dt.date(2022, 2, 1)):
        services.partition_detect(station_code="XD", month=month)
    assert overloads() == [] and marks() == [SPAN]


def test_the_transformer_page_lists_the_run_or_the_bridged_event_as_gap_inside(load, world):
    load(content())
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users["manager"])
    page = client.get("/grid/transformers/XD001-01/?kind=overload").content.decode()
    assert page.count("中间缺数") == 2  # the heading of the list of marks and the overload's mark
    assert "2022-01-31 23:00" in page
    bridge(True)
    for month in (dt.date(2022, 1, 1), dt.date(2022, 2, 1)):
        services.partition_detect(station_code="XD", month=month)
    page = client.get("/grid/transformers/XD001-01/?kind=overload").content.decode()
    assert page.count("中间缺数") == 1  # the event's badge; no marks are left


def test_the_settings_page_shows_the_gap_setting_with_its_meaning(world):
    page = world.web("manager").get("/grid/settings/").content.decode()
    assert "single missing reading inside a run bridges it" in page
    assert "Two missing readings in a row never bridge" in page
