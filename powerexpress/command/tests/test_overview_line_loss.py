"""The station overview: districts per line-loss class of the latest month, per station."""

import datetime as dt
import re

import pytest
from django.apps import apps as django_apps
from django.test import Client

from powerexpress.lineloss.choices import LossClass
from powerexpress.lineloss.models import LineLoss
from powerexpress.registry.models import TransformerDistrict

pytestmark = pytest.mark.django_db


def zh(world, who: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users[who])
    return client


def loss(transformer, month, loss_class, rate=None):
    return LineLoss.objects.create(
        transformer=transformer,
        month=month,
        supply_kwh=None if rate is None else 1000.0,
        loss_kwh=None if rate is None else 1000.0 * rate,
        loss_rate=rate,
        loss_class=loss_class,
    )


def station_cells(html: str) -> dict[str, str]:
    """The line-loss cell of each station row, by station name."""
    return dict(re.findall(r">([^<]+供电所)</a>.*?<td class=\"line-loss\">(.*?)</td></tr>", html, re.S))


@pytest.fixture
def losses(world):
    october, september = dt.date(2026, 10, 1), dt.date(2026, 9, 1)
    second = TransformerDistrict.objects.create(
        station=world.station_a, village=world.village_a, code="XD001-02", name="二号台区", rated_kva=100
    )
    third = TransformerDistrict.objects.create(
        station=world.station_a, village=world.village_a, code="XD001-03", name="三号台区", rated_kva=100
    )
    loss(world.transformer_a, october, LossClass.HIGH, 0.08)
    loss(second, october, LossClass.HIGH, 0.07)
    loss(third, october, LossClass.UNCOMPUTABLE)
    loss(third, september, LossClass.NEGATIVE, -0.02)  # an older month: not counted
    loss(world.transformer_b, october, LossClass.NEGATIVE, -0.03)
    return world


def test_the_overview_counts_each_stations_districts_per_class_of_the_latest_month(losses):
    html = zh(losses, "manager").get("/overview/").content.decode()
    assert "<th>同期线损（2026-10）</th>" in html
    cells = station_cells(html)
    assert set(cells) == {"新店供电所", "朱家场供电所"}
    assert (
        '<a class="badge red" href="/lineloss/?month=2026-10&amp;station=XD&amp;class=high">高损 2</a>'
        in (cells["新店供电所"])
    )
    assert (
        '<a class="badge " href="/lineloss/?month=2026-10&amp;station=XD&amp;class=uncomputable">不可算 1</a>'
        in (cells["新店供电所"])
    )
    assert "负损" not in cells["新店供电所"]
    assert (
        '<a class="badge amber" href="/lineloss/?month=2026-10&amp;station=ZJC&amp;class=negative">负损 1</a>'
        in cells["朱家场供电所"]
    )


def test_a_station_clerk_sees_no_other_stations_loss_counts(losses):
    html = zh(losses, "clerk_b").get("/overview/").content.decode()
    assert set(station_cells(html)) == {"朱家场供电所"}
    assert "station=XD" not in html and "高损" not in html


def test_the_overview_without_line_loss_data_has_no_loss_column(world):
    page = zh(world, "manager").get("/overview/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="line-loss"' not in html and "<th>同期线损（" not in html


def test_the_overview_opens_without_the_line_loss_app(losses, monkeypatch):
    installed = django_apps.is_installed
    monkeypatch.setattr(
        django_apps, "is_installed", lambda name: name != "powerexpress.lineloss" and installed(name)
    )
    page = zh(losses, "manager").get("/overview/")
    assert page.status_code == 200
    assert 'class="line-loss"' not in page.content.decode()
