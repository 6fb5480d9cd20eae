"""Writes of meter readings: the readings import, meter changes (换表) and the clerk's fixes of
held readings (a confirmed rollover, a corrected register)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.billing.choices import ReadingResolution, ReadingStatus
from powerexpress.billing.models import MeterChange, MeterReading
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.tables import read_table
from powerexpress.registry.models import Customer


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
