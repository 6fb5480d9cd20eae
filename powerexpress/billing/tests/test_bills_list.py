"""The bills list pages by cursor (newest month first, then newest bill): every bill once, in
order, forward and back, with the filters and the station scope applied."""

import datetime
import re

import pytest

from powerexpress.billing.choices import BillKind, BillStatus
from powerexpress.billing.models import Bill, TariffSchedule
from powerexpress.billing.selectors import BILLS_PAGE_SIZE, bills_filtered, bills_page

MONTHS = [datetime.date(2025, month, 1) for month in range(1, 13)] + [datetime.date(2026, 1, 1)]


@pytest.fixture
def bills(world):
    """13 months × 3 households × 1–3 sequences, statuses in turn: more than a page at station
    A, fewer at station B, inserted in an order unrelated to the sort."""
    schedule = TariffSchedule.objects.order_by("pk").first()
    statuses = [BillStatus.ISSUED, BillStatus.PAID, BillStatus.ARREARS]
    rows = []
    for index, month in enumerate(reversed(MONTHS[::2] + MONTHS[1::2])):
        for customer in (world.customer_a, world.customer_b, world.customer_a2):
            for sequence in range(1 + (index + customer.pk) % 3 if customer != world.customer_a2 else 3):
                rows.append(
                    Bill(
                        customer=customer,
                        station=customer.village.station,
                        month=month,
                        sequence=sequence,
                        kind=BillKind.REGULAR if sequence == 0 else BillKind.ADJUSTMENT,
                        schedule=schedule,
                        energy_kwh=100,
                        ytd_before_kwh=0,
                        amount_fen=5680,
                        tier_after=1,
                        cycle_start=month,
                        status=statuses[len(rows) % 3],
                    )
                )
    return Bill.objects.bulk_create(rows)


def expected(queryset) -> list[int]:
    """The rule: newest month first, then the later bill first."""
    return [bill.pk for bill in sorted(queryset, key=lambda b: (b.month, b.pk), reverse=True)]


def walk(user, **filters) -> tuple[list[int], list[list[int]]]:
    """Page forward to the end, then back to the start; returns the forward order and the pages
    seen going back."""
    queryset = bills_filtered(user, **filters)
    forward, pages, cursor = [], [], ""
    while True:
        page = bills_page(queryset, after=cursor, size=7)
        pages.append([bill.pk for bill in page.bills])
        forward += pages[-1]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    backward_pages = [pages[-1]]
    while page.previous_cursor:
        page = bills_page(queryset, before=page.previous_cursor, size=7)
        backward_pages.append([bill.pk for bill in page.bills])
    assert backward_pages[::-1] == pages
    return forward, pages


def test_paging_forward_and_back_returns_every_bill_once_in_order(world, bills):
    forward, pages = walk(world.users["manager"])
    assert forward == expected(Bill.objects.all())
    assert len(forward) == len(set(forward)) == len(bills)
    assert all(len(page) == 7 for page in pages[:-1])


def test_the_first_page_has_no_previous_and_the_last_no_next(world, bills):
    queryset = bills_filtered(world.users["manager"])
    first = bills_page(queryset)
    assert first.previous_cursor is None and len(first.bills) == BILLS_PAGE_SIZE
    last = bills_page(queryset, after=first.next_cursor, size=len(bills))
    assert last.next_cursor is None
    assert [b.pk for b in first.bills + last.bills] == expected(Bill.objects.all())


def test_filters_by_status_month_and_account_are_respected_on_every_page(world, bills):
    manager = world.users["manager"]
    arrears, _pages = walk(manager, status=BillStatus.ARREARS)
    assert arrears == expected(Bill.objects.filter(status=BillStatus.ARREARS))
    month, _pages = walk(manager, month=MONTHS[4])
    assert month == expected(Bill.objects.filter(month=MONTHS[4]))
    account, _pages = walk(manager, account_no=world.customer_a2.account_no)
    assert account == expected(Bill.objects.filter(customer=world.customer_a2))
    assert len(account) == 3 * len(MONTHS)


def test_a_station_clerk_pages_through_their_station_only(world, bills):
    forward, _pages = walk(world.users["clerk_b"])
    assert forward == expected(Bill.objects.filter(station=world.station_b))
    assert bills_filtered(world.users["clerk_b"], account_no=world.customer_a.account_no).count() == 0


def test_the_page_links_lead_through_the_list_and_keep_the_filters(world, bills):
    web = world.web("clerk_a")
    seen, url = [], "/billing/bills/?status=paid"
    while url:
        html = web.get(url).content.decode()
        seen += [int(pk) for pk in re.findall(r'href="/billing/bills/(\d+)/"', html)]
        link = re.search(r'href="([^"]*)" rel="next"', html)
        url = "/billing/bills/" + link.group(1).replace("&amp;", "&") if link else None
        assert url is None or "status=paid" in url
    assert seen == expected(Bill.objects.filter(station=world.station_a, status=BillStatus.PAID))


def test_a_bad_month_or_cursor_is_not_an_error(world, bills):
    web = world.web("manager")
    assert "No bill matches." in web.get("/billing/bills/?month=2026-13").content.decode()
    page = web.get("/billing/bills/?after=nonsense&before=2026-99-01_x")
    assert page.status_code == 200
    assert len(re.findall(r'href="/billing/bills/\d+/"', page.content.decode())) == BILLS_PAGE_SIZE
