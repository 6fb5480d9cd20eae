"""Reads of billing: tariff schedules, quotes, bills and their explanation, auto-debit KPIs."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.db.models import Count, F, Q, Sum
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.analytics import tariff as kernel
from powerexpress.billing import kpis
from powerexpress.billing.choices import AgreementStatus, BillKind, BillStatus, DebitResult, ReadingStatus
from powerexpress.billing.filters import BillFilterSet
from powerexpress.billing.models import (
    Agreement,
    Bill,
    BillingRun,
    CreditApplication,
    DebitBatch,
    DebitItem,
    MeterReading,
    TariffSchedule,
)
from powerexpress.core.audit import audit_record
from powerexpress.core.filters import filtered_or_none
from powerexpress.core.models import AuditAction
from powerexpress.core.scope import visible
from powerexpress.registry.models import Customer, Village

KWH = Decimal("0.001")
SIGNUP_TARGET = kpis.SIGNUP_TARGET


# Tariffs


def tariff_schedule_get(
    code: str | None = None, on_date: datetime.date | None = None
) -> TariffSchedule | None:
    """The version of schedule ``code`` (default: the bureau's residential default) in force on
    ``on_date``: the latest version whose effective date is on or before it."""
    on_date = on_date or timezone.localdate()
    queryset = TariffSchedule.objects.filter(effective_from__lte=on_date)
    if code:
        queryset = queryset.filter(code=code)
    else:
        default_codes = TariffSchedule.objects.filter(residential_default=True).values("code")
        queryset = queryset.filter(code__in=default_codes)
    return queryset.order_by("-effective_from", "-version").first()


def tariff_schedule_list() -> list[TariffSchedule]:
    """The newest version of every schedule code."""
    newest = {}
    for schedule in TariffSchedule.objects.order_by("code", "-effective_from", "-version"):
        newest.setdefault(schedule.code, schedule)
    return list(newest.values())


_PARSED: dict[tuple[int, str], kernel.Schedule] = {}


def parsed_schedule(schedule: TariffSchedule) -> kernel.Schedule:
    """The pure schedule of a stored version, cached by id and content."""
    key = (schedule.pk, repr(schedule.definition))
    if key not in _PARSED:
        _PARSED[key] = kernel.schedule_from_dict(schedule.definition)
    return _PARSED[key]


def notice_board_tariff(on_date: datetime.date | None = None) -> dict | None:
    """The bureau's active residential schedule as village notice boards show it."""
    stored = tariff_schedule_get(None, on_date)
    if stored is None:
        return None
    schedule = parsed_schedule(stored)
    tiers, lower = [], Decimal(0)
    for index, tier in enumerate(schedule.tiers, start=1):
        tiers.append(
            {
                "tier": index,
                "from_kwh": lower,
                "up_to_kwh": tier.up_to_kwh,
                "price_yuan_per_kwh": tier.price_yuan_per_kwh,
            }
        )
        lower = tier.up_to_kwh if tier.up_to_kwh is not None else lower
    return {
        "name": stored.name,
        "to_verify": stored.to_verify,
        "cycle": schedule.cycle,
        "tiers": tiers,
        "free_kwh_per_month": dict(schedule.free_kwh_per_month),
    }


def quote_out(result: kernel.Quote) -> dict:
    """The JSON body of a quote: decimals as strings, kWh to 3 places, yuan to 2."""
    return {
        "amount_yuan": str(result.amount_yuan),
        "lines": [
            {
                "tier": line.tier,
                "kwh": str(line.kwh.quantize(KWH)),
                "price_yuan_per_kwh": str(line.price_yuan_per_kwh),
                "amount_yuan": str(line.amount_yuan),
            }
            for line in result.lines
        ],
        "free_kwh": str(result.free_kwh.quantize(KWH)),
        "tier_after": result.tier_after,
        "kwh_left_in_tier": None
        if result.kwh_left_in_tier is None
        else str(result.kwh_left_in_tier.quantize(KWH)),
        "cycle_start": result.cycle_start.isoformat(),
    }


# Bills


def bills_visible(user):
    return visible(user, Bill.objects.select_related("customer", "customer__village", "station", "schedule"))


BILLS_PAGE_SIZE = 50


@dataclass(frozen=True)
class BillsPage:
    """One page of the bills list, newest month first (then newest bill), with the cursors of
    the pages before and after it (None at either end)."""

    bills: list
    previous_cursor: str | None
    next_cursor: str | None


def bill_cursor(bill: Bill) -> str:
    return f"{bill.month:%Y-%m-%d}_{bill.pk}"


def parse_bill_cursor(text: str) -> tuple[datetime.date, int] | None:
    """``"2026-10-01_123"`` → (month, id); None for anything else."""
    month_text, _sep, pk_text = (text or "").partition("_")
    try:
        return datetime.date.fromisoformat(month_text), int(pk_text)
    except ValueError:
        return None


def bills_filtered(user, *, account_no: str = "", month: datetime.date | None = None, status: str = ""):
    """The user's bills through the list's FilterSet (the page passes its query string instead)."""
    data = {"account_no": account_no, "month": f"{month:%Y-%m}" if month else "", "status": status}
    return filtered_or_none(BillFilterSet(data, queryset=bills_visible(user)))


def _beyond(bills, cursor: tuple[datetime.date, int], size: int, *, older: bool) -> list:
    """Up to ``size`` bills past ``cursor`` in (month, id) order, older or newer: the rest of the
    cursor's month, then the months beyond it — two exact index ranges (``bill_month_id``,
    ``bill_station_month_id``) on SQLite and PostgreSQL alike."""
    month, pk = cursor
    if older:
        same = bills.filter(month=month, id__lt=pk).order_by("-id")
        rest = bills.filter(month__lt=month).order_by("-month", "-id")
    else:
        same = bills.filter(month=month, id__gt=pk).order_by("id")
        rest = bills.filter(month__gt=month).order_by("month", "id")
    rows = list(same[:size])
    return rows + list(rest[: size - len(rows)]) if len(rows) < size else rows


def bills_page(bills, *, after: str = "", before: str = "", size: int = BILLS_PAGE_SIZE) -> BillsPage:
    """Keyset pagination over (month, id) newest first: a page costs the same at page 1 and page
    6,000, and no request counts or skips rows. ``after`` is the cursor of the last bill seen
    (next page), ``before`` the first (previous page)."""
    if before and (cursor := parse_bill_cursor(before)):
        rows = _beyond(bills, cursor, size + 1, older=False)
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return BillsPage(
            rows,
            bill_cursor(rows[0]) if more_before else None,
            bill_cursor(rows[-1]) if rows else None,
        )
    cursor = parse_bill_cursor(after) if after else None
    rows = (
        _beyond(bills, cursor, size + 1, older=True)
        if cursor
        else list(bills.order_by("-month", "-id")[: size + 1])
    )
    more_after = len(rows) > size
    rows = rows[:size]
    return BillsPage(
        rows,
        bill_cursor(rows[0]) if rows and cursor else None,
        bill_cursor(rows[-1]) if more_after else None,
    )


def runs_visible(user):
    return visible(user, BillingRun.objects.select_related("station"))


def bill_explanation(bill: Bill) -> dict:
    """What a customer app shows: tier lines, cycle total, current tier, kWh left, cycle start."""
    month_kwh = bill.energy_kwh
    if bill.kind == BillKind.ADJUSTMENT:  # the month's kWh as corrected: all its bills so far
        month_kwh = Bill.objects.filter(
            customer_id=bill.customer_id, month=bill.month, sequence__lte=bill.sequence
        ).aggregate(total=Sum("energy_kwh"))["total"]
    cycle_total = bill.ytd_before_kwh + month_kwh
    return {
        "lines": [{**line, "amount_yuan": Decimal(line["amount_fen"]) / 100} for line in bill.lines],
        "ytd_kwh": cycle_total,
        "tier_after": bill.tier_after,
        "kwh_left_in_tier": bill.kwh_left_in_tier,
        "cycle_start": bill.cycle_start,
        "amount_yuan": Decimal(bill.amount_fen) / 100,
        "credit_fen": customer_credit_balance_fen(bill.customer),
        "prorated": _prorated_text(bill),
    }


def _prorated_text(bill: Bill) -> str:
    """The proration rule and its effect on this bill, when its bounds were prorated."""
    if not bill.supply_months:
        return ""
    schedule = parsed_schedule(bill.schedule)
    tiers = kernel.prorated_tiers(
        kernel.tiers_for(schedule, bill.month, bill.customer.household_size), bill.supply_months
    )
    bounds = " / ".join(f"{t.up_to_kwh.normalize():f}" for t in tiers if t.up_to_kwh is not None)
    closed_on = bill.customer.closed_on
    cycle_end = datetime.date(bill.cycle_start.year + 1, bill.cycle_start.month, 1)
    if closed_on is not None and bill.cycle_start <= closed_on < cycle_end:
        return _(
            "Supplied %(months)s of the cycle's 12 months (closed on %(closed_on)s): the yearly tier "
            "bounds are prorated to %(bounds)s kWh."
        ) % {"months": bill.supply_months, "closed_on": closed_on.isoformat(), "bounds": bounds}
    return _(
        "Supplied %(months)s of the cycle's 12 months (connected during the cycle): the yearly tier "
        "bounds are prorated to %(bounds)s kWh."
    ) % {"months": bill.supply_months, "bounds": bounds}


PUBLIC_BILL_SALT = "billing.public-bill"


def public_bill_url(bill: Bill) -> str:
    """A link to the bill's explanation that a villager can open without signing in (signed,
    unguessable; shows no personal data beyond the account number)."""
    return reverse("billing:public_bill", args=[signing.dumps(bill.pk, salt=PUBLIC_BILL_SALT)])


def public_bill_get(token: str) -> Bill | None:
    try:
        pk = signing.loads(token, salt=PUBLIC_BILL_SALT)
    except signing.BadSignature:
        return None
    return Bill.objects.select_related("customer", "schedule").filter(pk=pk).first()


def customer_bills(customer) -> list[dict]:
    """A customer's bills, newest first, in the shape other capabilities rely on."""
    out = []
    for bill in Bill.objects.filter(customer=customer).order_by("-month", "-sequence"):
        out.append(
            {
                "month": f"{bill.month:%Y-%m}",
                "energy_kwh": bill.energy_kwh,
                "amount_fen": bill.amount_fen,
                "tier_after": bill.tier_after,
                "kwh_left_in_tier": bill.kwh_left_in_tier,
                "cycle_start": bill.cycle_start,
                "status": bill.status,
                "status_label": bill.get_status_display(),
                "kind": bill.kind,
                "lines": [{**line, "amount_yuan": Decimal(line["amount_fen"]) / 100} for line in bill.lines],
                "url": public_bill_url(bill),
            }
        )
    return out


def bills_outstanding_fen(bill_ids) -> dict[int, int]:
    """What is still owed on each bill (a credit: what is still unused, as a negative number):
    its amount less the credits applied to it, or plus those used from it."""
    received = dict(
        CreditApplication.objects.filter(bill_id__in=bill_ids)
        .values("bill_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("bill_id", "total")
    )
    used = dict(
        CreditApplication.objects.filter(credit_id__in=bill_ids)
        .values("credit_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("credit_id", "total")
    )
    amounts = dict(Bill.objects.filter(pk__in=bill_ids).values_list("pk", "amount_fen"))
    return {pk: amount - received.get(pk, 0) + used.get(pk, 0) for pk, amount in amounts.items()}


def customer_credit_balance_fen(customer) -> int:
    """The household's credit carried forward: what is left of its credits (negative adjustment
    bills) after the parts already used to pay other bills."""
    credits = list(
        Bill.objects.filter(customer=customer, amount_fen__lt=0)
        .exclude(status=BillStatus.SETTLED)
        .values_list("pk", flat=True)
    )
    return -sum(bills_outstanding_fen(credits).values())


def readings_visible(user):
    return visible(user, MeterReading.objects.select_related("customer"))


def missing_households(run: BillingRun):
    """The run's households that have no current reading in the month (not billed, not held)."""
    read = MeterReading.objects.filter(
        current=True, read_on__year=run.month.year, read_on__month=run.month.month, energy_kwh__isnull=False
    ).values("customer_id")
    return (
        Customer.objects.filter(village__station=run.station)
        .exclude(pk__in=read)
        .select_related("village")
        .order_by("account_no")
    )


def later_months_to_rerun(run: BillingRun) -> list[datetime.date]:
    """Later months of the cycle already billed for households this run adjusted: their cycle
    position changed, so each must be run again (in order) to be re-priced (rule 1)."""
    adjusted = Bill.objects.filter(run=run, kind=BillKind.ADJUSTMENT).values("customer_id")
    months = (
        Bill.objects.filter(customer_id__in=adjusted, month__gt=run.month)
        .filter(cycle_start__lte=run.month)
        .values_list("month", flat=True)
        .distinct()
    )
    return sorted(set(months))


def held_readings(run: BillingRun):
    """Readings of the run's station and month held for checking (never billed until fixed)."""
    return (
        MeterReading.objects.select_related("customer")
        .filter(
            customer__village__station=run.station,
            current=True,
            status=ReadingStatus.HELD,
            read_on__year=run.month.year,
            read_on__month=run.month.month,
        )
        .order_by("customer__account_no")
    )


def arrears_list(user):
    """Unpaid bills whose debit failed at least once (also while they wait in the next batch)."""
    failures = [DebitResult.INSUFFICIENT, DebitResult.CLOSED, DebitResult.INVALID]
    return (
        bills_visible(user)
        .exclude(status=BillStatus.PAID)
        .filter(debit_items__result__in=failures)
        .distinct()
        .order_by("station__code", "customer__account_no", "month")
    )


# Auto-debit KPIs


def signup_rate(village) -> Decimal | None:
    """Share (0–1) of the village's households with an active auto-debit agreement."""
    households = Customer.objects.filter(village=village).count()
    if not households:
        return None
    signed = Agreement.objects.filter(customer__village=village, status=AgreementStatus.ACTIVE).count()
    return (Decimal(signed) / Decimal(households)).quantize(Decimal("0.0001"))


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def recent_months(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the last ``count`` months, oldest first, ending with this month."""
    month = (today or timezone.localdate()).replace(day=1)
    months = []
    for _step in range(count):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months[::-1]


def _month_of(day: datetime.date | None) -> datetime.date | None:
    return None if day is None else day.replace(day=1)


def signup_kpis(user, months: list[datetime.date]) -> list[dict]:
    """Per visible station and month: households, signed households, signed-up rate and the gap
    to the 80% target (from the aggregates of ``billing.kpis``)."""
    return kpis.signup_kpis(user, months)


def debit_kpis(user) -> list[dict]:
    """Debit success rate per visible station and month (items answered by the bank)."""
    items = visible(user, DebitItem.objects.exclude(result=DebitResult.PENDING))
    grouped = (
        items.values("batch__station__code", "batch__month")
        .annotate(
            total=Count("pk"),
            success=Count("pk", filter=Q(result=DebitResult.SUCCESS)),
            success_fen=Sum("amount_fen", filter=Q(result=DebitResult.SUCCESS)),
        )
        .order_by("batch__station__code", "-batch__month")
    )
    return [
        {
            "station": row["batch__station__code"],
            "month": row["batch__month"],
            "total": row["total"],
            "success": row["success"],
            "success_fen": row["success_fen"] or 0,
            "rate": (Decimal(row["success"]) / row["total"]).quantize(Decimal("0.001")),
        }
        for row in grouped
    ]


def batch_file_response(*, user, batch: DebitBatch, request=None) -> HttpResponse:
    """The debit file as a download; it holds unmasked bank accounts, so each download is audited."""
    audit_record(
        user=user,
        action=AuditAction.EXPORT_UNMASKED,
        object_type="debit_batch",
        object_ref=batch.batch_no,
        fields=("bank_account", "name"),
        request=request,
    )
    response = HttpResponse(batch.content, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.batch_no}.txt"'
    return response


def batches_visible(user):
    return visible(user, DebitBatch.objects.select_related("station"))


def agreements_visible(user):
    return visible(user, Agreement.objects.select_related("customer", "customer__village"))


def village_signup_table(user) -> list[dict]:
    """Villages ranked by lowest signed-up rate: where the publicity team should go first."""
    villages = visible(user, Village.objects.select_related("station"))
    counts = villages.annotate(
        households=Count("customers", distinct=True),
        signed=Count(
            "customers__agreements",
            filter=Q(customers__agreements__status=AgreementStatus.ACTIVE),
            distinct=True,
        ),
    ).filter(households__gt=0)
    rows = [
        {
            "village": v,
            "households": v.households,
            "signed": v.signed,
            "rate": (Decimal(v.signed) / v.households).quantize(Decimal("0.001")),
        }
        for v in counts
    ]
    return sorted(rows, key=lambda row: (row["rate"], -row["households"]))


def unsigned_worklist(village) -> list[Customer]:
    """Households of a village without an open agreement, ranked for door-to-door visits:
    households in arrears first, then the largest bills of the last twelve months."""
    open_agreement = Q(agreements__status__in=[AgreementStatus.ACTIVE, AgreementStatus.PENDING])
    since = timezone.localdate().replace(day=1) - datetime.timedelta(days=365)
    return list(
        Customer.objects.filter(village=village)
        .exclude(open_agreement)
        .annotate(
            arrears=Count("bills", filter=Q(bills__status=BillStatus.ARREARS)),
            billed_fen=Sum("bills__amount_fen", filter=Q(bills__month__gte=since)),
        )
        .order_by("-arrears", F("billed_fen").desc(nulls_last=True), "account_no")
    )
