"""Issue 12, "money you can trust": each rule tested against a small reference written from the
rule (DOMAIN.md §2 and §6), never against our own kernel."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerexpress.billing.choices import BillKind, BillStatus, DebitResult, ReadingStatus, RunStatus
from powerexpress.billing.debitfile import Pxd1Format, ReturnLine
from powerexpress.billing.models import Bill, CreditApplication, DebitItem, MeterReading
from powerexpress.billing.selectors import customer_credit_balance_fen
from powerexpress.billing.services import (
    agreement_sign,
    billing_run_start,
    debit_batch_create,
    debit_return_import,
    meter_change_record,
    reading_confirm_rollover,
    reading_correct,
)
from powerexpress.billing.tests.helpers import import_readings, month_end
from powerexpress.core.errors import ApiError

A1, A2 = "0602000001", "0602000002"
GUIZHOU_BOUNDS = (Decimal(2040), Decimal(3120))
GUIZHOU_PRICES = (Decimal("0.4556"), Decimal("0.5056"), Decimal("0.7556"))


def reference_split(ytd_kwh: Decimal, kwh: Decimal, bounds=GUIZHOU_BOUNDS, prices=GUIZHOU_PRICES) -> dict:
    """The rule (DOMAIN.md §2): the bill's kWh are the cycle's kWh from ytd to ytd + kwh; each
    tier takes the part between its bounds (inclusive upper bound); each line is rounded half-up
    to the fen. Returns {tier: (kWh, fen)} for the tiers with kWh."""
    out, lower = {}, Decimal(0)
    for index, price in enumerate(prices):
        upper = bounds[index] if index < len(bounds) else ytd_kwh + kwh
        part = min(ytd_kwh + kwh, upper) - max(ytd_kwh, lower)
        if part > 0:
            fen = int((part * price * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            out[index + 1] = (part, fen)
        lower = max(lower, upper)
    return out


def month_bills_by_tier(customer, month: datetime.date) -> dict:
    """All bills of one month (regular and adjustments) added up per tier: {tier: (kWh, fen)}."""
    total: dict[int, list] = {}
    for bill in Bill.objects.filter(customer=customer, month=month):
        for line in bill.lines:
            entry = total.setdefault(line["tier"], [Decimal(0), 0])
            entry[0] += Decimal(line["kwh"])
            entry[1] += line["amount_fen"]
    return {tier: (kwh, fen) for tier, (kwh, fen) in total.items() if kwh or fen}


def run(world, year, month):
    return billing_run_start(
        user=world.users["clerk_a"], station=world.station_a, month=datetime.date(year, month, 1)
    )


def registers(start: int, monthly: list[int]) -> list[int]:
    out, register = [], start
    for kwh in monthly:
        register += kwh
        out.append(register)
    return out


def read_months(clerk, account, year, values):
    import_readings(
        clerk,
        [(account, month_end(year, month).isoformat(), str(v)) for month, v in enumerate(values, start=1)],
    )


# Rule 1: corrections re-price at the corrected position


def test_a_corrected_march_re_prices_april_at_the_corrected_cycle_position_the_issues_worked_example(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2025-12-31", "0")])
    read_months(clerk, A2, 2026, [600, 1200, 1800, 2100])
    for month in (1, 2, 3, 4):
        run(world, 2026, month)
    import_readings(clerk, [(A2, "2026-03-31", "1900")])
    run(world, 2026, 3)
    run(world, 2026, 4)
    april = month_bills_by_tier(world.customer_a2, datetime.date(2026, 4, 1))
    assert april == {1: (Decimal(140), 6378), 2: (Decimal(60), 3034)}
    assert april == reference_split(Decimal(1900), Decimal(200))
    total_fen = sum(b.amount_fen for b in Bill.objects.filter(customer=world.customer_a2, month="2026-04-01"))
    assert total_fen == 9412  # 94.12 yuan
    adjustment = Bill.objects.get(customer=world.customer_a2, month="2026-04-01", kind=BillKind.ADJUSTMENT)
    assert adjustment.ytd_before_kwh == 1900 and adjustment.amount_fen == 9412 - 13968


def test_re_running_a_month_after_its_adjustment_adds_nothing(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2025-12-31", "0")])
    read_months(clerk, A2, 2026, [1000, 2000, 2300])
    for month in (1, 2, 3):
        run(world, 2026, month)
    import_readings(clerk, [(A2, "2026-02-28", "2100")])
    for month in (2, 3, 2, 3):
        run(world, 2026, month)
    assert Bill.objects.filter(customer=world.customer_a2, kind=BillKind.ADJUSTMENT).count() == 2


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    monthly=st.lists(st.integers(min_value=0, max_value=1400), min_size=4, max_size=4),
    corrected=st.lists(st.integers(min_value=0, max_value=1400), min_size=4, max_size=4),
    changed=st.sets(st.integers(min_value=0, max_value=2), min_size=1, max_size=3),
)
def test_after_corrections_in_any_months_each_month_equals_its_corrected_kwh_at_the_corrected_position(
    world, monthly, corrected, changed
):
    """Corrections in consecutive (or any) months of the cycle; every month from the first
    corrected one is re-run in order. The months' bills then equal the reference on the
    corrected series, and no kWh is billed in tier 1 beyond its bound."""
    final = [corrected[i] if i in changed else monthly[i] for i in range(4)]
    with transaction.atomic():
        clerk = world.users["clerk_a"]
        import_readings(clerk, [(A2, "2025-12-31", "0")])
        read_months(clerk, A2, 2026, registers(0, monthly))
        for month in (1, 2, 3, 4):
            run(world, 2026, month)
        read_months(clerk, A2, 2026, registers(0, final))
        for month in range(min(changed) + 1, 5):
            run(world, 2026, month)
        ytd, tier1_total = Decimal(0), Decimal(0)
        for month, kwh in enumerate(final, start=1):
            billed = month_bills_by_tier(world.customer_a2, datetime.date(2026, month, 1))
            assert billed == reference_split(ytd, Decimal(kwh)), (month, final)
            tier1_total += billed.get(1, (Decimal(0), 0))[0]
            ytd += kwh
        assert tier1_total <= GUIZHOU_BOUNDS[0]
        transaction.set_rollback(True)


def test_a_month_that_ends_exactly_on_the_tier_bound_stays_in_tier_1_and_the_next_kwh_is_tier_2(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2025-12-31", "0")])
    read_months(clerk, A2, 2026, [2040, 2041])
    run(world, 2026, 1)
    run(world, 2026, 2)
    assert month_bills_by_tier(world.customer_a2, datetime.date(2026, 1, 1)) == reference_split(0, 2040)
    assert month_bills_by_tier(world.customer_a2, datetime.date(2026, 2, 1)) == {2: (Decimal(1), 51)}


# Rule 2: credits are never lost


@pytest.fixture
def credit_of(world):
    """A2 billed Jan and Feb on an auto-debit agreement; January's reading is then corrected down
    by ``kwh`` and January re-run: a credit (negative adjustment)."""

    def make(drop_kwh: int, feb_kwh: int = 100):
        clerk = world.users["clerk_a"]
        agreement_sign(
            user=clerk,
            customer=world.customer_a2,
            bank_name="信用联社",
            bank_account="6217009876543210987",
            channel="counter",
        )
        import_readings(clerk, [(A2, "2025-12-31", "0"), (A2, "2026-01-31", "1000")])
        run(world, 2026, 1)
        january = Bill.objects.get(customer=world.customer_a2, month="2026-01-01")
        january.status = BillStatus.PAID
        january.save()
        import_readings(clerk, [(A2, "2026-01-31", str(1000 - drop_kwh))])
        run(world, 2026, 1)
        import_readings(clerk, [(A2, "2026-02-28", str(1000 - drop_kwh + feb_kwh))])
        run(world, 2026, 2)
        return Bill.objects.get(customer=world.customer_a2, month="2026-01-01", kind=BillKind.ADJUSTMENT)

    return make


def test_a_credit_is_netted_in_the_next_debit_file_so_the_bank_is_asked_for_the_net_amount(world, credit_of):
    credit = credit_of(drop_kwh=50)
    assert credit.amount_fen == -int(
        (Decimal(50) * GUIZHOU_PRICES[0] * 100).quantize(Decimal(1), ROUND_HALF_UP)
    )
    assert credit.status == BillStatus.CREDIT
    february = Bill.objects.get(customer=world.customer_a2, month="2026-02-01")
    batch = debit_batch_create(user=None, station=world.station_a, month=datetime.date(2026, 2, 1))
    (item,) = DebitItem.objects.filter(batch=batch)
    assert item.bill == february and item.amount_fen == february.amount_fen + credit.amount_fen
    assert batch.total_fen == item.amount_fen > 0
    credit.refresh_from_db()
    assert credit.status == BillStatus.SETTLED and customer_credit_balance_fen(world.customer_a2) == 0


def test_a_credit_larger_than_the_next_bill_pays_it_and_carries_the_rest_as_a_balance(world, credit_of):
    credit = credit_of(drop_kwh=400, feb_kwh=100)
    february = Bill.objects.get(customer=world.customer_a2, month="2026-02-01")
    assert -credit.amount_fen > february.amount_fen
    with pytest.raises(ApiError) as refused:
        debit_batch_create(user=None, station=world.station_a, month=datetime.date(2026, 2, 1))
    assert refused.value.code == "nothing_to_debit"
    february.refresh_from_db()
    credit.refresh_from_db()
    assert february.status == BillStatus.PAID and credit.status == BillStatus.CREDIT
    assert customer_credit_balance_fen(world.customer_a2) == -credit.amount_fen - february.amount_fen
    assert CreditApplication.objects.get().amount_fen == february.amount_fen
    assert not DebitItem.objects.filter(amount_fen__lte=0).exists()


def test_the_carried_credit_pays_later_bills_until_it_is_used_up(world, credit_of):
    credit = credit_of(drop_kwh=400, feb_kwh=100)
    with pytest.raises(ApiError):
        debit_batch_create(user=None, station=world.station_a, month=datetime.date(2026, 2, 1))
    import_readings(world.users["clerk_a"], [(A2, "2026-03-31", "1700")])
    run(world, 2026, 3)
    march = Bill.objects.get(customer=world.customer_a2, month="2026-03-01")
    batch = debit_batch_create(user=None, station=world.station_a, month=datetime.date(2026, 3, 1))
    left_before = (
        -credit.amount_fen - Bill.objects.get(customer=world.customer_a2, month="2026-02-01").amount_fen
    )
    (item,) = DebitItem.objects.filter(batch=batch)
    assert item.amount_fen == march.amount_fen - left_before
    used = sum(CreditApplication.objects.values_list("amount_fen", flat=True))
    assert used == -credit.amount_fen  # nothing of the credit lost, nothing created
    assert customer_credit_balance_fen(world.customer_a2) == 0


# Rule 3: return files checked line by line


@pytest.fixture
def batch(world):
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
    run(world, 2026, 10)
    for customer, account in (
        (world.customer_a, "6217001234567890123"),
        (world.customer_a2, "6217009876543210987"),
    ):
        agreement_sign(
            user=clerk, customer=customer, bank_name="信用联社", bank_account=account, channel="counter"
        )
    return debit_batch_create(user=clerk, station=world.station_a, month=datetime.date(2026, 10, 1))


def _return_file(batch, lines) -> bytes:
    return Pxd1Format().render_return(batch_no=batch.batch_no, lines=lines).encode()


def test_a_line_whose_account_is_not_the_bills_household_is_reported_and_the_others_apply(world, batch):
    first, second = batch.items.select_related("bill__customer").order_by("sequence")
    a_first, a_second = first.bill.customer.account_no, second.bill.customer.account_no
    # The second bill is answered with the first bill's account (swapped): its answer does not apply.
    lines = [
        ReturnLine(1, str(first.bill_id), a_first, first.amount_fen, DebitResult.SUCCESS),
        ReturnLine(2, str(second.bill_id), a_first, second.amount_fen, DebitResult.SUCCESS),
    ]
    outcome = debit_return_import(
        user=world.users["clerk_a"],
        batches=batch.__class__.objects,
        file_name="r.txt",
        content=_return_file(batch, lines),
    )
    record = outcome.imported
    assert (record.success_count, record.failed_count) == (1, 0)
    assert [(p["line"], p["bill"]) for p in record.problems] == [(2, str(second.bill_id))]
    assert a_second in record.problems[0]["message"]
    second.refresh_from_db()
    assert second.result == DebitResult.PENDING and second.bill.status == BillStatus.IN_DEBIT


@pytest.fixture
def three_line_batch(world):
    """A1's September and October bills (the same kWh in tier 1, so the same amount) and A2's
    October bill in one batch."""
    clerk = world.users["clerk_a"]
    import_readings(
        clerk,
        [
            (A1, "2026-08-31", "1000"),
            (A1, "2026-09-30", "1150"),
            (A1, "2026-10-31", "1300"),
            (A2, "2026-09-30", "500"),
            (A2, "2026-10-31", "620"),
        ],
    )
    run(world, 2026, 9)
    run(world, 2026, 10)
    for customer, account in (
        (world.customer_a, "6217001234567890123"),
        (world.customer_a2, "6217009876543210987"),
    ):
        agreement_sign(
            user=clerk, customer=customer, bank_name="信用联社", bank_account=account, channel="counter"
        )
    return debit_batch_create(user=clerk, station=world.station_a, month=datetime.date(2026, 10, 1))


def test_a_return_file_with_duplicates_and_swapped_accounts_applies_no_answer_to_those_bills(
    world, three_line_batch
):
    batch = three_line_batch
    sep_a1, oct_a1, oct_a2 = batch.items.select_related("bill__customer").order_by("sequence")
    assert sep_a1.amount_fen == oct_a1.amount_fen and oct_a2.bill.customer == world.customer_a2
    lines = [
        ReturnLine(1, str(sep_a1.bill_id), A1, sep_a1.amount_fen, DebitResult.SUCCESS),
        ReturnLine(2, str(sep_a1.bill_id), A1, sep_a1.amount_fen, DebitResult.INSUFFICIENT),
        ReturnLine(3, str(oct_a2.bill_id), A1, oct_a2.amount_fen, DebitResult.SUCCESS),
    ]
    with translation.override("en"):
        outcome = debit_return_import(
            user=world.users["clerk_a"],
            batches=batch.__class__.objects,
            file_name="r.txt",
            content=_return_file(batch, lines),
        )
    record = outcome.imported
    assert (record.success_count, record.failed_count) == (0, 0)
    assert [(p["line"], p["bill"]) for p in record.problems] == [
        (1, str(sep_a1.bill_id)),
        (2, str(sep_a1.bill_id)),
        (3, str(oct_a2.bill_id)),
    ]
    assert "2 times" in record.problems[0]["message"] and A2 in record.problems[2]["message"]
    assert set(DebitItem.objects.filter(batch=batch).values_list("result", flat=True)) == {
        DebitResult.PENDING
    }
    assert set(Bill.objects.filter(debit_items__batch=batch).values_list("status", flat=True)) == {
        BillStatus.IN_DEBIT
    }


def test_a_return_file_that_differs_only_in_line_endings_is_the_same_file(world, batch):
    items = list(batch.items.select_related("bill__customer").order_by("sequence"))
    lines = [
        ReturnLine(i.sequence, str(i.bill_id), i.bill.customer.account_no, i.amount_fen, DebitResult.SUCCESS)
        for i in items
    ]
    content = _return_file(batch, lines)
    first = debit_return_import(
        user=world.users["clerk_a"], batches=batch.__class__.objects, file_name="r.txt", content=content
    )
    again = debit_return_import(
        user=world.users["clerk_a"],
        batches=batch.__class__.objects,
        file_name="r-crlf.txt",
        content=content.replace(b"\n", b"\r\n"),
    )
    assert not first.repeated and again.repeated and again.imported.pk == first.imported.pk


# Rule 4: meter replacement


def test_consumption_across_a_meter_change_is_old_final_minus_previous_plus_current_minus_new_start(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2026-01-31", "99900"), (A2, "2026-02-28", "200")])
    before = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-02-28")
    # Without the change record a register that went down looks like a (plausible) rollover.
    assert before.rollover and before.energy_kwh == 300
    meter_change_record(
        user=clerk,
        customer=world.customer_a2,
        changed_on="2026-02-15",
        old_final_kwh="99950",
        new_start_kwh="0",
        register_digits=6,
    )
    reading = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-02-28", current=True)
    assert reading.energy_kwh == (99950 - 99900) + (200 - 0) and not reading.rollover
    assert reading.status == ReadingStatus.OK


def test_a_meter_change_next_to_a_rollover_bills_both_months_right(world):
    clerk = world.users["clerk_a"]
    meter_change_record(
        user=clerk,
        customer=world.customer_a2,
        changed_on="2026-02-10",
        old_final_kwh="120",
        new_start_kwh="5",
    )
    import_readings(clerk, [(A2, "2025-12-31", "99950"), (A2, "2026-01-31", "50"), (A2, "2026-02-28", "305")])
    january, february = MeterReading.objects.filter(customer=world.customer_a2, current=True).order_by(
        "read_on"
    )[1:]
    assert january.rollover and january.energy_kwh == 100  # 5-digit register: 99950 → 100000 → 50
    assert not february.rollover and february.energy_kwh == (120 - 50) + (305 - 5)


def test_the_register_size_is_a_property_of_the_meter(world):
    clerk = world.users["clerk_a"]
    meter_change_record(
        user=clerk,
        customer=world.customer_a2,
        changed_on="2026-01-01",
        old_final_kwh="0",
        new_start_kwh="999900",
        register_digits=6,
    )
    import_readings(clerk, [(A2, "2026-01-31", "999950"), (A2, "2026-02-28", "50")])
    february = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-02-28")
    assert february.rollover and february.energy_kwh == 1_000_000 + 50 - 999950


def test_a_clerk_confirms_a_held_reading_as_a_rollover_with_who_and_when_then_the_month_bills(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2025-12-31", "90000"), (A2, "2026-01-31", "500")])
    held = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-01-31")
    assert held.status == ReadingStatus.HELD
    assert run(world, 2026, 1).status == RunStatus.GAPS
    confirmed = reading_confirm_rollover(user=clerk, reading=held, register_digits=5)
    assert confirmed.energy_kwh == 100000 + 500 - 90000 and confirmed.resolved_by == clerk
    assert confirmed.resolved_at is not None
    again = run(world, 2026, 1)
    assert again.bills_created == 1 and Bill.objects.get(customer=world.customer_a2).energy_kwh == 10500


def test_a_corrected_reading_entered_on_the_page_releases_the_held_one(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2025-12-31", "1000"), (A2, "2026-01-31", "9000")])
    held = MeterReading.objects.get(customer=world.customer_a2, read_on="2026-01-31")
    fixed = reading_correct(user=clerk, reading=held, register_kwh="1200")
    assert fixed.status == ReadingStatus.OK and fixed.energy_kwh == 200 and fixed.revision == 2
    assert fixed.resolved_by == clerk


# The clerk sees incomplete runs


def test_a_run_with_missing_or_held_readings_ends_completed_with_gaps_not_done(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A1, "2025-12-31", "0"), (A1, "2026-01-31", "100")])
    result = run(world, 2026, 1)
    assert (result.status, result.missing_count, result.bills_created) == (RunStatus.GAPS, 1, 1)
    import_readings(clerk, [(A2, "2025-12-31", "0"), (A2, "2026-01-31", "100")])
    assert run(world, 2026, 1).status == RunStatus.DONE


# Rule 5: mid-cycle connections


def test_proration_is_off_by_default_so_a_household_connected_in_july_gets_the_full_yearly_bounds(world):
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2026-06-30", "0"), (A2, "2026-07-31", "1500")])
    run(world, 2026, 7)
    bill = Bill.objects.get(customer=world.customer_a2)
    assert bill.supply_months is None and month_bills_by_tier(
        world.customer_a2, bill.month
    ) == reference_split(Decimal(0), Decimal(1500))


def test_with_proration_on_a_household_connected_in_july_has_its_bounds_scaled_by_6_of_12_months(
    world, settings
):
    settings.BILLING_PRORATE_PARTIAL_CYCLE = True
    clerk = world.users["clerk_a"]
    import_readings(clerk, [(A2, "2026-07-01", "0"), (A2, "2026-07-31", "1500")])  # connected 1 July
    run(world, 2026, 7)
    bill = Bill.objects.get(customer=world.customer_a2)
    # Supplied July–December: 6 of 12 months; bounds 2040 × 6/12 = 1020 and 3120 × 6/12 = 1560.
    expected = reference_split(Decimal(0), Decimal(1500), bounds=(Decimal(1020), Decimal(1560)))
    assert bill.supply_months == 6 and month_bills_by_tier(world.customer_a2, bill.month) == expected
    with translation.override("en"):
        page = world.web("clerk_a").get(f"/billing/bills/{bill.pk}/").content.decode()
    assert "1020 / 1560 kWh" in page and "to verify" in page
