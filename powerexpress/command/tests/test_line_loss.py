"""Line loss in the command centre: the scoreboard's counts per class and energy-weighted rate, and
the power map's line-loss colouring."""

import datetime
import json

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import translation

from powerexpress.command.selectors import Filters, scoreboard, table_find
from powerexpress.lineloss.choices import LossClass
from powerexpress.lineloss.models import LineLoss
from powerexpress.registry.choices import AreaClass
from powerexpress.registry.models import TransformerDistrict

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
OCTOBER, JULY = datetime.date(2026, 10, 1), datetime.date(2026, 7, 1)


def loss(transformer, month, loss_class, supply_kwh=None, loss_kwh=None):
    return LineLoss.objects.create(
        transformer=transformer,
        month=month,
        supply_kwh=supply_kwh,
        sales_kwh=(supply_kwh or 0) - (loss_kwh or 0),
        loss_kwh=loss_kwh,
        loss_rate=loss_kwh / supply_kwh if supply_kwh else None,
        loss_class=loss_class,
    )


@pytest.fixture
def losses(world):
    def district(code):
        return TransformerDistrict.objects.create(
            station=world.station_a, village=world.village_a, code=code, name=code, rated_kva=100
        )

    loss(world.transformer_a, OCTOBER, LossClass.HIGH, 1000.0, 80.0)  # 8 %
    loss(district("XD001-02"), OCTOBER, LossClass.QUALIFIED, 3000.0, 30.0)  # 1 %
    loss(district("XD001-03"), OCTOBER, LossClass.UNCOMPUTABLE)
    loss(world.transformer_b, OCTOBER, LossClass.NEGATIVE, 500.0, -10.0)  # −2 %
    loss(world.transformer_a, JULY, LossClass.QUALIFIED, 1000.0, 40.0)  # before the 3-month period
    return world


def grid(user, filters: Filters):
    with translation.override("en"):
        return next(s for s in scoreboard(user, filters, now=NOW) if s.key == "grid")


def tiles(section) -> dict:
    return {label: value for value, label in section.tiles}


# header: station, qualified, high, negative, cannot be computed, stopped, loss rate (%)


def test_the_scoreboard_counts_districts_per_class_of_the_periods_latest_month(losses):
    section = grid(losses.users["manager"], Filters())
    table = table_find([section], "line_loss")
    assert "2026-10" in table.title
    assert table.rows == [
        ["新店供电所", 1, 1, 0, 1, 0, 2.75],  # (80 + 30) ÷ (1000 + 3000), not the mean of 8 % and 1 %
        ["朱家场供电所", 0, 0, 1, 0, 0, -2.0],
    ]
    assert table.links[0] == "/lineloss/?month=2026-10&station=XD"
    # the bureau: (80 + 30 − 10) ÷ 4500 kWh = 2.22 %; high or negative: 2 districts
    assert tiles(section)["line loss rate (energy-weighted)"] == "2.22%"
    assert tiles(section)["districts with high or negative line loss"] == "2"


def test_a_station_clerk_counts_only_their_station(losses):
    section = grid(losses.users["clerk_a"], Filters())
    assert table_find([section], "line_loss").rows == [["新店供电所", 1, 1, 0, 1, 0, 2.75]]
    assert tiles(section)["line loss rate (energy-weighted)"] == "2.75%"
    assert tiles(section)["districts with high or negative line loss"] == "1"


def test_the_station_and_area_filters_cut_the_line_loss_counts(losses):
    by_station = grid(losses.users["manager"], Filters(station_id=losses.station_b.pk))
    assert table_find([by_station], "line_loss").rows == [["朱家场供电所", 0, 0, 1, 0, 0, -2.0]]
    remote = grid(losses.users["manager"], Filters(area_class=AreaClass.REMOTE))
    assert table_find([remote], "line_loss").rows == [["朱家场供电所", 0, 0, 1, 0, 0, -2.0]]
    assert tiles(remote)["line loss rate (energy-weighted)"] == "-2.00%"


def test_a_chosen_month_shows_that_months_classes(losses):
    table = table_find([grid(losses.users["manager"], Filters(month=JULY))], "line_loss")
    assert "2026-07" in table.title
    assert table.rows == [["新店供电所", 1, 0, 0, 0, 0, 4.0]]


def test_a_period_without_line_loss_shows_an_empty_table_not_an_error(world):
    section = grid(world.users["manager"], Filters())
    assert section.available
    assert table_find([section], "line_loss").rows == []
    assert tiles(section)["line loss rate (energy-weighted)"] == "—"
    page = world.web("manager").get("/command/")
    assert page.status_code == 200


def test_the_line_loss_counts_download_as_csv(losses):
    response = losses.web("manager").get("/command/export/line_loss.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "新店供电所,1,1,0,1,0,2.75" in body.decode("utf-8-sig")


def test_the_grid_section_stays_without_the_line_loss_app(losses, monkeypatch):
    installed = django_apps.is_installed
    monkeypatch.setattr(
        django_apps, "is_installed", lambda name: name != "powerexpress.lineloss" and installed(name)
    )
    section = grid(losses.users["manager"], Filters())
    assert section.available and table_find([section], "line_loss") is None
    data = json.loads(losses.web("manager").get("/command/map/data.json").content)
    assert all(t["loss"] is None for t in data["transformers"])


# The power map


def map_data(world, who: str) -> dict:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users[who])
    response = client.get("/command/map/data.json")
    assert response.status_code == 200
    return {t["code"]: t for t in json.loads(response.content)["transformers"]}


def test_the_map_gives_each_district_its_latest_line_loss_class(losses):
    transformers = map_data(losses, "manager")
    assert transformers["XD001-01"]["loss"] == {
        "class": "high",
        "label": "高损",
        "rate_pct": 8.0,
        "month": "2026-10",
    }
    assert transformers["ZJC001-01"]["loss"] == {
        "class": "negative",
        "label": "负损",
        "rate_pct": -2.0,
        "month": "2026-10",
    }
    assert transformers["XD001-03"]["loss"]["class"] == "uncomputable"
    assert transformers["XD001-03"]["loss"]["rate_pct"] is None


def test_the_map_shows_a_station_clerk_no_other_stations_line_loss(losses):
    transformers = map_data(losses, "clerk_b")
    assert set(transformers) == {"ZJC001-01"}


def test_a_district_without_line_loss_has_none_on_the_map(world):
    transformers = map_data(world, "manager")
    assert transformers["XD001-01"]["loss"] is None


def test_the_map_page_names_the_line_loss_layer_in_chinese(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users["manager"])
    html = client.get("/command/map/").content.decode()
    assert '"lineloss":"台区线损类别"' in html and "按线损类别着色的台区图层（圆环）" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_turns_on_the_line_loss_layer_and_reads_a_districts_class(world, page, live_server):
    from decimal import Decimal

    from conftest import browser_login

    for village, lat in ((world.village_a, "27.25"), (world.village_b, "27.30")):
        village.latitude, village.longitude = Decimal(lat), Decimal("108.90")
        village.save()
    loss(world.transformer_a, OCTOBER, LossClass.HIGH, 1000.0, 80.0)
    browser_login(page, live_server, "manager")
    page.goto(f"{live_server.url}/command/map/")
    page.wait_for_selector(".leaflet-control-layers-overlays")
    assert page.locator("path.loss-high").count() == 0  # the layer starts hidden
    page.locator(".leaflet-control-layers-overlays label", has_text="台区线损类别").click()
    page.wait_for_selector("path.loss-high")
    page.locator("path.loss-high").first.click(force=True)
    page.wait_for_selector(".map-popup")
    popup = page.inner_text(".map-popup")
    assert "同期线损 2026-10" in popup and "高损 8.0%" in popup
