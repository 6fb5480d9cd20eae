"""The work-order list's FilterSet on the page: search, filters, paging, scope and bad values."""

from powerexpress.workorders.choices import WorkOrderKind, WorkOrderStatus
from powerexpress.workorders.services import work_order_create, work_order_transition


def make_order(world, station=None, **extra):
    return work_order_create(
        user=world.users["manager"],
        station=station or world.station_a,
        **{"kind": WorkOrderKind.PHASE_BALANCE, "title": "调整三相负荷"} | extra,
    )


def test_the_page_searches_by_number_title_and_district(world):
    balance = make_order(world, title="调整老寨村1号台区三相负荷")
    hazard = make_order(
        world, kind=WorkOrderKind.HAZARD_FIX, title="清理线下树障", transformer=world.transformer_a
    )
    client = world.web("clerk_a")
    page = client.get("/workorders/", {"q": "树障"}).content.decode()
    assert hazard.number in page and balance.number not in page
    page = client.get("/workorders/", {"q": balance.number}).content.decode()
    assert balance.number in page and hazard.number not in page
    page = client.get("/workorders/", {"q": "XD001-01"}).content.decode()
    assert hazard.number in page and balance.number not in page


def test_the_page_filters_by_status_kind_and_station(world):
    open_one = make_order(world)
    done = make_order(world, kind=WorkOrderKind.INSPECTION, title="巡视")
    work_order_transition(user=world.users["crew_a"], order=done, to_status=WorkOrderStatus.DONE)
    theirs = make_order(world, station=world.station_b, title="朱家场调相")
    client = world.web("manager")
    page = client.get("/workorders/", {"status": "done"}).content.decode()
    assert done.number in page and open_one.number not in page
    page = client.get("/workorders/", {"kind": "phase_balance"}).content.decode()
    assert open_one.number in page and theirs.number in page and done.number not in page
    page = client.get("/workorders/", {"station": "ZJC"}).content.decode()
    assert theirs.number in page and open_one.number not in page


def test_a_filter_never_widens_the_scope(world):
    theirs = make_order(world, station=world.station_b, title="朱家场调相")
    client = world.web("clerk_a")
    assert list(client.get("/workorders/", {"q": theirs.number}).context["page"]) == []
    response = client.get("/workorders/", {"station": "ZJC"})
    assert response.status_code == 200 and theirs.number not in response.content.decode()
    assert 'class="error"' in response.content.decode()


def test_a_bad_value_is_a_form_error_not_a_crash(world):
    make_order(world)
    response = world.web("clerk_a").get("/workorders/", {"status": "bogus", "kind": "nope"})
    assert response.status_code == 200 and response.content.decode().count('class="error"') == 2


def test_the_list_pages_fifty_at_a_time(world):
    for n in range(51):
        make_order(world, title=f"巡视 {n}")
    client = world.web("clerk_a")
    first, second = (
        client.get("/workorders/").context["page"],
        client.get("/workorders/", {"page": 2}).context["page"],
    )
    assert (len(first.object_list), len(second.object_list), first.paginator.count) == (50, 1, 51)
