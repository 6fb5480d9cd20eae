"""The billing lists' FilterSets: bills searched by account number or name and filtered on the
keyset-paged page, agreements, runs and debit batches searched and filtered; never wider than the user's scope, and a
bad value a form error on the page (never a 500)."""

import datetime
import re

import pytest

from powerexpress.billing.choices import AgreementStatus, BillStatus, RunStatus
from powerexpress.billing.models import Agreement, Bill, BillingRun, DebitBatch
from powerexpress.billing.tests.test_bills_list import bills, expected

pytestmark = pytest.mark.django_db
__all__ = ["bills"]  # the fixture, shared with the paging tests
MONTH = datetime.date(2026, 10, 1)


def listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/billing/bills/(\d+)/"', html)]


def walk(web, url: str) -> list[int]:
    seen = []
    while url:
        html = web.get(url).content.decode()
        seen += listed(html)
        link = re.search(r'href="([^"]*)" rel="next"', html)
        url = "/billing/bills/" + link.group(1).replace("&amp;", "&") if link else None
    return seen


def test_bills_are_searched_by_account_number_prefix_or_name_on_every_page(world, bills):
    web = world.web("manager")
    by_name = walk(web, f"/billing/bills/?q={world.customer_a2.name}")
    assert by_name == expected(Bill.objects.filter(customer=world.customer_a2))
    by_prefix = walk(web, "/billing/bills/?q=0602&status=paid")
    assert by_prefix == expected(
        Bill.objects.filter(customer__account_no__startswith="0602", status=BillStatus.PAID)
    )


def test_a_bill_search_never_reaches_another_station(world, bills):
    web = world.web("clerk_b")
    assert walk(web, f"/billing/bills/?q={world.customer_a.name}") == []
    assert walk(web, f"/billing/bills/?account_no={world.customer_a.account_no}") == []


def test_a_bad_bill_filter_is_a_form_error_on_the_page(world, bills):
    page = world.web("manager").get("/billing/bills/", {"month": "2026-13", "status": "lost"})
    assert page.status_code == 200 and set(page.context["filterset"].errors) == {"month", "status"}
    assert "No bill matches." in page.content.decode()


@pytest.fixture
def agreements(world):
    return [
        Agreement.objects.create(
            customer=customer,
            bank_name="信用联社",
            bank_account="621700123456",
            channel="counter",
            status=status,
        )
        for customer, status in (
            (world.customer_a, AgreementStatus.PENDING),
            (world.customer_a2, AgreementStatus.ACTIVE),
            (world.customer_b, AgreementStatus.PENDING),
        )
    ]


def shown(page) -> list[Agreement]:
    return [agreement for agreement, _account in page.context["rows"]]


def test_agreements_list_pending_by_default_and_filter_by_status_and_search(world, agreements):
    pending_a, active_a2, pending_b = agreements
    web = world.web("manager")
    assert set(shown(web.get("/billing/agreements/"))) == {pending_a, pending_b}
    assert shown(web.get("/billing/agreements/", {"status": "active"})) == [active_a2]
    assert shown(web.get("/billing/agreements/", {"q": world.customer_b.name})) == [pending_b]
    assert shown(web.get("/billing/agreements/", {"q": "0603"})) == [pending_b]


def test_an_agreement_search_never_reaches_another_station(world, agreements):
    page = world.web("clerk_a").get("/billing/agreements/", {"q": world.customer_b.name})
    assert shown(page) == []


def test_a_bad_agreement_status_is_a_form_error(world, agreements):
    page = world.web("manager").get("/billing/agreements/", {"status": "lost"})
    assert page.status_code == 200 and page.context["filterset"].errors["status"] and shown(page) == []


def test_runs_are_filtered_by_station_month_and_status_within_scope(world):
    done = BillingRun.objects.create(station=world.station_a, month=MONTH, status=RunStatus.DONE)
    other = BillingRun.objects.create(station=world.station_b, month=MONTH, status=RunStatus.DONE)
    web = world.web("manager")
    assert list(web.get("/billing/", {"station": "ZJC"}).context["runs"]) == [other]
    assert set(web.get("/billing/", {"month": "2026-10", "status": "done"}).context["runs"]) == {done, other}
    assert list(world.web("clerk_a").get("/billing/", {"station": "ZJC"}).context["runs"]) == []
    page = web.get("/billing/", {"month": "October"})
    assert page.status_code == 200 and page.context["run_filters"].errors["month"]


def test_debit_batches_are_searched_by_number_within_scope(world):
    batches = [
        DebitBatch.objects.create(
            batch_no=f"{station.code}-202610-1",
            station=station,
            month=MONTH,
            file_format="PXD1",
            record_count=0,
            total_fen=0,
            content="",
            created_by=world.users["manager"],
        )
        for station in (world.station_a, world.station_b)
    ]
    web = world.web("manager")
    assert list(web.get("/billing/debit/", {"q": "zjc"}).context["batches"]) == [batches[1]]
    assert list(world.web("clerk_a").get("/billing/debit/", {"q": "ZJC"}).context["batches"]) == []
