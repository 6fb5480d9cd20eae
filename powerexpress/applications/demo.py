"""Demo applications on the demo county: a realistic mix of kinds and steps, some overdue.

Deterministic from the seed, idempotent (tracking numbers ``YKDEMO…``), written with bulk_create.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from powerexpress.applications.calendar import add_working_days
from powerexpress.applications.choices import (
    DEFAULT_TIME_LIMITS,
    KIND_EXAMPLES,
    MAIN_STEPS,
    ApplicationKind,
    ApplicationSource,
    ApplicationStatus,
)
from powerexpress.applications.models import ApplianceLine, Application, ApplicationEvent
from powerexpress.core.validators import id_check_character
from powerexpress.registry.models import Village

PREFIX = "YKDEMO"
SURNAMES = "杨吴龙田姚张刘李王陈"
GIVEN = ("永国", "秀英", "建明", "光辉", "春花", "德贵", "小芳", "国华", "明珍", "志强")
KIND_WEIGHTS = (
    (ApplicationKind.RESIDENTIAL, 5),
    (ApplicationKind.AGRICULTURAL, 3),
    (ApplicationKind.NON_RESIDENTIAL, 2),
    (ApplicationKind.CAPACITY_INCREASE, 2),
    (ApplicationKind.TEMPORARY, 1),
)


def _id_number(rng: random.Random) -> str:
    first17 = f"522223{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first17 + id_check_character(first17)


def applications_demo_exists() -> bool:
    return Application.objects.filter(tracking_no__startswith=PREFIX).exists()


def applications_demo_build(*, seed: int = 20261127, count: int = 120) -> int:
    """Create ``count`` demo applications; returns how many were created (0 when already there)."""
    if applications_demo_exists():
        return 0
    villages = list(
        Village.objects.select_related("station").prefetch_related("transformers").order_by("code")[:300]
    )
    if not villages:
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    kinds = [kind for kind, weight in KIND_WEIGHTS for _ in range(weight)]
    applications, lines, events = [], [], []
    for index in range(count):
        village = rng.choice(villages)
        kind = rng.choice(kinds)
        received_on = today - datetime.timedelta(days=rng.randint(0, 40))
        plan_days, install_days, _verify = DEFAULT_TIME_LIMITS[kind]
        plan_due = add_working_days(received_on, plan_days)
        connect_due = add_working_days(plan_due.on, install_days)
        steps_done = rng.choices(range(len(MAIN_STEPS)), weights=(5, 4, 3, 1, 2, 6))[0]
        status = MAIN_STEPS[steps_done]
        if rng.random() < 0.05:
            status = rng.choice((ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN))
        examples = KIND_EXAMPLES[kind]
        appliance = [(str(name), quantity, Decimal(kw)) for name, quantity, kw in examples]
        connected = sum((kw * quantity for _name, quantity, kw in appliance), Decimal("0"))
        transformers = list(village.transformers.all())
        closed = status in (
            ApplicationStatus.CONNECTED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        )
        received_at = timezone.make_aware(
            datetime.datetime.combine(received_on, datetime.time(9 + index % 8, 0))
        )
        applications.append(
            Application(
                tracking_no=f"{PREFIX}{index + 1:04d}",
                kind=kind,
                status=status,
                source=ApplicationSource.COUNTER,
                station=village.station,
                village=village,
                applicant_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                id_number=_id_number(rng),
                phone=f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
                address=f"{rng.randint(1, 9)}组{rng.randint(1, 60)}号",
                requested_kw=(connected * Decimal("1.2")).quantize(Decimal("0.1")),
                connected_kw=connected,
                documents=["id_card"],
                transformer=rng.choice(transformers) if transformers and steps_done else None,
                plan_due_on=plan_due.on,
                connect_due_on=connect_due.on,
                due_on=None if closed else (plan_due.on if steps_done < 2 else connect_due.on),
                due_dates_estimated=plan_due.estimated or connect_due.estimated,
                closed_at=received_at + datetime.timedelta(days=5) if closed else None,
            )
        )
        reached = list(MAIN_STEPS[: steps_done + 1]) + ([status] if status not in MAIN_STEPS else [])
        previous = ""
        for step_index, step in enumerate(reached):
            events.append((index, previous, step, received_at + datetime.timedelta(days=step_index)))
            previous = step
        for position, (name, quantity, kw) in enumerate(appliance):
            lines.append((index, position, name, quantity, kw))
    with transaction.atomic():
        Application.objects.bulk_create(applications)
        saved = list(Application.objects.filter(tracking_no__startswith=PREFIX).order_by("tracking_no"))
        ApplianceLine.objects.bulk_create(
            [
                ApplianceLine(application=saved[i], position=p, name=n, quantity=q, kw_each=kw)
                for i, p, n, q, kw in lines
            ]
        )
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(application=saved[i], from_status=before, to_status=step)
                for i, before, step, _at in events
            ]
        )
        _backdate(saved, events)
    return len(saved)


def _backdate(saved: list[Application], events: list) -> None:
    """``received_at`` and ``at`` are set to now on creation: put the demo steps back on their days."""
    stamps: dict[int, list] = {}
    for index, _before, _step, at in events:
        stamps.setdefault(index, []).append(at)
    for index, application in enumerate(saved):
        Application.objects.filter(pk=application.pk).update(received_at=stamps[index][0])
        for event, at in zip(application.events.order_by("id"), stamps[index], strict=True):
            ApplicationEvent.objects.filter(pk=event.pk).update(at=at)
