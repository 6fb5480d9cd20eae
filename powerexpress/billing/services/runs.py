"""Billing runs: the month's regular bills priced by the vectorised kernel and written in bulk,
and adjustment bills re-priced at the corrected cycle position."""

import datetime
from collections import defaultdict
from decimal import Decimal
from itertools import repeat

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, Max, Min, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.analytics import tariff as kernel
from powerexpress.billing.choices import BillKind, BillStatus, ReadingStatus, RunStatus
from powerexpress.billing.models import Bill, BillingRun, MeterReading
from powerexpress.billing.selectors import month_end, parsed_schedule, tariff_schedule_get
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.registry.models import Customer


def month_parse(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value.strip(), "%Y-%m").date()
    except (ValueError, AttributeError) as exc:
        raise FieldError({"month": _("Enter a month as YYYY-MM.")}) from exc


def _run_create(
    *, user, station, month: datetime.date, chunk_size: int
) -> tuple[BillingRun, list[list[int]]]:
    if tariff_schedule_get(None, month) is None:
        raise ApiError(
            _("No residential tariff schedule is in force for this month."), status=422, code="no_tariff"
        )
    customer_ids = list(
        Customer.objects.filter(village__station=station).order_by("pk").values_list("pk", flat=True)
    )
    run = BillingRun.objects.create(
        station=station, month=month, started_by=user, total_count=len(customer_ids)
    )
    chunks = [customer_ids[i : i + chunk_size] for i in range(0, len(customer_ids), chunk_size)]
    if not chunks:
        billing_run_finish(run=run)
    return run, chunks


def billing_run_start(*, user, station, month: datetime.date, chunk_size: int | None = None) -> BillingRun:
    """Start the month's billing for a station: one Celery task per chunk of households, so
    several workers share a big run. Re-running a month bills nothing twice."""
    from powerexpress.billing.tasks import billing_run_dispatch

    chunk_size = chunk_size or settings.BILLING_CHUNK_SIZE
    run, chunks = _run_create(user=user, station=station, month=month.replace(day=1), chunk_size=chunk_size)
    billing_run_dispatch(run=run, chunks=chunks)
    run.refresh_from_db()
    return run


def billing_run_now(*, user, station, month: datetime.date, chunk_size: int | None = None) -> BillingRun:
    """The same run computed in this process, chunk after chunk (demo data and benchmarks)."""
    chunk_size = chunk_size or settings.BILLING_CHUNK_SIZE
    run, chunks = _run_create(user=user, station=station, month=month.replace(day=1), chunk_size=chunk_size)
    for chunk in chunks:
        billing_run_chunk(run=run, customer_ids=chunk)
    run.refresh_from_db()
    return run


def billing_run_finish(*, run: BillingRun) -> None:
    """End a run: "completed with gaps" when some households were not billed (held or missing
    readings), so a clerk never takes a partial month for a complete one."""
    counts = BillingRun.objects.filter(pk=run.pk).values("held_count", "missing_count").first() or {}
    gaps = (counts.get("held_count") or 0) + (counts.get("missing_count") or 0)
    BillingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.GAPS if gaps else RunStatus.DONE, finished_at=timezone.now()
    )


def _milli_of(field_name: str) -> Cast:
    """A kWh column read as whole milli-kWh (exact: kWh carry 3 decimals), so that big reads skip
    the Decimal converter of every row."""
    return Cast(Round(F(field_name) * kernel.KWH_SCALE), BigIntegerField())


def _plain_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database driver returns them, without the
    ORM's per-row converters (a big run's reads: booleans may come as 0/1 on SQLite)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ytd_before(customer_ids, month: datetime.date, start: datetime.date) -> dict[int, int]:
    """Each household's milli-kWh billed in the cycle before ``month`` (adjustments included)."""
    wanted = set(customer_ids)
    rows = (
        Bill.objects.filter(
            customer_id__gte=min(customer_ids),
            customer_id__lte=max(customer_ids),
            month__gte=start,
            month__lt=month,
        )
        .values("customer_id")
        .annotate(total=Sum(_milli_of("energy_kwh")))
        .values_list("customer_id", "total")
    )
    return {customer_id: int(total) for customer_id, total in rows if customer_id in wanted}


def billing_run_chunk(*, run: BillingRun, customer_ids: list[int]) -> dict:
    """Bill one chunk of a run: new households get a regular bill from the vectorised kernel;
    households whose corrected readings changed the month's energy get an adjustment bill."""
    month = run.month
    stored = tariff_schedule_get(None, month)
    schedule = parsed_schedule(stored)
    start = kernel.cycle_start(schedule, month)
    readings: dict[int, list] = {}  # customer → [milli-kWh, estimated]
    held = set()
    wanted = set(customer_ids)
    id_range = (min(customer_ids), max(customer_ids)) if customer_ids else (0, -1)
    reading_rows = _plain_rows(
        MeterReading.objects.filter(
            customer_id__gte=id_range[0],
            customer_id__lte=id_range[1],
            current=True,
            read_on__range=(month, month_end(month)),
        ).values_list("customer_id", _milli_of("energy_kwh"), "estimated", "status")
    )
    for customer_id, energy, estimated, status in reading_rows:
        if customer_id not in wanted:
            continue
        if status == ReadingStatus.HELD:
            held.add(customer_id)
        elif energy is not None:
            entry = readings.get(customer_id)
            if entry is None:
                readings[customer_id] = [energy, bool(estimated)]
            else:
                entry[0] += energy
                entry[1] |= bool(estimated)
    for customer_id in held:
        readings.pop(customer_id, None)
    issued = {
        row["customer_id"]: row
        for row in Bill.objects.filter(
            customer_id__gte=id_range[0], customer_id__lte=id_range[1], month=month
        )
        .values("customer_id")
        .annotate(energy=Sum("energy_kwh"), amount=Sum("amount_fen"), last=Max("sequence"))
        if row["customer_id"] in readings
    }
    fresh = [cid for cid in readings if cid not in issued]
    changed = _repricing_needed(month=month, start=start, issued=issued, readings=readings)
    created = adjusted = 0
    with transaction.atomic():
        if fresh:
            created = _bills_create(
                run=run, stored=stored, schedule=schedule, start=start, customer_ids=fresh, readings=readings
            )
        for customer_id, ytd_kwh in changed.items():
            adjusted += _adjustment_create(
                run=run,
                customer_id=customer_id,
                energy=_kwh(readings[customer_id][0]),
                ytd_kwh=ytd_kwh,
                estimated=readings[customer_id][1],
            )
        missing = len(customer_ids) - len(readings) - len(held)
        BillingRun.objects.filter(pk=run.pk).update(
            processed_count=F("processed_count") + len(customer_ids),
            bills_created=F("bills_created") + created,
            adjustments_created=F("adjustments_created") + adjusted,
            held_count=F("held_count") + len(held),
            missing_count=F("missing_count") + missing,
        )
    run.refresh_from_db()
    if run.processed_count >= run.total_count and run.status == RunStatus.RUNNING:
        billing_run_finish(run=run)
    return {"created": created, "adjusted": adjusted, "held": len(held), "missing": missing}


def _bills_create(*, run, stored, schedule, start, customer_ids, readings) -> int:
    wanted = set(customer_ids)
    rows = [
        row
        for row in _plain_rows(
            Customer.objects.filter(pk__range=(min(customer_ids), max(customer_ids))).values_list(
                "pk", "tags", "shared_meter", "household_size"
            )
        )
        if row[0] in wanted
    ]
    tags = {pk: tag_text for pk, tag_text, _shared, _size in rows}
    months = _supply_months(schedule=schedule, start=start, customer_ids=customer_ids)
    groups = defaultdict(list)
    for pk, _tags, shared, size in rows:
        groups[_group_of(schedule, shared=shared, size=size, supply_months=months.get(pk))].append(pk)
    ytd = _ytd_before(customer_ids, run.month, start)
    bill_rows = []
    for group, ids in groups.items():
        bill_rows += _bill_rows(
            run=run,
            stored=stored,
            schedule=schedule,
            start=start,
            ids=sorted(ids),
            group=group,
            readings=readings,
            ytd=ytd,
            tags=tags,
        )
    bills_insert(bill_rows)
    return len(bill_rows)


# The decimal places of 0–999 milli-kWh as written in a kWh text: "", ".001" … ".5" … ".999".
_PLACES = ("", *(f".{part:03d}".rstrip("0") for part in range(1, kernel.KWH_SCALE)))


def _kwh_text(milli: int) -> str:
    whole, part = divmod(milli, kernel.KWH_SCALE)
    return f"{whole}{_PLACES[part]}"


def _kwh_texts(milli: np.ndarray) -> list[str]:
    """``_signed_kwh_text`` of many milli-kWh at once (the bulk path of a run)."""
    whole, part = np.divmod(np.abs(milli), kernel.KWH_SCALE)
    places = _PLACES
    texts = [f"{w}{places[p]}" for w, p in zip(whole.tolist(), part.tolist(), strict=True)]
    if (milli < 0).any():
        return [f"-{text}" if m < 0 else text for m, text in zip(milli.tolist(), texts, strict=True)]
    return texts


def _kwh(milli: int) -> Decimal:
    return Decimal(milli).scaleb(-3)


BILL_COLUMNS = (
    "customer_id",
    "station_id",
    "month",
    "sequence",
    "kind",
    "schedule_id",
    "run_id",
    "energy_kwh",
    "ytd_before_kwh",
    "free_kwh",
    "amount_fen",
    "tier_after",
    "kwh_left_in_tier",
    "cycle_start",
    "lines",
    "supply_months",
    "estimated",
    "status",
    "created_at",
)


def _supply_months(*, schedule: kernel.Schedule, start: datetime.date, customer_ids) -> dict[int, int]:
    """Months of supply in the cycle of households connected after the cycle's first month (their
    first reading is the connection) or closed before its last (``Customer.closed_on``), when the
    bureau prorates annual bounds (``BILLING_PRORATE_PARTIAL_CYCLE``, off by default, to verify).

    The month of the connection and the month of the closure each count as a month of supply:
    connected in July and closed in October of a January cycle is July–October, 4 months."""
    if not settings.BILLING_PRORATE_PARTIAL_CYCLE or schedule.cycle != "annual" or not customer_ids:
        return {}
    wanted = set(customer_ids)
    id_range = {"customer_id__gte": min(customer_ids), "customer_id__lte": max(customer_ids)}
    first_month: dict[int, int] = {}
    for row in MeterReading.objects.filter(**id_range).values("customer_id").annotate(first=Min("read_on")):
        elapsed = _months_after(start, row["first"])
        if row["customer_id"] in wanted and 1 <= elapsed < 12:
            first_month[row["customer_id"]] = elapsed
    last_month: dict[int, int] = {}
    closed = Customer.objects.filter(
        pk__range=(min(customer_ids), max(customer_ids)), closed_on__isnull=False
    ).values_list("pk", "closed_on")
    for pk, closed_on in closed:
        elapsed = _months_after(start, closed_on)
        if pk in wanted and 0 <= elapsed < 11:
            last_month[pk] = elapsed
    out = {}
    for pk in first_month.keys() | last_month.keys():
        months = last_month.get(pk, 11) - first_month.get(pk, 0) + 1
        if 1 <= months < 12:
            out[pk] = months
    return out


def _months_after(start: datetime.date, day: datetime.date) -> int:
    """Whole calendar months from the cycle's first month to ``day``'s month (0 in the first)."""
    return (day.year - start.year) * 12 + day.month - start.month


def _group_of(schedule: kernel.Schedule, *, shared: bool, size: int, supply_months: int | None = None) -> str:
    min_size = schedule.large_household_min_size
    group = "shared" if shared else "large" if min_size is not None and size >= min_size else "normal"
    return f"{group}:{supply_months}" if supply_months and group != "shared" else group


def _group_months(group: str) -> int | None:
    return int(group.split(":")[1]) if ":" in group else None


def _group_tiers(schedule: kernel.Schedule, month: datetime.date, group: str) -> tuple | None:
    """The tiers of a tariff group in a month (None: a shared meter on a schedule without a price);
    a group ``name:months`` has its annual bounds prorated by its months of supply."""
    if group == "shared":
        if schedule.shared_meter_price_yuan_per_kwh is None:
            return None
        return (kernel.Tier(None, schedule.shared_meter_price_yuan_per_kwh),)
    size = (schedule.large_household_min_size or 0) if group.startswith("large") else 0
    tiers = kernel.tiers_for(schedule, month, size)
    months = _group_months(group)
    return kernel.prorated_tiers(tiers, months) if months else tiers


def _price(tiers, ytd_milli, kwh_milli, free_milli) -> kernel.KernelResult:
    """The one arithmetic path of every bill, regular or adjustment: the vectorised kernel."""
    bounds, prices = kernel.tier_arrays(tiers)
    return kernel.bill_kernel(ytd_milli, kwh_milli, free_milli, bounds, prices)


def _bill_rows(*, run, stored, schedule, start, ids, group, readings, ytd, tags) -> list[tuple]:
    """Bill rows (``BILL_COLUMNS``) of one tariff group, priced by the vectorised kernel and built
    column by column: each kWh column is formatted in one pass, the rows are zipped at the end."""
    tiers = _group_tiers(schedule, run.month, group)
    if tiers is None:
        return []
    n = len(ids)
    ytd_milli = np.fromiter((ytd.get(cid, 0) for cid in ids), dtype=np.int64, count=n)
    kwh_milli = np.fromiter((readings[cid][0] for cid in ids), dtype=np.int64, count=n)
    free_milli = np.zeros(n, dtype=np.int64)
    if group != "shared" and schedule.free_kwh_per_month:
        allowances = {
            text: int(kernel.free_allowance(schedule, text.split(",")) * kernel.KWH_SCALE)
            for text in {tags[cid] for cid in ids}
        }
        free_milli = np.fromiter((allowances[tags[cid]] for cid in ids), dtype=np.int64, count=n)
    result = _price(tiers, ytd_milli, kwh_milli, free_milli)
    free_used = np.minimum(free_milli, kwh_milli)
    free_texts = _kwh_texts(free_used)
    line_columns = [
        [
            f'{{"tier": 0, "kwh": "{text}", "price_yuan_per_kwh": "0", "amount_fen": 0}}' if used else ""
            for text, used in zip(free_texts, free_used.tolist(), strict=True)
        ]
    ]
    for index, tier in enumerate(tiers):
        head = f'{{"tier": {index + 1}, "kwh": "'
        tail = f'", "price_yuan_per_kwh": "{tier.price_yuan_per_kwh}", "amount_fen": '
        split = result.kwh_milli[:, index]
        line_columns.append(
            [
                f"{head}{text}{tail}{fen}}}" if milli else ""
                for text, milli, fen in zip(
                    _kwh_texts(split), split.tolist(), result.line_fen[:, index].tolist(), strict=True
                )
            ]
        )
    lines = ["[" + ", ".join(filter(None, parts)) + "]" for parts in zip(*line_columns, strict=True)]
    left = result.left_milli
    left_texts = _kwh_texts(np.maximum(left, 0))
    return list(
        zip(
            ids,
            repeat(run.station_id),
            repeat(run.month.isoformat()),
            repeat(0),
            repeat(BillKind.REGULAR),
            repeat(stored.pk),
            repeat(run.pk),
            _kwh_texts(kwh_milli),
            _kwh_texts(ytd_milli),
            free_texts,
            result.amount_fen.tolist(),
            result.tier_after.tolist(),
            [None if milli < 0 else text for milli, text in zip(left.tolist(), left_texts, strict=True)],
            repeat(start.isoformat()),
            lines,
            repeat(_group_months(group)),
            [readings[cid][1] for cid in ids],
            repeat(BillStatus.ISSUED),
            repeat(connection.ops.adapt_datetimefield_value(timezone.now())),
        )
    )


def bills_insert(rows: list[tuple]) -> None:
    """Write bill rows by the database's fastest path: COPY on PostgreSQL, one executemany on
    SQLite (the ORM's bulk_create spends most of a big run preparing values)."""
    table = Bill._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(BILL_COLUMNS)
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(BILL_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(BILL_COLUMNS)}) VALUES ({marks})", rows)


def _repricing_needed(*, month, start, issued: dict, readings) -> dict[int, Decimal]:
    """Households already billed this month whose bills no longer match the rule: the month's
    kWh changed (a corrected reading), or the cycle position before the month changed (an
    earlier month was corrected). Maps each to its position now: the sum of all earlier bills
    of the cycle, adjustments included."""
    if not issued:
        return {}
    ids = list(issued)
    ytd_now = _ytd_before(ids, month, start)
    latest = {}
    for row in Bill.objects.filter(customer_id__in=ids, month=month).values(
        "customer_id", "sequence", "ytd_before_kwh"
    ):
        if row["sequence"] == issued[row["customer_id"]]["last"]:
            latest[row["customer_id"]] = row["ytd_before_kwh"]
    changed = {}
    for cid in ids:
        position = _kwh(ytd_now.get(cid, 0))
        if issued[cid]["energy"] != _kwh(readings[cid][0]) or latest.get(cid) != position:
            changed[cid] = position
    return changed


def _milli(kwh) -> int:
    return int(Decimal(kwh) * kernel.KWH_SCALE)


def _adjustment_create(*, run, customer_id: int, energy: Decimal, ytd_kwh: Decimal, estimated: bool) -> int:
    """An adjustment bill so that the month's bills together equal the month's corrected kWh
    priced at the corrected cycle position ``ytd_kwh``, by the same kernel as a regular bill.
    Returns 1 if one was written (0 when nothing differs)."""
    issued = list(Bill.objects.filter(customer_id=customer_id, month=run.month).order_by("sequence"))
    original = issued[0]
    customer = Customer.objects.get(pk=customer_id)
    schedule = parsed_schedule(original.schedule)
    start = kernel.cycle_start(schedule, run.month)
    months = _supply_months(schedule=schedule, start=start, customer_ids=[customer_id]).get(customer_id)
    group = _group_of(
        schedule, shared=customer.shared_meter, size=customer.household_size, supply_months=months
    )
    tiers = _group_tiers(schedule, run.month, group)
    if tiers is None:
        return 0
    allowance = kernel.free_allowance(schedule, customer.tag_list) if group != "shared" else Decimal(0)
    result = _price(tiers, *(np.array([_milli(v)], dtype=np.int64) for v in (ytd_kwh, energy, allowance)))
    free_milli = min(_milli(allowance), _milli(energy))
    target = {0: (free_milli, 0)} if free_milli else {}
    prices = {0: "0"}
    for index, tier in enumerate(tiers):
        prices[index + 1] = str(tier.price_yuan_per_kwh)
        if result.kwh_milli[0, index]:
            target[index + 1] = (int(result.kwh_milli[0, index]), int(result.line_fen[0, index]))
    billed: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for bill in issued:
        for line in bill.lines:
            billed[line["tier"]][0] += _milli(line["kwh"])
            billed[line["tier"]][1] += line["amount_fen"]
            prices.setdefault(line["tier"], line["price_yuan_per_kwh"])
    lines = []
    for tier in sorted(set(billed) | set(target)):
        kwh_diff = target.get(tier, (0, 0))[0] - billed[tier][0]
        fen_diff = target.get(tier, (0, 0))[1] - billed[tier][1]
        if kwh_diff or fen_diff:
            lines.append(
                {
                    "tier": tier,
                    "kwh": _signed_kwh_text(kwh_diff),
                    "price_yuan_per_kwh": prices[tier],
                    "amount_fen": fen_diff,
                }
            )
    if not lines:
        return 0
    amount = sum(line["amount_fen"] for line in lines)
    left = int(result.left_milli[0])
    Bill.objects.create(
        customer_id=customer_id,
        station_id=run.station_id,
        month=run.month,
        sequence=issued[-1].sequence + 1,
        kind=BillKind.ADJUSTMENT,
        schedule=original.schedule,
        run=run,
        energy_kwh=energy - sum((b.energy_kwh for b in issued), Decimal(0)),
        ytd_before_kwh=ytd_kwh,
        free_kwh=Decimal(free_milli) / kernel.KWH_SCALE - sum((b.free_kwh for b in issued), Decimal(0)),
        amount_fen=amount,
        tier_after=int(result.tier_after[0]),
        kwh_left_in_tier=None if left < 0 else Decimal(left) / kernel.KWH_SCALE,
        cycle_start=kernel.cycle_start(schedule, run.month),
        lines=lines,
        supply_months=months,
        estimated=estimated,
        status=BillStatus.CREDIT if amount < 0 else BillStatus.ISSUED if amount > 0 else BillStatus.SETTLED,
    )
    return 1


def _signed_kwh_text(milli: int) -> str:
    return ("-" if milli < 0 else "") + _kwh_text(abs(milli))
