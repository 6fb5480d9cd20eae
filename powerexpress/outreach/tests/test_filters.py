"""The outreach lists' FilterSets: the same filters and search on the page and the API, never
wider than the user's scope, and a bad value a 422 naming the field (a form error on the page)."""

import datetime

import pytest

from powerexpress.outreach import services
from powerexpress.outreach.choices import ActivityKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def activities(world, activity):
    other = services.activity_create(
        user=world.users["manager"],
        village=world.village_b,
        kind=ActivityKind.MARKET_DAY,
        title="洪家湾安全用电课",
        held_on=datetime.date(2026, 11, 22),
        people_reached=40,
    )
    return activity, other


def codes(answer) -> list[str]:
    return [row["code"] for row in answer.json()["items"]]


def test_activities_are_searched_by_title_and_village_on_the_api(world, activities):
    market, lesson = activities
    api = world.api("manager")
    assert codes(api.get("/api/v1/outreach/activities", {"q": "赶集"})) == [market.code]
    assert codes(api.get("/api/v1/outreach/activities", {"q": "洪家湾"})) == [lesson.code]
    assert codes(api.get("/api/v1/outreach/activities", {"village": "ZJC001"})) == [lesson.code]
    assert codes(api.get("/api/v1/outreach/activities", {"team": world.team_a.code})) == [market.code]


def test_activities_are_searched_by_title_and_village_on_the_page(world, activities):
    market, lesson = activities
    web = world.web("manager")
    page = web.get("/outreach/activities/", {"q": "洪家湾"}).content.decode()
    assert lesson.title in page and market.title not in page
    page = web.get("/outreach/activities/", {"village": "XD001"}).content.decode()
    assert market.title in page and lesson.title not in page


def test_a_filter_naming_another_stations_village_finds_nothing(world, activities):
    assert codes(world.api("clerk_a").get("/api/v1/outreach/activities", {"village": "ZJC001"})) == []
    assert codes(world.api("clerk_a").get("/api/v1/outreach/activities", {"q": "洪家湾"})) == []
    page = world.web("clerk_a").get("/outreach/activities/", {"village": "ZJC001"})
    assert page.context["page"].paginator.count == 0


def test_a_bad_activity_kind_is_a_422_on_the_api_and_a_form_error_on_the_page(world, activities):
    answer = world.api("manager").get("/api/v1/outreach/activities", {"kind": "party"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "kind"
    page = world.web("manager").get("/outreach/activities/", {"kind": "party"})
    assert page.status_code == 200 and page.context["filterset"].errors["kind"]
    assert page.context["page"].paginator.count == 0


def test_hazards_are_searched_by_village_on_page_and_api(world, hazard):
    api = world.api("clerk_a")
    assert [h["id"] for h in api.get("/api/v1/outreach/hazards", {"q": "老寨"}).json()["items"]] == [
        hazard.pk
    ]
    assert api.get("/api/v1/outreach/hazards", {"q": "洪家湾"}).json()["items"] == []
    page = world.web("clerk_a").get("/outreach/hazards/", {"q": "老寨", "station": "XD"})
    assert list(page.context["page"].object_list) == [hazard]


def test_a_hazard_filter_never_shows_another_station(world, hazard):
    page = world.web("clerk_b").get("/outreach/hazards/", {"station": "XD", "status": "all"})
    assert page.context["page"].paginator.count == 0
    assert world.api("clerk_b").get("/api/v1/outreach/hazards", {"status": "all"}).json()["items"] == []
    assert world.api("clerk_b").get("/api/v1/outreach/hazards", {"village": "XD001"}).status_code == 404


def test_a_bad_hazard_status_is_a_422_naming_it(world, hazard):
    answer = world.api("clerk_a").get("/api/v1/outreach/hazards", {"status": "lost"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "status"
    page = world.web("clerk_a").get("/outreach/hazards/", {"status": "lost"})
    assert page.status_code == 200 and page.context["filterset"].errors["status"]


def test_campaigns_are_searched_by_title(world, campaign):
    web = world.web("clerk_a")
    assert list(web.get("/outreach/inspections/", {"q": "春节"}).context["page"].object_list) == [campaign]
    assert web.get("/outreach/inspections/", {"q": "夏季"}).context["page"].paginator.count == 0
    assert world.web("clerk_b").get("/outreach/inspections/").context["page"].paginator.count == 0
