"""Writes of tariff schedules and quotes, and the translation of the tariff kernel's
error codes into the user's language."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerexpress.analytics import tariff as kernel
from powerexpress.billing.models import TariffSchedule
from powerexpress.billing.selectors import parsed_schedule, tariff_schedule_get
from powerexpress.core.errors import FieldError

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
