"""Billing demo data on the demo county, deterministic from a seed.

- Auto-debit agreements reproducing the programme's figures (DOMAIN.md §1): Xindian (XD) 700
  signed households before the campaign → 3,700 by October 2026, Zhujiachang (ZJC) 1,100 →
  4,000, growing month by month from March; the other stations at their registry share.
  A few portal requests wait for confirmation. ``campaign_ref`` is left blank: the outreach
  demo (run after this one) attributes sign-ups to its activities' codes.
- Meter readings at the end of August, September and October 2026 for every household (a
  few heavy users cross the annual tier bounds; a few readings are held as implausible) and
  the September and October billing runs.
- September's debit files for XD and ZJC with the bank's answer imported (some insufficient
  balances → arrears), October's files sent and awaiting the answer.
"""

import datetime
import random
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from powerexpress.billing.choices import AgreementChannel, AgreementStatus, DebitResult, ReadingStatus
from powerexpress.billing.debitfile import ReturnLine, debit_format
from powerexpress.billing.kpis import signup_totals_rebuild
from powerexpress.billing.models import Agreement, Bill, DebitBatch, MeterReading, TariffSchedule
from powerexpress.billing.services import billing_run_now, debit_batch_create, debit_return_import
from powerexpress.billing.shipped import load_shipped
from powerexpress.registry.choices import PaymentMethod
from powerexpress.registry.models import Customer, SupplyStation

CAMPAIGN_MONTHS = [datetime.date(2026, m, 1) for m in range(3, 11)]
PROGRAMME_TARGETS = {"XD": (700, 3700), "ZJC": (1100, 4000)}
BANK = "玉屏县农村信用合作联社"
READING_DAYS = (datetime.date(2026, 8, 31), datetime.date(2026, 9, 30), datetime.date(2026, 10, 31))


def billing_demo_exists() -> bool:
    return Agreement.objects.exists() or Bill.objects.exists()


def billing_demo_build(*, seed: int = 20261127, report: Callable[[str], None] | None = None) -> dict:
    report = report or (lambda message: None)
    rng = random.Random(seed)
    stations = list(SupplyStation.objects.order_by("code"))
    load_shipped(TariffSchedule)
    with transaction.atomic():
        agreements = _agreements(stations, rng)
    report(f"{agreements} auto-debit agreements")
    with transaction.atomic():
        readings = _readings(rng)
    report(f"{readings} meter readings")
    bills = 0
    for month in (datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)):
        for station in stations:
            bills += billing_run_now(user=None, station=station, month=month).bills_created
    report(f"{bills} bills")
    batches = _debits(stations, rng)
    report(f"{batches} debit batches")
    signup_totals_rebuild()  # the agreements and households were loaded in bulk
    return {"agreements": agreements, "readings": readings, "bills": bills, "batches": batches}


def _signing_dates(start_count: int, end_count: int, rng) -> list[datetime.date]:
    """Sign-up dates: ``start_count`` before the campaign, then an S-shaped climb to ``end_count``."""
    dates = [datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28)) for _ in range(start_count)]
    weights = [1, 2, 4, 6, 6, 5, 4, 2]
    added = end_count - start_count
    shares = [round(added * sum(weights[: i + 1]) / sum(weights)) for i in range(len(weights))]
    previous = 0
    for month, cumulative in zip(CAMPAIGN_MONTHS, shares, strict=True):
        dates += [month.replace(day=rng.randint(1, 28)) for _ in range(cumulative - previous)]
        previous = cumulative
    return dates


def _agreements(stations, rng) -> int:
    rows = []
    for station in stations:
        customers = list(
            Customer.objects.filter(village__station=station)
            .order_by("account_no")
            .values_list("pk", "payment_method")
        )
        preferred = [pk for pk, method in customers if method == PaymentMethod.AUTO_DEBIT]
        others = [pk for pk, method in customers if method != PaymentMethod.AUTO_DEBIT]
        rng.shuffle(preferred)
        rng.shuffle(others)
        ordered = preferred + others
        if station.code in PROGRAMME_TARGETS:
            start, end = PROGRAMME_TARGETS[station.code]
            dates = _signing_dates(min(start, len(ordered)), min(end, len(ordered)), rng)
        else:
            dates = [datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28)) for _ in preferred]
        for pk, signed_on in zip(ordered, sorted(dates), strict=False):
            rows.append(
                Agreement(
                    customer_id=pk,
                    bank_name=BANK,
                    bank_account=f"62170{rng.randrange(10**14):014d}",
                    channel=rng.choice(AgreementChannel.values),
                    status=AgreementStatus.ACTIVE,
                    signed_on=signed_on,
                )
            )
        for pk in ordered[len(dates) : len(dates) + 12]:
            rows.append(
                Agreement(
                    customer_id=pk,
                    bank_name=BANK,
                    bank_account=f"62170{rng.randrange(10**14):014d}",
                    channel=AgreementChannel.AGENT_POINT,
                    status=AgreementStatus.PENDING,
                )
            )
    Agreement.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _readings(rng) -> int:
    rows = []
    with translation.override(settings.LANGUAGE_CODE):  # stored as an import would store it
        implausible = _("Implausible consumption above %(limit)s kWh.") % {
            "limit": settings.BILLING_IMPLAUSIBLE_KWH
        }
    for pk, size in Customer.objects.order_by("pk").values_list("pk", "household_size"):
        heavy = rng.random() < 0.04
        register = rng.randrange(0, 60_000_000)  # milli-kWh
        rows.append(
            (
                pk,
                READING_DAYS[0].isoformat(),
                1,
                True,
                _kwh(register),
                None,
                False,
                False,
                ReadingStatus.OK,
                "",
            )
        )
        for day in READING_DAYS[1:]:
            energy = round((rng.uniform(1100, 1800) if heavy else rng.uniform(40, 80) * size**0.6) * 1000)
            held = rng.random() < 0.001
            if held:
                energy = rng.randrange(5000, 9000) * 1000
            register += energy
            rows.append(
                (
                    pk,
                    day.isoformat(),
                    1,
                    True,
                    _kwh(register),
                    _kwh(energy),
                    rng.random() < 0.01,
                    False,
                    ReadingStatus.HELD if held else ReadingStatus.OK,
                    implausible if held else "",
                )
            )
    columns = (
        "customer_id",
        "read_on",
        "revision",
        "current",
        "register_kwh",
        "energy_kwh",
        "estimated",
        "rollover",
        "status",
        "problem",
        "imported_at",
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {MeterReading._meta.db_table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
            [row + (now,) for row in rows],
        )
    return len(rows)


def _kwh(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


def _debits(stations, rng) -> int:
    count = 0
    fmt = debit_format()
    for station in stations:
        if station.code not in PROGRAMME_TARGETS:
            continue
        september = debit_batch_create(user=None, station=station, month=datetime.date(2026, 9, 1))
        lines = [
            ReturnLine(
                item.sequence,
                str(item.bill_id),
                item.bill.customer.account_no,
                item.amount_fen,
                DebitResult.SUCCESS
                if rng.random() < 0.93
                else rng.choice([DebitResult.INSUFFICIENT, DebitResult.INSUFFICIENT, DebitResult.CLOSED]),
            )
            for item in september.items.select_related("bill__customer")
        ]
        content = fmt.render_return(batch_no=september.batch_no, lines=lines).encode()
        debit_return_import(
            user=None,
            batches=DebitBatch.objects.all(),
            file_name=f"{september.batch_no}-return.txt",
            content=content,
            notify_customers=False,
        )
        debit_batch_create(user=None, station=station, month=datetime.date(2026, 10, 1))
        count += 2
    return count
