"""The grid lists' FilterSets: the risk list by year, station, level and search, the uploaded
files by kind and name; never wider than the user's scope, bad values a form error (never a 500)."""

import pytest

from powerexpress.grid.choices import DataKind, FileStatus
from powerexpress.grid.models import IntervalFile
from powerexpress.grid.tests.test_views import make_forecast

pytestmark = pytest.mark.django_db


def districts(page) -> list[str]:
    return [item.transformer.code for item in page.context["items"]]


def test_the_risk_list_is_searched_by_district_code_or_name_and_filtered_by_level(world, data_dir):
    make_forecast(world)
    make_forecast(world, world.transformer_b, "95.0")
    web = world.web("manager")
    assert districts(web.get("/grid/", {"year": 2027, "q": "洪家湾"})) == ["ZJC001-01"]
    assert districts(web.get("/grid/", {"year": 2027, "q": "xd001"})) == ["XD001-01"]
    assert districts(web.get("/grid/", {"year": 2027, "station": "ZJC"})) == ["ZJC001-01"]
    assert districts(web.get("/grid/", {"year": 2027, "risk": "overload"})) == ["XD001-01", "ZJC001-01"]
    assert districts(web.get("/grid/", {"year": 2026})) == []


def test_a_risk_filter_never_reaches_another_station(world, data_dir):
    make_forecast(world)
    web = world.web("clerk_b")
    assert districts(web.get("/grid/", {"year": 2027, "station": "XD"})) == []
    assert districts(web.get("/grid/", {"year": 2027, "q": "XD001"})) == []


def test_a_bad_year_or_level_is_a_form_error_on_the_page(world, data_dir):
    make_forecast(world)
    page = world.web("manager").get("/grid/", {"year": "1066", "risk": "storm"})
    assert page.status_code == 200 and set(page.context["filterset"].errors) == {"year", "risk"}
    assert districts(page) == []
    assert world.web("manager").get("/grid/", {"year": "abc"}).status_code == 200


def names(page) -> list[str]:
    return [f.file_name for f in page.context["files"]]


def test_the_uploaded_files_are_filtered_by_kind_and_searched_by_name(world, data_dir):
    for name, kind, station in (
        ("xd-transformers.csv", DataKind.TRANSFORMER, world.station_a),
        ("xd-households.csv", DataKind.HOUSEHOLD, world.station_a),
        ("zjc-transformers.csv", DataKind.TRANSFORMER, world.station_b),
    ):
        IntervalFile.objects.create(
            kind=kind,
            file_name=name,
            sha256=name.ljust(64, "0"),
            station=station,
            status=FileStatus.ACCEPTED,
            uploaded_by=world.users["clerk_a"],
        )
    web = world.web("clerk_a")
    assert names(web.get("/grid/upload/", {"kind": "household"})) == ["xd-households.csv"]
    assert names(web.get("/grid/upload/", {"q": "transformers"})) == ["xd-transformers.csv"]
    page = web.get("/grid/upload/", {"kind": "bogus"})
    assert page.status_code == 200 and page.context["uploads"].errors["kind"] and names(page) == []
