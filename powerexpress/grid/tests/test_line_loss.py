"""The line-loss class where grid staff look: the risk list's column and the transformer page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.test import Client

from powerexpress.grid.choices import Action
from powerexpress.grid.models import FestivalForecast
from powerexpress.lineloss.choices import LossClass, LossReason
from powerexpress.lineloss.models import LineLoss

pytestmark = pytest.mark.django_db


def forecast(transformer):
    return FestivalForecast.objects.create(
        festival_year=2027,
        transformer=transformer,
        forecast_rate_pct=Decimal("112.0"),
        naive_rate_pct=Decimal("100.0"),
        measured_growth=Decimal("1.05"),
        peak_on=dt.date(2027, 2, 5),
        risk="overload",
        action=Action.EXTRA_CAPACITY,
        growth_factor=1,
        returnee_factor=1,
    )


def loss(transformer, month, loss_class, supply_kwh=None, loss_kwh=None, coverage=0.95, reason=""):
    return LineLoss.objects.create(
        transformer=transformer,
        month=month,
        supply_kwh=supply_kwh,
        sales_kwh=(supply_kwh or 0) - (loss_kwh or 0),
        loss_kwh=loss_kwh,
        loss_rate=loss_kwh / supply_kwh if supply_kwh else None,
        households=20,
        households_with_data=round(20 * coverage),
        coverage=coverage,
        loss_class=loss_class,
        reason=reason,
    )


def zh(world, who: str) -> Client:
    """A signed-in client reading the pages in Chinese."""
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users[who])
    return client


def line_loss_cells(content: bytes) -> dict[str, str]:
    """The risk list's line-loss cell of each district, by district code."""
    rows = re.findall(
        r'href="/grid/transformers/([^/]+)/">.*?<td class="line-loss">(.*?)</td>', content.decode(), re.S
    )
    return dict(rows)


@pytest.fixture
def losses(world):
    forecast(world.transformer_a)
    forecast(world.transformer_b)
    loss(world.transformer_a, dt.date(2026, 9, 1), LossClass.QUALIFIED, 1000.0, 30.0)
    loss(world.transformer_a, dt.date(2026, 10, 1), LossClass.HIGH, 1000.0, 82.0)
    loss(world.transformer_b, dt.date(2026, 10, 1), LossClass.NEGATIVE, 500.0, -10.0)
    return world


def test_the_risk_list_shows_each_districts_latest_loss_class_as_a_badge_with_its_rate(losses):
    page = zh(losses, "manager").get("/grid/?year=2027")
    assert page.status_code == 200
    cells = line_loss_cells(page.content)
    assert set(cells) == {"XD001-01", "ZJC001-01"}
    assert 'href="/lineloss/districts/XD001-01/"' in cells["XD001-01"]
    assert '<span class="badge red">高损</span> 8.2%' in cells["XD001-01"]
    assert "3.0%" not in cells["XD001-01"]  # the older, qualified month is not the one shown
    assert '<span class="badge amber">负损</span> -2.0%' in cells["ZJC001-01"]
    assert "<th>同期线损</th>" in page.content.decode()


def test_the_risk_list_shows_a_stations_clerk_no_other_stations_loss(losses):
    page = zh(losses, "clerk_b").get("/grid/?year=2027")
    cells = line_loss_cells(page.content)
    assert set(cells) == {"ZJC001-01"}
    assert "XD001-01" not in page.content.decode()
    assert "高损" not in page.content.decode()


def test_uncomputable_and_stopped_districts_get_a_grey_badge_without_a_rate(world):
    forecast(world.transformer_a)
    forecast(world.transformer_b)
    loss(world.transformer_a, dt.date(2026, 10, 1), LossClass.UNCOMPUTABLE, reason=LossReason.NO_SUPPLY_DATA)
    loss(world.transformer_b, dt.date(2026, 10, 1), LossClass.STOPPED, 0.0, 0.0, reason=LossReason.NO_SUPPLY)
    cells = line_loss_cells(zh(world, "manager").get("/grid/?year=2027").content)
    assert '<span class="badge ">不可算</span></a>' in cells["XD001-01"]
    assert '<span class="badge ">停运</span></a>' in cells["ZJC001-01"]


def test_the_risk_list_without_any_line_loss_shows_a_dash(world):
    forecast(world.transformer_a)
    page = zh(world, "manager").get("/grid/?year=2027")
    assert page.status_code == 200
    assert line_loss_cells(page.content) == {"XD001-01": "—"}


def test_the_transformer_page_shows_the_latest_months_class_rate_coverage_and_link(losses):
    page = zh(losses, "clerk_a").get("/grid/transformers/XD001-01/")
    assert page.status_code == 200
    html = page.content.decode()
    block = re.search(r'<div class="kpi line-loss">(.*?)</div></div>', html, re.S).group(1)
    assert '<span class="badge red">高损</span></a> 8.2%' in block
    assert "2026-10" in block and "覆盖率 95%" in block
    assert 'href="/lineloss/districts/XD001-01/"' in block


def test_the_transformer_page_names_the_reason_of_an_uncomputable_district(world):
    loss(
        world.transformer_a,
        dt.date(2026, 10, 1),
        LossClass.UNCOMPUTABLE,
        coverage=0.5,
        reason=LossReason.LOW_COVERAGE,
    )
    html = zh(world, "clerk_a").get("/grid/transformers/XD001-01/").content.decode()
    block = re.search(r'<div class="kpi line-loss">(.*?)</div></div>', html, re.S).group(1)
    assert "不可算</span></a></div>" in block  # no rate
    assert "覆盖率 50%" in block and "有数据的用户太少" in block


def test_the_transformer_page_without_line_loss_has_no_loss_figure(world):
    page = zh(world, "clerk_a").get("/grid/transformers/XD001-01/")
    assert page.status_code == 200
    assert 'class="kpi line-loss"' not in page.content.decode()


def test_the_grid_pages_open_without_the_line_loss_app(losses, monkeypatch):
    installed = django_apps.is_installed
    monkeypatch.setattr(
        django_apps, "is_installed", lambda name: name != "powerexpress.lineloss" and installed(name)
    )
    page = zh(losses, "manager").get("/grid/?year=2027")
    assert page.status_code == 200
    assert line_loss_cells(page.content) == {"XD001-01": "—", "ZJC001-01": "—"}
    page = zh(losses, "manager").get("/grid/transformers/XD001-01/")
    assert page.status_code == 200 and 'class="kpi line-loss"' not in page.content.decode()
