"""Writes of billing: tariff versions, meter reading import, billing runs and adjustment bills,
auto-debit agreements, debit batches and return files."""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerexpress.analytics import tariff as kernel
from powerexpress.billing.choices import (
    AgreementStatus,
    BillKind,
    BillStatus,
    DebitResult,
    ReadingResolution,
    ReadingStatus,
    RunStatus,
)
from powerexpress.billing.debitfile import DebitFileError, debit_format
from powerexpress.billing.models import (
    Agreement,
    Bill,
    BillingRun,
    CreditApplication,
    DebitBatch,
    DebitItem,
    MeterChange,
    MeterReading,
    ReturnImport,
    TariffSchedule,
)
from powerexpress.billing.selectors import (
    bills_outstanding_fen,
    month_end,
    parsed_schedule,
    tariff_schedule_get,
)
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.tables import read_table
from powerexpress.registry.models import Customer

KERNEL_MESSAGES = {
    "not_a_number": gettext_lazy("Enter a number."),
    "negative": gettext_lazy("Must not be negative."),
    "too_many_places": gettext_lazy("At most %(places)s decimal places."),
    "too_large": gettext_lazy("Must be at most %(limit)s."),
    "no_tiers": gettext_lazy("Enter at least one tier."),
    "not_an_object": gettext_lazy("Enter an object."),
    "last_tier_bounded": gettext_lazy("The last tier has no upper bound (null)."),
    "only_last_unbounded": gettext_lazy("Only the last tier may have no upper bound."),
    "bounds_not_increasing": gettext_lazy("Tier bounds must increase."),
    "required": gettext_lazy("This field is required."),
    "bad_month": gettext_lazy("Enter a month from 1 to 12."),
    "not_a_schedule": gettext_lazy("Enter a schedule object."),
    "bad_cycle": gettext_lazy("Choose one of: annual, monthly."),
    "not_a_list": gettext_lazy("Enter a list."),
    "not_a_month_list": gettext_lazy("Enter a list of months."),
    "month_in_two_seasons": gettext_lazy("A month belongs to one season only."),
    "not_a_tag_object": gettext_lazy("Enter an object of tag → kWh."),
    "bad_large_household": gettext_lazy("Enter an object with min_size and extra_kwh."),
    "bad_min_size": gettext_lazy("Enter a whole number of at least 1."),
    "no_shared_meter_price": gettext_lazy("This schedule has no shared-meter price."),
}


def kernel_message(exc: kernel.ScheduleError) -> str:
    """The user's-language text of an analytics error, chosen by its code (never by its text)."""
    return str(KERNEL_MESSAGES[exc.code]) % {key: str(value) for key, value in exc.params.items()}


def field_error(exc: kernel.ScheduleError) -> FieldError:
    return FieldError({exc.field: kernel_message(exc)})


# Tariff schedules


def tariff_schedule_save(
    *,
    user,
    code: str,
    name: str,
    effective_from: datetime.date,
    definition: dict,
    to_verify: bool,
    source: str = "",
) -> TariffSchedule:
    """Save a schedule as a new version (bills keep the version they used)."""
    try:
        parsed = kernel.schedule_from_dict(definition, path="definition")
    except kernel.ScheduleError as exc:
        raise field_error(exc) from exc
    with transaction.atomic():
        latest = TariffSchedule.objects.select_for_update().filter(code=code).order_by("-version").first()
        return TariffSchedule.objects.create(
            code=code,
            name=name,
            effective_from=effective_from,
            definition=kernel.schedule_to_dict(parsed),
            to_verify=to_verify,
            source=source,
            created_by=user,
            version=(latest.version + 1) if latest else 1,
            residential_default=latest.residential_default if latest else False,
        )


def tariff_quote(
    *,
    tariff,
    year_to_date_kwh: Decimal,
    kwh: Decimal,
    tags,
    on_date: datetime.date,
    shared_meter: bool,
    household_size: int | None = None,
) -> kernel.Quote:
    """Quote one bill on a stored schedule (by code) or an inline one; 422 names the field."""
    if isinstance(tariff, str):
        stored = tariff_schedule_get(tariff, on_date)
        if stored is None:
            raise FieldError({"tariff": _("No tariff schedule with this code is in force on this date.")})
        schedule = parsed_schedule(stored)
    else:
        try:
            schedule = kernel.schedule_from_dict(tariff)
        except kernel.ScheduleError as exc:
            raise field_error(exc) from exc
    errors = {}
    for name, value, limit in (
        ("year_to_date_kwh", year_to_date_kwh, kernel.MAX_BOUND_KWH),
        ("kwh", kwh, kernel.MAX_BILL_KWH),
    ):
        try:
            kernel.decimal_checked(value, name, places=3, limit=limit)
        except kernel.ScheduleError as exc:
            errors[name] = kernel_message(exc)
    if household_size is not None and not 0 <= household_size <= 100:
        errors["household_size"] = _("Enter a whole number from 0 to 100.")
    if errors:
        raise FieldError(errors)
    try:
        return kernel.quote(
            schedule,
            year_to_date_kwh=year_to_date_kwh,
            kwh=kwh,
            on_date=on_date,
            tags=tags,
            shared_meter=shared_meter,
            household_size=household_size or 0,
        )
    except kernel.ScheduleError as exc:
        raise field_error(exc) from exc


# Meter readings


@dataclass
class ReadingImportOutcome:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    held: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _parse_kwh(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0 or number != number.quantize(Decimal("0.001")):
        return None
    return number


def _wrap(digits: int | None) -> Decimal:
    return Decimal(10) ** (digits or settings.BILLING_REGISTER_DIGITS)


def _part(previous: Decimal, register: Decimal, wrap: Decimal) -> tuple[Decimal, bool]:
    """kWh on one meter from ``previous`` to ``register``: a register below the previous one has
    rolled over when the wrapped difference is plausible (otherwise it stays negative)."""
    energy = register - previous
    if energy < 0 and register + wrap - previous <= settings.BILLING_IMPLAUSIBLE_KWH:
        return register + wrap - previous, True
    return energy, False


def reading_consumption(
    previous: Decimal | None,
    register: Decimal,
    *,
    change: MeterChange | None = None,
    old_digits: int | None = None,
) -> tuple[Decimal | None, bool, str]:
    """(consumption, rolled over, problem) of a reading after ``previous``. With a meter change
    in between it is old final − previous + register − new start, never a rollover of the
    change itself. A register below the previous one is a rollover (of a meter of ``digits``
    integer digits) only when the wrapped difference is plausible; otherwise the reading is held."""
    if previous is None:
        return None, False, ""
    if change is None:
        energy, rollover = _part(previous, register, _wrap(old_digits))
    else:
        old, old_rolled = _part(previous, change.old_final_kwh, _wrap(old_digits))
        new, new_rolled = _part(change.new_start_kwh, register, _wrap(change.register_digits))
        if old < 0 or new < 0:
            return (
                old + new,
                False,
                _("The meter change does not fit the readings: a register went down across it."),
            )
        energy, rollover = old + new, old_rolled or new_rolled
    if energy < 0:
        return energy, False, _("Negative consumption: the register went down.")
    limit = settings.BILLING_IMPLAUSIBLE_KWH
    if energy > limit:
        return energy, rollover, _("Implausible consumption above %(limit)s kWh.") % {"limit": limit}
    return energy, rollover, ""


def _consumption_between(changes, previous_day, previous, day, register) -> tuple[Decimal | None, bool, str]:
    """``reading_consumption`` of the reading on ``day`` after the one on ``previous_day``, with
    the household's meter changes (sorted by date): the change in between, the meters' sizes."""
    if previous_day is None:
        return reading_consumption(None, register)
    between = [c for c in changes if previous_day < c.changed_on <= day]
    before = [c for c in changes if c.changed_on <= previous_day]
    return reading_consumption(
        previous,
        register,
        change=between[-1] if between else None,
        old_digits=before[-1].register_digits if before else None,
    )


def _truthy(value) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "是", "估", "estimated"}


def _change_columns(row, read_on) -> tuple[tuple | None, list]:
    """The optional meter-change columns of a readings row (old_final_kwh, new_start_kwh,
    register_digits, changed_on — the change day, by default the reading's day)."""
    if not any(str(row.get(name) or "").strip() for name in ("old_final_kwh", "new_start_kwh")):
        return None, []
    problems = []
    old, new = _parse_kwh(row.get("old_final_kwh")), _parse_kwh(row.get("new_start_kwh"))
    for name, value in (("old_final_kwh", old), ("new_start_kwh", new)):
        if value is None:
            problems.append((name, _("Enter a non-negative number with at most 3 decimals.")))
    digits_text = str(row.get("register_digits") or "").strip()
    digits = int(digits_text) if digits_text.isdigit() else settings.BILLING_REGISTER_DIGITS
    if digits_text and not (digits_text.isdigit() and 4 <= digits <= 8):
        problems.append(("register_digits", _("Enter a whole number from 4 to 8.")))
    day = _parse_date(row.get("changed_on")) if str(row.get("changed_on") or "").strip() else read_on
    if day is None or (read_on and day > read_on):
        problems.append(("changed_on", _("Enter the change's date as YYYY-MM-DD, on or before the reading.")))
    return (day, old, new, digits), problems


def _changes_store(*, user, customers, changes, outcome) -> None:
    """Record the meter changes of an import (the same change imported again is left as it is)."""
    for row_no, account, (day, old, new, digits) in changes:
        customer = customers.get(account)
        if customer is None:
            continue
        existing = MeterChange.objects.filter(customer=customer, changed_on=day).first()
        if existing is None:
            MeterChange.objects.create(
                customer=customer,
                changed_on=day,
                old_final_kwh=old,
                new_start_kwh=new,
                register_digits=digits,
                recorded_by=user,
            )
        elif (existing.old_final_kwh, existing.new_start_kwh, existing.register_digits) != (old, new, digits):
            outcome.errors.append(
                {
                    "row": row_no,
                    "column": "changed_on",
                    "message": str(_("A meter change is already recorded on this day.")),
                }
            )


def readings_import(*, user, file_name: str, content: bytes) -> ReadingImportOutcome:
    """Import readings (columns account_no, read_on, register_kwh, estimated; for a meter change
    also old_final_kwh, new_start_kwh, register_digits and changed_on). Rows that cannot be read
    are reported; implausible ones are stored *held* and never billed; a changed value for an
    existing date becomes a new revision (a correction) and re-derives the next reading."""
    from powerexpress.core.scope import visible

    outcome = ReadingImportOutcome()
    parsed, changes = [], []
    seen = set()
    for row_no, row in read_table(file_name, content):
        account = str(row.get("account_no") or "").strip()
        read_on = _parse_date(row.get("read_on"))
        register = _parse_kwh(row.get("register_kwh"))
        problems = []
        if not account:
            problems.append(("account_no", _("This field is required.")))
        if read_on is None:
            problems.append(("read_on", _("Enter a date as YYYY-MM-DD.")))
        if register is None:
            problems.append(("register_kwh", _("Enter a non-negative number with at most 3 decimals.")))
        if not problems and (account, read_on) in seen:
            problems.append(("read_on", _("This account has two readings for this date in the file.")))
        change, change_problems = _change_columns(row, read_on)
        problems += change_problems
        if change and not problems:
            changes.append((row_no, account, change))
        for column, message in problems:
            outcome.errors.append({"row": row_no, "column": column, "message": str(message)})
        if not problems:
            seen.add((account, read_on))
            parsed.append((row_no, account, read_on, register, _truthy(row.get("estimated"))))
    customers = {
        c.account_no: c
        for c in visible(user, Customer.objects.all()).filter(account_no__in={p[1] for p in parsed})
    }
    for row_no, account, *_rest in parsed:
        if account not in customers:
            outcome.errors.append(
                {"row": row_no, "column": "account_no", "message": _("Unknown account number.")}
            )
    parsed = sorted((p for p in parsed if p[1] in customers), key=lambda p: (p[1], p[2]))
    with transaction.atomic():
        _changes_store(user=user, customers=customers, changes=changes, outcome=outcome)
        _readings_store(user=user, customers=customers, parsed=parsed, outcome=outcome)
    return outcome


def _readings_store(*, user, customers, parsed, outcome) -> None:
    """Store parsed rows (sorted by account and date, one per account and date) with a few queries
    for the whole file: the households' current readings are loaded once, the changes written in
    bulk. A correction supersedes the current reading; the next reading's consumption is re-derived."""
    ids = [customers[account].pk for account in {row[1] for row in parsed}]
    state: dict[int, dict] = defaultdict(dict)  # customer → {date: current reading}
    for reading in MeterReading.objects.filter(customer_id__in=ids, current=True):
        state[reading.customer_id][reading.read_on] = reading
    changes: dict[int, list[MeterChange]] = defaultdict(list)
    for change in MeterChange.objects.filter(customer_id__in=ids).order_by("changed_on"):
        changes[change.customer_id].append(change)
    superseded, created, rederived = [], [], {}
    for row_no, account, read_on, register, estimated in parsed:
        customer = customers[account]
        readings = state[customer.pk]
        existing = readings.get(read_on)
        if existing and existing.register_kwh == register and existing.estimated == estimated:
            outcome.unchanged += 1
            continue
        earlier = [day for day in readings if day < read_on]
        previous_day = max(earlier) if earlier else None
        previous = readings[previous_day].register_kwh if earlier else None
        energy, rollover, problem = _consumption_between(
            changes[customer.pk], previous_day, previous, read_on, register
        )
        if existing:
            outcome.corrected += 1
            superseded.append(existing.pk)
            rederived.pop(existing.pk, None)
        else:
            outcome.created += 1
        reading = MeterReading(
            customer=customer,
            read_on=read_on,
            revision=existing.revision + 1 if existing else 1,
            register_kwh=register,
            energy_kwh=energy,
            estimated=estimated,
            rollover=rollover,
            status=ReadingStatus.HELD if problem else ReadingStatus.OK,
            problem=problem,
            imported_by=user,
        )
        readings[read_on] = reading
        created.append(reading)
        if problem:
            outcome.held.append({"row": row_no, "account_no": account, "message": str(problem)})
        later = [day for day in readings if day > read_on]
        if later:
            following = readings[min(later)]
            following.energy_kwh, following.rollover, following.problem = _consumption_between(
                changes[customer.pk], read_on, register, following.read_on, following.register_kwh
            )
            following.status = ReadingStatus.HELD if following.problem else ReadingStatus.OK
            if following.pk:
                rederived[following.pk] = following
    MeterReading.objects.filter(pk__in=superseded).update(current=False)
    MeterReading.objects.bulk_create(created, batch_size=2000)
    MeterReading.objects.bulk_update(
        list(rederived.values()), ["energy_kwh", "rollover", "problem", "status"], batch_size=2000
    )


def _rederive_from(*, customer, day: datetime.date) -> list[MeterReading]:
    """Re-derive the consumption of the household's current readings from ``day`` on (after a
    meter change or a confirmed rollover); returns the readings whose values changed."""
    changes = list(MeterChange.objects.filter(customer=customer).order_by("changed_on"))
    readings = list(MeterReading.objects.filter(customer=customer, current=True).order_by("read_on"))
    touched = []
    for previous, reading in zip([None, *readings], readings, strict=False):
        if reading.read_on < day or reading.resolution == ReadingResolution.ROLLOVER:
            continue
        before = (reading.energy_kwh, reading.rollover, reading.problem)
        reading.energy_kwh, reading.rollover, reading.problem = _consumption_between(
            changes,
            previous.read_on if previous else None,
            previous.register_kwh if previous else None,
            reading.read_on,
            reading.register_kwh,
        )
        reading.status = ReadingStatus.HELD if reading.problem else ReadingStatus.OK
        if before != (reading.energy_kwh, reading.rollover, reading.problem):
            touched.append(reading)
    MeterReading.objects.bulk_update(touched, ["energy_kwh", "rollover", "problem", "status"])
    return touched


def _resolved(*, readings, user, resolution: str) -> None:
    now = timezone.now()
    for reading in readings:
        if reading.status == ReadingStatus.OK:
            reading.resolution, reading.resolved_by, reading.resolved_at = resolution, user, now
    MeterReading.objects.bulk_update(readings, ["resolution", "resolved_by", "resolved_at"])


def meter_change_record(
    *,
    user,
    customer,
    changed_on,
    old_final_kwh,
    new_start_kwh,
    register_digits=None,
) -> MeterChange:
    """Record a meter replacement (换表) and re-derive the readings after it: the first reading
    on the new meter is billed as old final − previous + current − new start (never a rollover);
    a reading held because its register went down is released when the change explains it."""
    errors = {}
    day = _parse_date(changed_on)
    if day is None:
        errors["changed_on"] = _("Enter a date as YYYY-MM-DD.")
    values = {}
    for name, raw in (("old_final_kwh", old_final_kwh), ("new_start_kwh", new_start_kwh)):
        values[name] = _parse_kwh(raw)
        if values[name] is None:
            errors[name] = _("Enter a non-negative number with at most 3 decimals.")
    digits = settings.BILLING_REGISTER_DIGITS if register_digits in (None, "") else register_digits
    if not str(digits).isdigit() or not 4 <= int(digits) <= 8:
        errors["register_digits"] = _("Enter a whole number from 4 to 8.")
    if not errors and MeterChange.objects.filter(customer=customer, changed_on=day).exists():
        errors["changed_on"] = _("A meter change is already recorded on this day.")
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        change = MeterChange.objects.create(
            customer=customer,
            changed_on=day,
            old_final_kwh=values["old_final_kwh"],
            new_start_kwh=values["new_start_kwh"],
            register_digits=int(digits),
            recorded_by=user,
        )
        _resolved(
            readings=_rederive_from(customer=customer, day=day),
            user=user,
            resolution=ReadingResolution.METER_CHANGE,
        )
    return change


def reading_confirm_rollover(*, user, reading: MeterReading, register_digits=None) -> MeterReading:
    """A clerk confirms that a held reading's register rolled over (it went down past its last
    digit): consumption is register + 10^digits − previous, recorded with who and when."""
    digits = register_digits or _meter_digits(reading)
    if not str(digits).isdigit() or not 4 <= int(digits) <= 8:
        raise FieldError({"register_digits": _("Enter a whole number from 4 to 8.")})
    with transaction.atomic():
        reading = MeterReading.objects.select_for_update().get(pk=reading.pk)
        previous = (
            MeterReading.objects.filter(
                customer_id=reading.customer_id, current=True, read_on__lt=reading.read_on
            )
            .order_by("-read_on")
            .first()
        )
        if (
            reading.status != ReadingStatus.HELD
            or previous is None
            or reading.register_kwh >= previous.register_kwh
        ):
            raise ApiError(
                _("Only a held reading whose register went down can be confirmed as a rollover."),
                status=409,
                code="conflict",
            )
        reading.energy_kwh = reading.register_kwh + _wrap(int(digits)) - previous.register_kwh
        reading.rollover, reading.problem, reading.status = True, "", ReadingStatus.OK
        reading.resolution, reading.resolved_by = ReadingResolution.ROLLOVER, user
        reading.resolved_at = timezone.now()
        reading.save(
            update_fields=[
                "energy_kwh",
                "rollover",
                "problem",
                "status",
                "resolution",
                "resolved_by",
                "resolved_at",
            ]
        )
    return reading


def reading_resolve(*, user, reading: MeterReading, action: str, register_kwh=None, register_digits=None):
    """One entry for the clerk's fixes of a held reading: ``rollover`` or ``corrected``."""
    if action == ReadingResolution.ROLLOVER:
        return reading_confirm_rollover(user=user, reading=reading, register_digits=register_digits)
    if action == ReadingResolution.CORRECTED:
        return reading_correct(user=user, reading=reading, register_kwh=register_kwh)
    raise FieldError({"action": _("Choose one of: %(choices)s.") % {"choices": "rollover, corrected"}})


def _meter_digits(reading: MeterReading) -> int:
    change = (
        MeterChange.objects.filter(customer_id=reading.customer_id, changed_on__lte=reading.read_on)
        .order_by("-changed_on")
        .first()
    )
    return change.register_digits if change else settings.BILLING_REGISTER_DIGITS


def reading_correct(*, user, reading: MeterReading, register_kwh) -> MeterReading:
    """A clerk enters the corrected register of a reading: a new revision (the held one is kept),
    the next reading re-derived, recorded with who and when."""
    register = _parse_kwh(register_kwh)
    if register is None:
        raise FieldError({"register_kwh": _("Enter a non-negative number with at most 3 decimals.")})
    customer = reading.customer
    outcome = ReadingImportOutcome()
    with transaction.atomic():
        _readings_store(
            user=user,
            customers={customer.account_no: customer},
            parsed=[(1, customer.account_no, reading.read_on, register, reading.estimated)],
            outcome=outcome,
        )
        current = MeterReading.objects.get(customer=customer, read_on=reading.read_on, current=True)
        current.resolution, current.resolved_by, current.resolved_at = (
            ReadingResolution.CORRECTED,
            user,
            timezone.now(),
        )
        current.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    return current


# Billing runs


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


def _ytd_before(customer_ids, month: datetime.date, start: datetime.date) -> dict[int, Decimal]:
    wanted = set(customer_ids)
    rows = (
        Bill.objects.filter(
            customer_id__gte=min(customer_ids),
            customer_id__lte=max(customer_ids),
            month__gte=start,
            month__lt=month,
        )
        .values("customer_id")
        .annotate(total=Sum("energy_kwh"))
    )
    return {row["customer_id"]: row["total"] for row in rows if row["customer_id"] in wanted}


def billing_run_chunk(*, run: BillingRun, customer_ids: list[int]) -> dict:
    """Bill one chunk of a run: new households get a regular bill from the vectorised kernel;
    households whose corrected readings changed the month's energy get an adjustment bill."""
    month = run.month
    stored = tariff_schedule_get(None, month)
    schedule = parsed_schedule(stored)
    start = kernel.cycle_start(schedule, month)
    readings = defaultdict(lambda: [Decimal(0), False])
    held = set()
    wanted = set(customer_ids)
    id_range = (min(customer_ids), max(customer_ids)) if customer_ids else (0, -1)
    reading_rows = MeterReading.objects.filter(
        customer_id__gte=id_range[0],
        customer_id__lte=id_range[1],
        current=True,
        read_on__range=(month, month_end(month)),
    ).values_list("customer_id", "energy_kwh", "estimated", "status")
    for customer_id, energy, estimated, status in reading_rows:
        if customer_id not in wanted:
            continue
        if status == ReadingStatus.HELD:
            held.add(customer_id)
        elif energy is not None:
            readings[customer_id][0] += energy
            readings[customer_id][1] |= estimated
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
                energy=readings[customer_id][0],
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
        for row in Customer.objects.filter(pk__range=(min(customer_ids), max(customer_ids))).values_list(
            "pk", "tags", "shared_meter", "household_size"
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


def _kwh_text(milli: int) -> str:
    whole, part = divmod(milli, kernel.KWH_SCALE)
    return f"{whole}.{part:03d}".rstrip("0") if part else str(whole)


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
    """Bill rows (``BILL_COLUMNS``) of one tariff group, priced by the vectorised kernel."""
    tiers = _group_tiers(schedule, run.month, group)
    if tiers is None:
        return []
    scale = kernel.KWH_SCALE
    ytd_milli = np.array([int(ytd.get(cid, 0) * scale) for cid in ids], dtype=np.int64)
    kwh_milli = np.array([int(readings[cid][0] * scale) for cid in ids], dtype=np.int64)
    allowances = {}
    free_milli = np.zeros(len(ids), dtype=np.int64)
    if group != "shared" and schedule.free_kwh_per_month:
        for i, cid in enumerate(ids):
            if tags[cid] not in allowances:
                allowances[tags[cid]] = int(kernel.free_allowance(schedule, tags[cid].split(",")) * scale)
            free_milli[i] = allowances[tags[cid]]
    result = _price(tiers, ytd_milli, kwh_milli, free_milli)
    free_used = np.minimum(free_milli, kwh_milli).tolist()
    prices_text = [str(t.price_yuan_per_kwh) for t in tiers]
    split, line_fen = result.kwh_milli.tolist(), result.line_fen.tolist()
    amounts, after, left = result.amount_fen.tolist(), result.tier_after.tolist(), result.left_milli.tolist()
    month, start_text = run.month.isoformat(), start.isoformat()
    supply_months = _group_months(group)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    out = []
    for i, cid in enumerate(ids):
        lines = (
            [f'{{"tier": 0, "kwh": "{_kwh_text(free_used[i])}", "price_yuan_per_kwh": "0", "amount_fen": 0}}']
            if free_used[i]
            else []
        )
        lines += [
            f'{{"tier": {t + 1}, "kwh": "{_kwh_text(split[i][t])}", "price_yuan_per_kwh": "{prices_text[t]}", '
            f'"amount_fen": {line_fen[i][t]}}}'
            for t in range(len(tiers))
            if split[i][t]
        ]
        out.append(
            (
                cid,
                run.station_id,
                month,
                0,
                BillKind.REGULAR,
                stored.pk,
                run.pk,
                str(readings[cid][0]),
                _kwh_text(int(ytd_milli[i])),
                _kwh_text(free_used[i]),
                amounts[i],
                after[i],
                None if left[i] < 0 else _kwh_text(left[i]),
                start_text,
                "[" + ", ".join(lines) + "]",
                supply_months,
                readings[cid][1],
                BillStatus.ISSUED,
                now,
            )
        )
    return out


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
        position = ytd_now.get(cid) or Decimal(0)
        if issued[cid]["energy"] != readings[cid][0] or latest.get(cid) != position:
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


# Auto-debit agreements


def _agreement_check(*, customer, bank_name: str, bank_account: str, channel: str) -> None:
    from powerexpress.billing.choices import AgreementChannel

    errors = {}
    if not bank_name.strip():
        errors["bank_name"] = _("This field is required.")
    account = bank_account.replace(" ", "")
    if not account.isdigit() or not 12 <= len(account) <= 19:
        errors["bank_account"] = _("Enter a bank account of 12 to 19 digits.")
    if channel not in AgreementChannel.values:
        errors["channel"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(AgreementChannel.values)}
    if (
        not errors
        and Agreement.objects.filter(customer=customer).exclude(status=AgreementStatus.CANCELLED).exists()
    ):
        errors["customer"] = _("This household already has an auto-debit agreement or a pending request.")
    if errors:
        raise FieldError(errors)


def agreement_request_create(
    *, customer, bank_name: str, bank_account: str, channel: str, campaign_ref: str = ""
) -> Agreement:
    """A pending sign-up requested by the villager portal; station staff confirm it."""
    _agreement_check(customer=customer, bank_name=bank_name, bank_account=bank_account, channel=channel)
    return Agreement.objects.create(
        customer=customer,
        bank_name=bank_name.strip(),
        bank_account=bank_account.replace(" ", ""),
        channel=channel,
        campaign_ref=campaign_ref.strip(),
        status=AgreementStatus.PENDING,
    )


def agreement_sign(
    *,
    user,
    customer,
    bank_name: str,
    bank_account: str,
    channel: str,
    campaign_ref: str = "",
    signed_on: datetime.date | None = None,
) -> Agreement:
    """Station staff record an agreement signed in front of them: active at once."""
    agreement = agreement_request_create(
        customer=customer,
        bank_name=bank_name,
        bank_account=bank_account,
        channel=channel,
        campaign_ref=campaign_ref,
    )
    return agreement_confirm(user=user, agreement=agreement, signed_on=signed_on)


def agreement_confirm(*, user, agreement: Agreement, signed_on: datetime.date | None = None) -> Agreement:
    if agreement.status != AgreementStatus.PENDING:
        raise ApiError(_("Only a pending agreement can be confirmed."), status=409, code="conflict")
    agreement.status = AgreementStatus.ACTIVE
    agreement.signed_on = signed_on or timezone.localdate()
    agreement.confirmed_by = user
    agreement.save(update_fields=["status", "signed_on", "confirmed_by"])
    return agreement


def agreement_cancel(*, user, agreement: Agreement) -> Agreement:
    if agreement.status == AgreementStatus.CANCELLED:
        raise ApiError(_("This agreement is already cancelled."), status=409, code="conflict")
    agreement.status = AgreementStatus.CANCELLED
    agreement.cancelled_on = timezone.localdate()
    agreement.cancelled_by = user
    agreement.save(update_fields=["status", "cancelled_on", "cancelled_by"])
    return agreement


# Debit batches and return files


def debit_batch_create(*, user, station, month: datetime.date, file_format: str = "") -> DebitBatch:
    """The month's batch debit file for a station: every unpaid bill up to the month (new bills
    and failed items of earlier batches) of households with an active agreement. Each household's
    credits (negative adjustments) are netted first, oldest first: a bill they cover is paid, the
    bank is asked only for what is left, and a credit larger than what is owed stays as the
    household's balance for later bills. The file never holds a negative or zero line."""
    from powerexpress.billing.debitfile import DEFAULT_FORMAT, DebitLine

    month = month.replace(day=1)
    fmt = debit_format(file_format or DEFAULT_FORMAT)
    agreements = {
        a.customer_id: a
        for a in Agreement.objects.filter(customer__village__station=station, status=AgreementStatus.ACTIVE)
    }
    with transaction.atomic():
        bills = list(
            Bill.objects.select_for_update()
            .select_related("customer")
            .filter(
                station=station,
                month__lte=month,
                status__in=[BillStatus.ISSUED, BillStatus.ARREARS, BillStatus.CREDIT],
                customer_id__in=list(agreements),
            )
            .exclude(amount_fen=0)
            .order_by("customer__account_no", "month", "sequence")
        )
        to_debit, applications = _credits_net(bills)
        batch = None
        if to_debit:
            count = DebitBatch.objects.filter(station=station, month=month).count()
            batch_no = f"{station.code}{month:%Y%m}{count + 1:02d}"
            items, lines = [], []
            for line_no, (bill, amount_fen) in enumerate(to_debit, start=1):
                agreement = agreements[bill.customer_id]
                items.append(
                    DebitItem(bill=bill, agreement=agreement, sequence=line_no, amount_fen=amount_fen)
                )
                lines.append(
                    DebitLine(
                        line_no,
                        str(bill.pk),
                        bill.customer.account_no,
                        agreement.bank_account,
                        bill.customer.name,
                        amount_fen,
                    )
                )
            content = fmt.render(
                batch_no=batch_no, station_code=station.code, month=f"{month:%Y%m}", lines=lines
            )
            batch = DebitBatch.objects.create(
                batch_no=batch_no,
                station=station,
                month=month,
                file_format=fmt.code,
                record_count=len(items),
                total_fen=sum(i.amount_fen for i in items),
                content=content,
                created_by=user,
            )
            for item in items:
                item.batch = batch
            DebitItem.objects.bulk_create(items)
            Bill.objects.filter(pk__in=[bill.pk for bill, _amount in to_debit]).update(
                status=BillStatus.IN_DEBIT
            )
        for application in applications:
            application.batch = batch
        CreditApplication.objects.bulk_create(applications)
    if batch is None:
        raise ApiError(
            _("All unpaid bills were settled by credits; there is nothing left to debit.")
            if applications
            else _("There is no unpaid bill of a signed-up household to debit."),
            status=422,
            code="nothing_to_debit",
        )
    return batch


def _credits_net(bills: list[Bill]) -> tuple[list[tuple[Bill, int]], list[CreditApplication]]:
    """Net each household's unused credits against its unpaid bills (both oldest first). Returns
    the bills left to debit with their amounts and the credit applications; sets the statuses
    of bills paid by credit (paid), credits used up (settled) and credits left (carried)."""
    outstanding = bills_outstanding_fen([bill.pk for bill in bills])
    by_customer: dict[int, list[Bill]] = defaultdict(list)
    for bill in bills:
        by_customer[bill.customer_id].append(bill)
    to_debit, applications, status = [], [], {}
    for household_bills in by_customer.values():
        credits = [[b, -outstanding[b.pk]] for b in household_bills if outstanding[b.pk] < 0]
        for bill in household_bills:
            owed = outstanding[bill.pk]
            if owed <= 0:
                continue
            for credit in credits:
                use = min(credit[1], owed)
                if use > 0:
                    applications.append(CreditApplication(credit=credit[0], bill=bill, amount_fen=use))
                    credit[1], owed = credit[1] - use, owed - use
            if owed:
                to_debit.append((bill, owed))
            else:
                status[bill.pk] = BillStatus.PAID
        for credit, left in credits:
            status[credit.pk] = BillStatus.CREDIT if left else BillStatus.SETTLED
    for value in (BillStatus.PAID, BillStatus.CREDIT, BillStatus.SETTLED):
        Bill.objects.filter(pk__in=[pk for pk, s in status.items() if s == value]).update(status=value)
    return to_debit, applications


@dataclass
class ReturnOutcome:
    imported: ReturnImport
    repeated: bool


def debit_return_import(
    *, user, batches, file_name: str, content: bytes, notify_customers: bool = True
) -> ReturnOutcome:
    """Apply a bank's return file to its batch (``batches``: the batches the user may touch).

    The whole file is rejected when its checksum, record count or total does not match its
    lines or the batch. The same file twice (also with other line endings) changes nothing.
    Otherwise the file is checked line by line and applied without its bad lines, each reported
    by line, bill and reason: an unknown bill, a wrong amount, an account number that is not the
    bill's household, a bill answered twice in the file (none of its answers is applied: it
    waits for a corrected file) or already answered otherwise by an earlier file. Failed items
    put the bill in arrears (it goes into the next batch). Counts are of distinct bills."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(_("The return file is not UTF-8 text."), status=422, code="bad_file") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()  # the same file whatever its line endings
    head = text.strip().split("\n", 1)[0].split("|")
    batch = batches.filter(batch_no=head[1].strip() if len(head) > 1 else "").first()
    if batch is None:
        raise ApiError(_("The return file names no batch of yours."), status=422, code="unknown_batch")
    try:
        parsed = debit_format(batch.file_format).parse_return(text)
    except DebitFileError as exc:
        raise ApiError(
            _("The return file was rejected: %(reason)s") % {"reason": exc},
            status=422,
            code="bad_return_file",
        ) from exc
    _return_totals_check(batch, parsed)
    with transaction.atomic():
        batch = DebitBatch.objects.select_for_update().get(pk=batch.pk)
        previous = ReturnImport.objects.filter(batch=batch, file_sha256=digest).first()
        if previous:
            return ReturnOutcome(previous, True)
        record, failed_items = _return_apply(
            user=user, batch=batch, parsed=parsed, file_name=file_name, digest=digest
        )
    if notify_customers:
        debit_failures_notify(items=failed_items)
    return ReturnOutcome(record, False)


def debit_failures_notify(*, items: list[DebitItem]) -> int:
    """Tell each household whose debit failed by SMS (DOMAIN.md §6): the bill goes into the next
    batch, or they may pay at the counter."""
    from powerexpress.core.notifications import notify

    count = 0
    for item in DebitItem.objects.select_related("bill__customer").filter(pk__in=[i.pk for i in items]):
        customer = item.bill.customer
        if not customer.phone:
            continue
        notify(
            channel="sms",
            recipient=customer.phone,
            purpose="debit_failed",
            subject=_("Electricity bill not debited"),
            body=_(
                "%(account)s: the bank could not debit %(yuan)s yuan for %(month)s (%(reason)s). We will try "
                "again next month, or pay at the station counter."
            )
            % {
                "account": customer.account_no,
                "yuan": f"{Decimal(item.amount_fen) / 100:.2f}",
                "month": f"{item.bill.month:%Y-%m}",
                "reason": item.get_result_display(),
            },
        )
        count += 1
    return count


def _return_totals_check(batch: DebitBatch, parsed) -> None:
    counted, summed = len(parsed.lines), sum(line.amount_fen for line in parsed.lines)
    problems = []
    if parsed.record_count != counted or parsed.total_fen != summed:
        problems.append(
            _(
                "the header says %(n)s records and %(fen)s fen but the lines hold %(m)s records and "
                "%(sum)s fen"
            )
            % {"n": parsed.record_count, "fen": parsed.total_fen, "m": counted, "sum": summed}
        )
    if parsed.record_count != batch.record_count or parsed.total_fen != batch.total_fen:
        problems.append(
            _(
                "batch %(batch)s has %(n)s records and %(fen)s fen but the file reports %(m)s records "
                "and %(sum)s fen"
            )
            % {
                "batch": batch.batch_no,
                "n": batch.record_count,
                "fen": batch.total_fen,
                "m": parsed.record_count,
                "sum": parsed.total_fen,
            }
        )
    if problems:
        raise ApiError(
            _("The return file was rejected: %(reason)s.") % {"reason": "; ".join(map(str, problems))},
            status=422,
            code="return_mismatch",
        )


def _return_line_problem(line, item, answers: int) -> str | None:
    if item is None:
        return _("Unknown bill.")
    if answers > 1:
        return _("This bill is answered %(n)s times in the file; none of its answers was applied.") % {
            "n": answers
        }
    if line.account_no != item.bill.customer.account_no:
        return _("Account %(got)s is not this bill's household (%(want)s).") % {
            "got": line.account_no,
            "want": item.bill.customer.account_no,
        }
    if item.amount_fen != line.amount_fen:
        return _("Amount %(got)s fen differs from the batch's %(want)s fen.") % {
            "got": line.amount_fen,
            "want": item.amount_fen,
        }
    if item.result not in (DebitResult.PENDING, line.result):
        return _(
            "This bill was already answered (%(result)s) by an earlier file; this answer was not applied."
        ) % {"result": item.get_result_display()}
    return None


def _return_apply(*, user, batch, parsed, file_name, digest) -> tuple[ReturnImport, list[DebitItem]]:
    items = {str(item.bill_id): item for item in batch.items.select_related("bill__customer")}
    answers: dict[str, int] = defaultdict(int)
    for line in parsed.lines:
        answers[line.bill_ref] += 1
    problems, success, failed = [], 0, 0
    outcomes = defaultdict(list)
    for line in parsed.lines:
        item = items.get(line.bill_ref)
        problem = _return_line_problem(line, item, answers[line.bill_ref])
        if problem:
            problems.append({"line": line.line_no, "bill": line.bill_ref, "message": str(problem)})
            continue
        if item.result != DebitResult.PENDING:
            continue
        outcomes[line.result].append(item)
    for result, answered in outcomes.items():
        paid = result == DebitResult.SUCCESS
        DebitItem.objects.filter(pk__in=[item.pk for item in answered]).update(result=result)
        Bill.objects.filter(pk__in=[item.bill_id for item in answered]).update(
            status=BillStatus.PAID if paid else BillStatus.ARREARS
        )
        success, failed = success + paid * len(answered), failed + (not paid) * len(answered)
    if not batch.items.filter(result=DebitResult.PENDING).exists():
        DebitBatch.objects.filter(pk=batch.pk).update(reconciled=True)
    record = ReturnImport.objects.create(
        batch=batch,
        file_sha256=digest,
        file_name=file_name[:200],
        success_count=success,
        failed_count=failed,
        problems=problems,
        imported_by=user,
    )
    failed_items = [
        item for result, answered in outcomes.items() if result != DebitResult.SUCCESS for item in answered
    ]
    return record, failed_items
