"""Writes of the care schedule: when each tagged household is next due a visit
(``CareSchedule``) and how many fall due per station and day (``CareDueCount``).

The rows are derived data; every change goes through ``care_schedule_refresh`` (one household or
a few: a visit recorded, tags or village changed, a station's plan changed), so the per-day counts
move with the rows. ``care_schedule_sync`` catches up with households and visits written outside
the services (bulk loads, the admin) — a beat job every minute; the care pages only read — and ``care_schedule_rebuild``
recomputes everything (the data migration, the demo, the morning job).

Every function takes an optional app registry so that the data migration runs the same code
against its historical models.
"""

import json
from collections import Counter
from collections.abc import Iterable

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models import Count, F, Max

from powerexpress.outreach.calc import interval_for, next_visit_due
from powerexpress.outreach.choices import DEFAULT_VISIT_DAYS

CHUNK = 500
MARK_PK = 1  # the one row of CareScheduleMark


class _Models:
    def __init__(self, registry=None):
        registry = registry or global_apps
        self.customer = registry.get_model("registry", "Customer")
        self.visit = registry.get_model("outreach", "CareVisit")
        self.plan = registry.get_model("outreach", "VisitPlan")
        self.schedule = registry.get_model("outreach", "CareSchedule")
        self.count = registry.get_model("outreach", "CareDueCount")
        self.mark = registry.get_model("outreach", "CareScheduleMark")


def visit_plans(registry=None) -> dict[int | None, dict[str, int]]:
    """Visit interval per care tag for each station with a plan of its own (over the defaults),
    and under ``None`` the defaults for the other stations."""
    plans: dict[int | None, dict[str, int]] = {None: dict(DEFAULT_VISIT_DAYS)}
    rows = _Models(registry).plan.objects.order_by("station_id", "tag")
    for station, tag, days in rows.values_list("station_id", "tag", "interval_days"):
        plans.setdefault(station, dict(DEFAULT_VISIT_DAYS))[tag] = days
    return plans


def _fingerprint(plans: dict[int | None, dict[str, int]]) -> str:
    return json.dumps(sorted((station or 0, sorted(days.items())) for station, days in plans.items()))


def _rows(models: _Models, customer_ids: list[int], plans) -> list:
    """The schedule rows of these households (those with no planned tag get none)."""
    last_visits = dict(
        models.visit.objects.filter(customer_id__in=customer_ids)
        .values_list("customer_id")
        .annotate(last=Max("visited_on"))
        .order_by()
    )
    rows = []
    customers = (
        models.customer.objects.filter(pk__in=customer_ids)
        .exclude(tags="")
        .values_list("pk", "account_no", "village_id", "village__station_id", "tags")
    )
    for pk, account_no, village_id, station_id, tags in customers:
        days = interval_for([tag for tag in tags.split(",") if tag], plans.get(station_id, plans[None]))
        if days is None:
            continue
        last = last_visits.get(pk)
        rows.append(
            models.schedule(
                customer_id=pk,
                station_id=station_id,
                village_id=village_id,
                account_no=account_no,
                interval_days=days,
                last_visited_on=last,
                visited=last is not None,
                next_due_on=next_visit_due(last, days),
            )
        )
    return rows


def _apply_counts(models: _Models, delta: Counter) -> None:
    for (station_id, due_on), change in delta.items():
        if not change:
            continue
        day = models.count.objects.filter(station_id=station_id, next_due_on=due_on)
        if due_on is None:
            day = models.count.objects.filter(station_id=station_id, next_due_on__isnull=True)
        if not day.update(households=F("households") + change):
            models.count.objects.create(station_id=station_id, next_due_on=due_on, households=change)
    models.count.objects.filter(households=0).delete()


def care_schedule_refresh(customer_ids: Iterable[int], *, registry=None) -> None:
    """Recompute the schedule of these households and move the per-day counts with it."""
    models = _Models(registry)
    ids = sorted(set(customer_ids))
    plans = visit_plans(registry)
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            current = models.schedule.objects.filter(customer_id__in=chunk)
            delta: Counter = Counter()
            for station_id, due_on in current.values_list("station_id", "next_due_on"):
                delta[(station_id, due_on)] -= 1
            rows = _rows(models, chunk, plans)
            for row in rows:
                delta[(row.station_id, row.next_due_on)] += 1
            current.delete()
            models.schedule.objects.bulk_create(rows)
            _apply_counts(models, delta)


def care_schedule_refresh_station(station_id: int, *, registry=None) -> None:
    """After a change of the station's visit plan: every tagged household of the station."""
    models = _Models(registry)
    ids = models.customer.objects.filter(village__station_id=station_id).exclude(tags="")
    care_schedule_refresh(ids.values_list("pk", flat=True), registry=registry)
    models.mark.objects.update(plans=_fingerprint(visit_plans(registry)))


def care_schedule_refresh_villages(village_ids: Iterable[int], *, registry=None) -> None:
    """After villages changed (a village moved to another station): their tagged households."""
    models = _Models(registry)
    ids = models.customer.objects.filter(village_id__in=list(village_ids)).exclude(tags="")
    care_schedule_refresh(ids.values_list("pk", flat=True), registry=registry)


def care_schedule_rebuild(*, registry=None) -> int:
    """Recompute every schedule row and count from the households, visits and plans; returns the
    number of scheduled households."""
    models = _Models(registry)
    with transaction.atomic():
        models.mark.objects.get_or_create(pk=MARK_PK)
        return _rebuild(models, models.mark.objects.select_for_update().get(pk=MARK_PK), registry)


def _rebuild(models: _Models, mark, registry) -> int:
    plans = visit_plans(registry)
    customer_max = models.customer.objects.aggregate(n=Max("pk"))["n"] or 0
    visit_max = models.visit.objects.aggregate(n=Max("pk"))["n"] or 0
    models.schedule.objects.all().delete()
    models.count.objects.all().delete()
    ids = list(models.customer.objects.exclude(tags="").order_by("pk").values_list("pk", flat=True))
    total = 0
    for start in range(0, len(ids), CHUNK):
        rows = _rows(models, ids[start : start + CHUNK], plans)
        models.schedule.objects.bulk_create(rows)
        total += len(rows)
    grouped = (
        models.schedule.objects.values_list("station_id", "next_due_on").annotate(n=Count("pk")).order_by()
    )
    models.count.objects.bulk_create(
        [models.count(station_id=s, next_due_on=d, households=n) for s, d, n in grouped]
    )
    mark.customer_max_id, mark.visit_max_id, mark.plans = customer_max, visit_max, _fingerprint(plans)
    mark.save()
    return total


def care_schedule_sync(*, registry=None) -> None:
    """Catch up with households and visits added since the last look (and rebuild when the plans
    differ from those the schedule was built with). Four small reads when nothing changed; while
    another request is catching up, this one reads the schedule as it stands instead of waiting."""
    models = _Models(registry)
    plans = _fingerprint(visit_plans(registry))
    customer_max = models.customer.objects.aggregate(n=Max("pk"))["n"] or 0
    visit_max = models.visit.objects.aggregate(n=Max("pk"))["n"] or 0
    mark = models.mark.objects.filter(pk=MARK_PK).first()
    if mark is not None and (mark.customer_max_id, mark.visit_max_id, mark.plans) == (
        customer_max,
        visit_max,
        plans,
    ):
        return
    with transaction.atomic():
        models.mark.objects.get_or_create(pk=MARK_PK)
        mark = models.mark.objects.select_for_update(skip_locked=True).filter(pk=MARK_PK).first()
        if mark is None:  # locked: another request is catching up
            return
        if mark.plans != plans:
            _rebuild(models, mark, registry)
            return
        ids = set(
            models.customer.objects.filter(pk__gt=mark.customer_max_id, pk__lte=customer_max)
            .exclude(tags="")
            .values_list("pk", flat=True)
        )
        ids.update(
            models.visit.objects.filter(pk__gt=mark.visit_max_id, pk__lte=visit_max).values_list(
                "customer_id", flat=True
            )
        )
        care_schedule_refresh(ids, registry=registry)
        mark.customer_max_id = max(mark.customer_max_id, customer_max)
        mark.visit_max_id = max(mark.visit_max_id, visit_max)
        mark.save()
