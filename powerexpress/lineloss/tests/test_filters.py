"""The line-loss list's FilterSet: month, station, class and search on the ranking page and the
API alike, never wider than the user's scope, bad values a 422 naming the field."""

import pytest

from powerexpress.lineloss.tests.test_api import _rows

pytestmark = pytest.mark.django_db


def districts(answer) -> list[str]:
    return [row["transformer"] for row in answer.json()]


def test_the_api_searches_districts_by_code_or_name(world):
    _rows(world)
    api = world.api("manager")
    assert districts(api.get("/api/v1/grid/line-loss", {"month": "2026-01", "q": "xd001"})) == ["XD001-01"]
    assert districts(api.get("/api/v1/grid/line-loss", {"month": "2026-01", "q": "洪家湾"})) == ["ZJC001-01"]
    assert districts(api.get("/api/v1/grid/line-loss", {"month": "2026-01", "q": "无此台区"})) == []


def test_the_page_filters_and_searches_with_the_same_parameters(world):
    _rows(world)
    web = world.web("manager")
    page = web.get("/lineloss/", {"month": "2026-01", "class": "negative"})
    assert [row.transformer.code for row in page.context["rows"]] == ["ZJC001-01"]
    page = web.get("/lineloss/", {"month": "2026-01", "q": "XD001"})
    assert [row.transformer.code for row in page.context["rows"]] == ["XD001-01"]
    page = web.get("/lineloss/")
    assert [row.transformer.code for row in page.context["rows"]] == ["XD001-01"]  # the latest month


def test_a_filter_or_search_never_reaches_another_station(world):
    _rows(world)
    api = world.api("clerk_a")
    assert districts(api.get("/api/v1/grid/line-loss", {"month": "2026-01", "station": "ZJC"})) == []
    assert districts(api.get("/api/v1/grid/line-loss", {"month": "2026-01", "q": "ZJC"})) == []
    page = world.web("clerk_a").get("/lineloss/", {"month": "2026-01", "station": "ZJC"})
    assert list(page.context["rows"]) == []


def test_a_bad_month_on_the_page_is_a_form_error_not_a_500(world):
    _rows(world)
    page = world.web("manager").get("/lineloss/", {"month": "2026-13", "class": "bad"})
    assert page.status_code == 200
    assert set(page.context["filterset"].errors) == {"month", "class"}
    assert list(page.context["rows"]) == []
