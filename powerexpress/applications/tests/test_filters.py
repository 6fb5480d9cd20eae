"""The application list's FilterSet on the page and the API: search, filters, scope and bad values."""

import pytest
from django.core.cache import cache

from powerexpress.applications.services import application_submit, application_survey
from powerexpress.applications.tests.factories import application_body

URL = "/api/v1/applications"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()


def submit(**overrides):
    return application_submit(raw=application_body(**overrides))[0]


def tracking_numbers(world, who, **params):
    response = world.api(who).get(URL, params)
    assert response.status_code == 200, response.content
    return sorted(row["tracking_no"] for row in response.json()["items"])


def test_the_api_searches_by_tracking_number_and_applicant(world):
    yang = submit()
    wu = submit(applicant_name="吴秀英", kind="residential")
    assert tracking_numbers(world, "clerk_a", q=yang.tracking_no) == [yang.tracking_no]
    assert tracking_numbers(world, "clerk_a", q="秀英") == [wu.tracking_no]
    assert tracking_numbers(world, "clerk_a", q="老寨村") == sorted([yang.tracking_no, wu.tracking_no])
    assert tracking_numbers(world, "clerk_a", kind="residential") == [wu.tracking_no]


def test_the_api_filters_by_status_and_overdue_as_before(world):
    received = submit()
    surveyed = application_survey(user=world.users["clerk_a"], application=submit(applicant_name="吴秀英"))
    assert tracking_numbers(world, "clerk_a", status="surveyed") == [surveyed.tracking_no]
    assert tracking_numbers(world, "clerk_a", status="received") == [received.tracking_no]
    assert tracking_numbers(world, "clerk_a", overdue="true") == []
    assert len(tracking_numbers(world, "clerk_a", overdue="false")) == 2


def test_a_filter_never_widens_the_scope(world):
    theirs = submit(village="ZJC001")
    assert tracking_numbers(world, "clerk_a", q=theirs.tracking_no) == []
    assert tracking_numbers(world, "outsider", q=theirs.tracking_no) == []
    response = world.api("clerk_a").get(URL, {"station": "ZJC"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "station"
    assert tracking_numbers(world, "manager", station="ZJC") == [theirs.tracking_no]


@pytest.mark.parametrize(
    "params, field",
    [({"kind": "castle"}, "kind"), ({"status": "bogus"}, "status"), ({"overdue": "maybe"}, "overdue")],
)
def test_a_bad_filter_value_answers_422_naming_the_field(world, params, field):
    response = world.api("clerk_a").get(URL, params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_the_page_searches_and_shows_a_bad_value_as_a_form_error(world):
    yang = submit()
    wu = submit(applicant_name="吴秀英")
    theirs = submit(village="ZJC001")
    client = world.web("clerk_a")
    page = client.get("/applications/", {"q": "秀英"}).content.decode()
    assert wu.tracking_no in page and yang.tracking_no not in page
    context = client.get("/applications/", {"q": theirs.tracking_no}).context
    assert [list(context[name]) for name in ("overdue", "near_due", "page", "closed")] == [[], [], [], []]
    response = client.get("/applications/", {"kind": "castle"})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()


def test_the_open_queue_pages_fifty_at_a_time(world):
    for n in range(52):
        submit(applicant_name=f"申请人{n}")
    first = world.web("clerk_a").get("/applications/").context["page"]
    second = world.web("clerk_a").get("/applications/", {"page": 2}).context["page"]
    assert (first.paginator.count, len(first.object_list), len(second.object_list)) == (52, 50, 2)
