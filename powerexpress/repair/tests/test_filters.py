"""The ticket list's FilterSet on the page and the API: search, filters, scope and bad values."""

import pytest
from django.utils import translation

from powerexpress.repair.tests.factories import report, work_to

URL = "/api/v1/repair/tickets"


def numbers(world, who, **params):
    response = world.api(who).get(URL, params)
    assert response.status_code == 200, response.content
    return sorted(t["number"] for t in response.json()["items"])


@pytest.mark.django_db
def test_the_api_searches_by_number_village_household_account_and_phone_tail(world):
    by_household = report(world, account_no="0602000001", phone="13812345678")
    in_town = report(world, village=world.village_a_urban, phone="13900001111")
    assert numbers(world, "clerk_a", q=by_household.number) == [by_household.number]
    assert numbers(world, "clerk_a", q="新店社区") == [in_town.number]
    assert numbers(world, "clerk_a", q="杨永国") == [by_household.number]
    assert numbers(world, "clerk_a", q="0602000001") == [by_household.number]
    assert numbers(world, "clerk_a", q="1111") == [in_town.number]
    assert numbers(world, "clerk_a", q="nothing like it") == []


@pytest.mark.django_db
def test_the_api_filters_by_status_village_and_overdue_as_before(world):
    fresh = report(world)
    closed = work_to(world, report(world, phone="13900001111"), "closed")
    assert numbers(world, "clerk_a") == sorted([fresh.number, closed.number])
    assert numbers(world, "clerk_a", status="open") == [fresh.number]
    assert numbers(world, "clerk_a", status="closed") == [closed.number]
    assert numbers(world, "clerk_a", status="all") == sorted([fresh.number, closed.number])
    assert numbers(world, "clerk_a", village="XD002") == []
    assert numbers(world, "clerk_a", overdue="true") == []


@pytest.mark.django_db
def test_a_filter_never_widens_the_scope(world):
    theirs = report(world, village=world.village_b, phone="15012345678")
    assert numbers(world, "clerk_a", q=theirs.number) == []
    assert numbers(world, "clerk_a", village="ZJC001") == []
    assert numbers(world, "clerk_a", q="5678", status="all") == []
    assert numbers(world, "outsider", q=theirs.number) == []


@pytest.mark.django_db
def test_a_bad_filter_value_answers_422_naming_the_field(world):
    response = world.api("clerk_a").get(URL, {"status": "bogus"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and [e["field"] for e in body["errors"]] == ["status"]
    assert world.api("clerk_a").get(URL, {"overdue": "maybe"}).status_code == 422


@pytest.mark.django_db
def test_the_page_searches_filters_and_shows_a_bad_value_as_a_form_error(world):
    mine = report(world)
    other = report(world, village=world.village_a_urban, phone="13900001111")
    theirs = report(world, village=world.village_b, phone="15012345678")
    client = world.web("clerk_a")
    html = client.get("/repair/", {"q": "老寨村"}).content.decode()
    assert mine.number in html and other.number not in html and theirs.number not in html
    assert 'name="q" value="老寨村"' in html
    partial = client.get("/repair/", {"q": "1111"}, HTTP_HX_REQUEST="true").content.decode()
    assert other.number in partial and mine.number not in partial
    with translation.override("zh-hans"):
        response = client.get("/repair/", {"status": "bogus"})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    listed = client.get("/repair/", {"q": theirs.number, "status": "all"}).context["page"]
    assert list(listed) == []
