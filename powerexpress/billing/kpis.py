"""The auto-debit KPIs from aggregates kept current as agreements and households change, so that
the KPI pages read a row per station and month instead of counting every agreement per request.

- ``SignupMonth``: per station and month, agreements signed in the month minus those cancelled in
  it. An agreement counts in month M when signed in or before M and not cancelled in or before M,
  so the households signed at the end of M are the sum of the rows up to M.
- ``StationHouseholds``: households per station (the rate's denominator).

Both move with every save and delete of an agreement or a household (``connect``: model signals,
so every write path keeps them — the services, the admin, the portal — without each calling in);
bulk loads (``bulk_create``, ``update``) rebuild them with ``signup_totals_rebuild`` (the demo, the
data migration, and the end of each billing run as a backstop).
"""

import datetime
from collections import Counter
from decimal import Decimal

from django.apps import apps as global_apps
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.signals import post_delete, post_save, pre_save

from powerexpress.billing.choices import AgreementStatus
from powerexpress.core.scope import visible

SIGNUP_TARGET = Decimal("0.80")


def _month(day: datetime.date | None) -> datetime.date | None:
    return None if day is None else day.replace(day=1)


def signup_deltas(station_id, status: str, signed_on, cancelled_on) -> Counter:
    """What one agreement adds to ``SignupMonth``: +1 in the month signed, -1 in the month
    cancelled (a cancellation in or before the signing month: it never counts)."""
    deltas: Counter = Counter()
    if station_id is None or status == AgreementStatus.PENDING or signed_on is None:
        return deltas
    signed, cancelled = _month(signed_on), _month(cancelled_on)
    if cancelled is not None and cancelled <= signed:
        return deltas
    deltas[(station_id, signed)] += 1
    if cancelled is not None:
        deltas[(station_id, cancelled)] -= 1
    return deltas


def _apply(deltas: Counter, registry=None) -> None:
    model = (registry or global_apps).get_model("billing", "SignupMonth")
    for (station_id, month), change in deltas.items():
        if change:
            _add_or_create(model, {"station_id": station_id, "month": month}, "net_signed", change)


def _add_or_create(model, key: dict, field: str, change: int) -> None:
    """Adds ``change`` to the row with ``key``, creating it when there is none. Two first writers at
    once: the loser's insert fails on the unique key inside its savepoint and it adds instead."""
    if model.objects.filter(**key).update(**{field: F(field) + change}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **{field: change})
    except IntegrityError:
        model.objects.filter(**key).update(**{field: F(field) + change})


def _households_add(station_id, change: int) -> None:
    model = global_apps.get_model("billing", "StationHouseholds")
    if station_id is not None and change:
        _add_or_create(model, {"station_id": station_id}, "households", change)


def signup_totals_rebuild(*, registry=None) -> None:
    """Recompute both aggregates from the agreements and households (one grouped query each)."""
    registry = registry or global_apps
    agreement = registry.get_model("billing", "Agreement")
    customer = registry.get_model("registry", "Customer")
    months = registry.get_model("billing", "SignupMonth")
    households = registry.get_model("billing", "StationHouseholds")
    deltas: Counter = Counter()
    grouped = (
        agreement.objects.exclude(status=AgreementStatus.PENDING)
        .filter(signed_on__isnull=False)
        .values_list("customer__village__station_id", "status", "signed_on", "cancelled_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for station_id, status, signed_on, cancelled_on, n in grouped:
        for key, change in signup_deltas(station_id, status, signed_on, cancelled_on).items():
            deltas[key] += change * n
    with transaction.atomic():
        months.objects.all().delete()
        months.objects.bulk_create(
            [months(station_id=s, month=m, net_signed=n) for (s, m), n in deltas.items() if n]
        )
        households.objects.all().delete()
        households.objects.bulk_create(
            [
                households(station_id=s, households=n)
                for s, n in customer.objects.values_list("village__station_id")
                .annotate(n=Count("pk"))
                .order_by()
            ]
        )


# Kept current with every save and delete


def _agreement_state(agreement) -> tuple:
    station_id = (
        global_apps.get_model("registry", "Customer")
        .objects.filter(pk=agreement.customer_id)
        .values_list("village__station_id", flat=True)
        .first()
    )
    return station_id, agreement.status, agreement.signed_on, agreement.cancelled_on


def _agreement_before(sender, instance, raw=False, **kwargs):
    stored = sender.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._signup_before = _agreement_state(stored) if stored else None


def _agreement_saved(sender, instance, raw=False, **kwargs):
    deltas = signup_deltas(*_agreement_state(instance))
    before = getattr(instance, "_signup_before", None)
    if before:
        deltas.subtract(signup_deltas(*before))
    _apply(deltas)


def _agreement_deleted(sender, instance, **kwargs):
    deltas: Counter = Counter()
    deltas.subtract(signup_deltas(*_agreement_state(instance)))
    _apply(deltas)


def _station_of_village(village_id):
    village = global_apps.get_model("registry", "Village")
    return village.objects.filter(pk=village_id).values_list("station_id", flat=True).first()


def _customer_before(sender, instance, raw=False, **kwargs):
    stored = sender.objects.filter(pk=instance.pk).values_list("village_id", flat=True).first()
    instance._station_before = _station_of_village(stored) if stored else None


def _customer_saved(sender, instance, created=False, raw=False, **kwargs):
    station_id = _station_of_village(instance.village_id)
    before = getattr(instance, "_station_before", None)
    if created or before != station_id:
        _households_add(before, -1 if before is not None else 0)
        _households_add(station_id, 1)


def _customer_deleted(sender, instance, **kwargs):
    _households_add(_station_of_village(instance.village_id), -1)


def connect() -> None:
    """Called from ``BillingConfig.ready``."""
    agreement = global_apps.get_model("billing", "Agreement")
    customer = global_apps.get_model("registry", "Customer")
    pre_save.connect(_agreement_before, sender=agreement, dispatch_uid="billing_kpis_agreement_before")
    post_save.connect(_agreement_saved, sender=agreement, dispatch_uid="billing_kpis_agreement_saved")
    post_delete.connect(_agreement_deleted, sender=agreement, dispatch_uid="billing_kpis_agreement_deleted")
    pre_save.connect(_customer_before, sender=customer, dispatch_uid="billing_kpis_customer_before")
    post_save.connect(_customer_saved, sender=customer, dispatch_uid="billing_kpis_customer_saved")
    post_delete.connect(_customer_deleted, sender=customer, dispatch_uid="billing_kpis_customer_deleted")


# Reads


def signup_kpis(user, months: list[datetime.date]) -> list[dict]:
    """Per visible station and month: households, signed households (agreements signed by the
    month's end and not cancelled by then), signed-up rate and the gap to the 80% target — summed
    from ``SignupMonth`` (a row per station and month)."""
    if not months:
        return []
    station_model = global_apps.get_model("registry", "SupplyStation")
    months_model = global_apps.get_model("billing", "SignupMonth")
    households_model = global_apps.get_model("billing", "StationHouseholds")
    stations = visible(user, station_model.objects.order_by("code"))
    households = dict(households_model.objects.values_list("station_id", "households"))
    changes: dict[int, list[tuple]] = {}
    for station_id, month, net in (
        months_model.objects.filter(month__lte=max(months))
        .values_list("station_id", "month")
        .annotate(net=Sum("net_signed"))
        .order_by("station_id", "month")
    ):
        changes.setdefault(station_id, []).append((month, net))
    rows = []
    for station in stations:
        total = households.get(station.pk, 0)
        cells = []
        for month in months:
            signed = sum(net for changed, net in changes.get(station.pk, ()) if changed <= month)
            rate = (Decimal(signed) / total).quantize(Decimal("0.001")) if total else None
            cells.append(
                {
                    "month": month,
                    "signed": signed,
                    "rate": rate,
                    "on_target": rate is not None and rate >= SIGNUP_TARGET,
                }
            )
        rows.append({"station": station, "households": total, "months": cells})
    return rows
