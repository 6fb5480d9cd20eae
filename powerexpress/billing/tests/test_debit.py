"""Auto-debit agreements, batch debit files, return files and the KPIs."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from powerexpress.billing.choices import AgreementStatus, BillStatus, DebitResult
from powerexpress.billing.debitfile import Pxd1Format, ReturnLine, checksum
from powerexpress.billing.models import Agreement, Bill, DebitItem
from powerexpress.billing.selectors import (
    arrears_list,
    batches_visible,
    signup_kpis,
    signup_rate,
    unsigned_worklist,
)
from powerexpress.billing.services import (
    agreement_cancel,
    agreement_confirm,
    agreement_request_create,
    agreement_sign,
    billing_run_start,
    debit_batch_create,
    debit_return_import,
)
from powerexpress.billing.tests.helpers import import_readings
from powerexpress.core.errors import ApiError
from powerexpress.core.models import AuditEntry, Notification

A1, A2 = "0602000001", "0602000002"
OCT = datetime.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def billed(world):
    clerk = world.users["clerk_a"]
    import_readings(
        clerk,
        [
            (A1, "2026-09-30", "1000"),
            (A2, "2026-09-30", "500"),
            (A1, "2026-10-31", "1150"),
            (A2, "2026-10-31", "620"),
        ],
    )
    billing_run_start(user=clerk, station=world.station_a, month=OCT)
    for customer, account in (
        (world.customer_a, "6217001234567890123"),
        (world.customer_a2, "6217009876543210987"),
    ):
        agreement_sign(
            user=clerk,
            customer=customer,
            bank_name="信用联社",
            bank_account=account,
            channel="counter",
            campaign_ref="market-day-2026-10",
        )
    return clerk


def answer(batch, results):
    fmt = Pxd1Format()
    lines = [
        ReturnLine(
            item.sequence,
            str(item.bill_id),
            item.bill.customer.account_no,
            item.amount_fen,
            results[item.sequence - 1],
        )
        for item in batch.items.select_related("bill__customer")
    ]
    return fmt.render_return(batch_no=batch.batch_no, lines=lines).encode()


def test_the_debit_file_has_a_header_lines_and_a_checksum(world, billed):
    batch = debit_batch_create(user=billed, station=world.station_a, month=OCT)
    lines = batch.content.strip().split("\n")
    assert lines[0] == f"H|{batch.batch_no}|XD|202610|2|{batch.total_fen}"
    assert lines[1].startswith("D|1|") and "|6217001234567890123|" in lines[1]
    assert lines[-1] == f"T|{checksum(lines[:-1])}"
    assert set(Bill.objects.values_list("status", flat=True)) == {BillStatus.IN_DEBIT}


def test_a_return_file_settles_the_batch_and_failures_go_to_arrears_and_the_next_batch(world, billed):
    batch = debit_batch_create(user=billed, station=world.station_a, month=OCT)
    outcome = debit_return_import(
        user=billed,
        batches=batches_visible(billed),
        file_name="r.txt",
        content=answer(batch, [DebitResult.SUCCESS, DebitResult.INSUFFICIENT]),
    )
    assert (outcome.imported.success_count, outcome.imported.failed_count, outcome.repeated) == (1, 1, False)
    sms = Notification.objects.get(purpose="debit_failed")
    assert sms.recipient == world.customer_a2.phone and "Insufficient balance" in sms.body
    assert sorted(Bill.objects.values_list("status", flat=True)) == [BillStatus.ARREARS, BillStatus.PAID]
    batch.refresh_from_db()
    assert batch.reconciled
    following = debit_batch_create(user=billed, station=world.station_a, month=datetime.date(2026, 11, 1))
    assert following.record_count == 1 and following.items.get().bill.status == BillStatus.IN_DEBIT
    assert [bill.customer.account_no for bill in arrears_list(billed)] == [A2]
    assert list(arrears_list(world.users["clerk_b"])) == []


def test_importing_the_same_return_file_twice_changes_nothing(world, billed):
    batch = debit_batch_create(user=billed, station=world.station_a, month=OCT)
    content = answer(batch, [DebitResult.SUCCESS, DebitResult.CLOSED])
    debit_return_import(user=billed, batches=batches_visible(billed), file_name="r.txt", content=content)
    again = debit_return_import(
        user=billed, batches=batches_visible(billed), file_name="r.txt", content=content
    )
    assert again.repeated
    assert sorted(DebitItem.objects.values_list("result", flat=True)) == [
        DebitResult.CLOSED,
        DebitResult.SUCCESS,
    ]


def test_a_return_file_whose_totals_do_not_match_the_batch_is_rejected_whole(world, billed):
    batch = debit_batch_create(user=billed, station=world.station_a, month=OCT)
    first = batch.items.order_by("sequence").first()
    body = [f"H|{batch.batch_no}|1|{first.amount_fen}", f"R|1|{first.bill_id}|{A1}|{first.amount_fen}|00"]
    content = ("\n".join(body + [f"T|{checksum(body)}"]) + "\n").encode()
    with pytest.raises(ApiError) as caught:
        debit_return_import(user=billed, batches=batches_visible(billed), file_name="r.txt", content=content)
    assert caught.value.code == "return_mismatch" and batch.batch_no in str(caught.value.message)
    assert set(DebitItem.objects.values_list("result", flat=True)) == {DebitResult.PENDING}


def test_a_tampered_return_file_fails_its_checksum(world, billed):
    batch = debit_batch_create(user=billed, station=world.station_a, month=OCT)
    content = answer(batch, [DebitResult.SUCCESS, DebitResult.SUCCESS]).replace(b"|00\n", b"|51\n", 1)
    with pytest.raises(ApiError) as caught:
        debit_return_import(user=billed, batches=batches_visible(billed), file_name="r.txt", content=content)
    assert "checksum" in str(caught.value.message)


def test_a_line_for_an_unknown_bill_is_reported_not_dropped(world, billed):
    batch = debit_batch_create(user=billed, station=world.station_a, month=OCT)
    items = list(batch.items.order_by("sequence"))
    body = [
        f"H|{batch.batch_no}|2|{batch.total_fen}",
        f"R|1|{items[0].bill_id}|{A1}|{items[0].amount_fen}|00",
        f"R|2|999999|{A2}|{items[1].amount_fen}|00",
    ]
    content = ("\n".join(body + [f"T|{checksum(body)}"]) + "\n").encode()
    outcome = debit_return_import(
        user=billed, batches=batches_visible(billed), file_name="r.txt", content=content
    )
    assert outcome.imported.problems == [{"line": 2, "bill": "999999", "message": "Unknown bill."}]
    assert not batch.__class__.objects.get(pk=batch.pk).reconciled


def test_another_stations_clerk_cannot_import_a_return_file_for_this_batch(world, billed):
    batch = debit_batch_create(user=billed, station=world.station_a, month=OCT)
    clerk_b = world.users["clerk_b"]
    with pytest.raises(ApiError) as caught:
        debit_return_import(
            user=clerk_b,
            batches=batches_visible(clerk_b),
            file_name="r.txt",
            content=answer(batch, [DebitResult.SUCCESS, DebitResult.SUCCESS]),
        )
    assert caught.value.code == "unknown_batch"


def test_a_portal_request_is_pending_until_staff_confirm_it(world):
    agreement = agreement_request_create(
        customer=world.customer_b,
        bank_name="信用联社",
        bank_account="6217 0012 3456 7890",
        channel="agent_point",
        campaign_ref="five-walk-ins",
    )
    assert agreement.status == AgreementStatus.PENDING and signup_rate(world.village_b) == 0
    agreement_confirm(user=world.users["clerk_b"], agreement=agreement)
    assert signup_rate(world.village_b) == 1
    assert Agreement.objects.filter(campaign_ref="five-walk-ins").count() == 1
    agreement_cancel(user=world.users["clerk_b"], agreement=agreement)
    assert signup_rate(world.village_b) == 0


def test_a_household_cannot_hold_two_open_agreements(world):
    agreement_request_create(
        customer=world.customer_b, bank_name="信用联社", bank_account="621700123456", channel="counter"
    )
    with pytest.raises(ApiError) as caught:
        agreement_request_create(
            customer=world.customer_b, bank_name="信用联社", bank_account="621700123456", channel="counter"
        )
    assert caught.value.errors[0]["field"] == "customer"


def test_the_signup_kpi_counts_households_signed_by_each_months_end(world):
    agreement_sign(
        user=world.users["clerk_a"],
        customer=world.customer_a,
        bank_name="信用联社",
        bank_account="621700123456",
        channel="unionpay",
        signed_on=datetime.date(2026, 9, 15),
    )
    rows = signup_kpis(world.users["clerk_a"], [datetime.date(2026, 8, 1), datetime.date(2026, 9, 1)])
    assert [row["station"].code for row in rows] == ["XD"]
    assert [(cell["signed"], str(cell["rate"])) for cell in rows[0]["months"]] == [(0, "0.000"), (1, "0.500")]


def test_the_worklist_ranks_households_in_arrears_first(world, billed):
    Agreement.objects.all().delete()
    Bill.objects.filter(customer=world.customer_a2).update(status=BillStatus.ARREARS)
    assert [c.account_no for c in unsigned_worklist(world.village_a)] == [A2, A1]


def test_the_api_creates_a_batch_and_takes_its_return_file(world, billed):
    api = world.api("clerk_a")
    created = api.post("/api/v1/billing/debit-batches", {"station": "XD", "month": "2026-10"})
    assert created.status_code == 201 and created.json()["record_count"] == 2
    batch = batches_visible(billed).get()
    upload = SimpleUploadedFile("r.txt", answer(batch, [DebitResult.SUCCESS, DebitResult.SUCCESS]))
    response = api.client.post("/api/v1/billing/debit-returns", {"file": upload}, **api.headers)
    assert response.status_code == 200 and response.json()["success_count"] == 2
    assert world.api("clerk_b").get(f"/api/v1/billing/debit-batches/{batch.batch_no}/file").status_code == 404
    assert (
        world.api("auditor")
        .post("/api/v1/billing/debit-batches", {"station": "XD", "month": "2026-10"})
        .status_code
        == 403
    )


def test_downloading_a_debit_file_is_audited(world, billed):
    batch = debit_batch_create(user=billed, station=world.station_a, month=OCT)
    response = world.web("clerk_a").get(f"/billing/debit/{batch.batch_no}/file/")
    assert response.status_code == 200 and b"6217001234567890123" in response.content
    entry = AuditEntry.objects.get(object_ref=batch.batch_no)
    assert entry.user == world.users["clerk_a"] and entry.action == "export_unmasked"
    assert world.web("clerk_b").get(f"/billing/debit/{batch.batch_no}/file/").status_code == 404


def test_the_tariff_api_exports_the_version_in_force_on_a_date(world):
    api = world.api("auditor")
    listed = api.get("/api/v1/billing/tariffs").json()
    assert {t["code"] for t in listed} == {
        "guizhou-residential-annual",
        "zhejiang-residential-annual",
        "guangdong-residential-monthly",
    }
    one = api.get("/api/v1/billing/tariffs/guizhou-residential-annual").json()
    assert one["to_verify"] and one["definition"]["tiers"][0] == {
        "up_to_kwh": "2040",
        "price_yuan_per_kwh": "0.4556",
    }
    assert api.get("/api/v1/billing/tariffs/guizhou-residential-annual?date=2000-01-01").status_code == 422
    assert world.api(None).get("/api/v1/billing/tariffs").status_code == 401
