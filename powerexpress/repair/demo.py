"""Demo fault tickets on the demo county: 30 days of repairs per station, some open right now,
two grouped outages and one announced planned outage. Deterministic from the seed."""

import datetime
import random
import secrets

from django.db import transaction
from django.utils import timezone

from powerexpress.accounts.models import User
from powerexpress.accounts.roles import Role
from powerexpress.registry.choices import TeamKind
from powerexpress.registry.models import Customer, SupplyStation, Team, TransformerDistrict, Village
from powerexpress.repair.choices import FaultSource, FaultStatus, OutageKind, OutageStatus
from powerexpress.repair.models import FaultEvent, FaultTicket, Outage
from powerexpress.repair.selectors import repair_settings_for

DEMO_KEY = "demo-"
PROBLEMS = [
    "整个寨子停电了",
    "抽水泵不转，家里没电",
    "电线被风刮断了",
    "漏电保护开关老是跳",
    "电压太低，电灯很暗",
    "电表箱冒烟",
    "变压器那边响了一声就停电了",
    "一组几户都没电",
    "树倒了压到电线",
    "入户线烧了",
]
MATERIALS = ["200 m 导线", "漏电保护开关 1 个", "熔断器 3 只", "接户线 30 m", "绝缘子 2 个"]
STEPS = [
    FaultStatus.DISPATCHED,
    FaultStatus.EN_ROUTE,
    FaultStatus.ON_SITE,
    FaultStatus.RESTORED,
    FaultStatus.CLOSED,
]
STAMPS = {
    FaultStatus.DISPATCHED: "dispatched_at",
    FaultStatus.EN_ROUTE: "en_route_at",
    FaultStatus.ON_SITE: "on_site_at",
    FaultStatus.RESTORED: "restored_at",
    FaultStatus.CLOSED: "closed_at",
}


def repair_demo_exists() -> bool:
    return FaultTicket.objects.filter(idempotency_key__startswith=DEMO_KEY).exists()


def repair_demo_reset() -> None:
    tickets = FaultTicket.objects.filter(idempotency_key__startswith=DEMO_KEY)
    outage_ids = set(tickets.exclude(outage__isnull=True).values_list("outage_id", flat=True))
    with transaction.atomic():
        FaultEvent.objects.filter(ticket__in=tickets).delete()
        tickets.delete()
        Outage.objects.filter(pk__in=outage_ids).delete()
        Outage.objects.filter(
            kind=OutageKind.PLANNED, created_by__isnull=True, reason__startswith="【演示】"
        ).delete()


def _minutes(rng: random.Random, commitment_min: int, late_share: float) -> float:
    if rng.random() < late_share:
        return commitment_min * rng.uniform(1.05, 1.6)
    return commitment_min * rng.uniform(0.25, 0.95)


def _ticket(rng, *, village, customer, reported_at, commitments, crew, team, status_limit, key):
    customer_id, account_no, phone, transformer_id = customer or (None, "", "", None)
    phone = phone or f"13{rng.randint(500000000, 999999999)}"
    ticket = FaultTicket(
        number=key[-30:],
        village=village,
        station_id=village.station_id,
        team=team,
        responsible_name=village.responsible_name,
        responsible_phone=village.responsible_phone,
        customer_id=customer_id,
        transformer_id=transformer_id,
        account_no=account_no,
        phone=phone,
        description=rng.choice(PROBLEMS),
        area_class=village.area_class,
        source=rng.choice([FaultSource.QR, FaultSource.QR, FaultSource.PORTAL, FaultSource.HOTLINE]),
        reported_at=reported_at,
        idempotency_key=key,
        rating_token=secrets.token_urlsafe(16),
        arrival_due_at=reported_at
        + datetime.timedelta(minutes=commitments.arrival_minutes(village.area_class)),
    )
    moments = {}
    at = reported_at + datetime.timedelta(minutes=rng.uniform(2, 12))
    moments[FaultStatus.DISPATCHED] = at
    at += datetime.timedelta(minutes=rng.uniform(1, 8))
    moments[FaultStatus.EN_ROUTE] = at
    arrival = _minutes(
        rng, commitments.arrival_minutes(village.area_class), 0.08 if village.area_class != "remote" else 0.15
    )
    moments[FaultStatus.ON_SITE] = max(
        at + datetime.timedelta(minutes=5), reported_at + datetime.timedelta(minutes=arrival)
    )
    restore = _minutes(rng, commitments.restore_minutes(village.area_class), 0.05)
    moments[FaultStatus.RESTORED] = moments[FaultStatus.ON_SITE] + datetime.timedelta(minutes=restore)
    moments[FaultStatus.CLOSED] = moments[FaultStatus.RESTORED] + datetime.timedelta(
        minutes=rng.uniform(10, 120)
    )
    events = [(None, FaultStatus.REPORTED, reported_at)]
    previous = FaultStatus.REPORTED
    for step in STEPS:
        if moments[step] > status_limit:
            break
        setattr(ticket, STAMPS[step], moments[step])
        events.append((previous, step, moments[step]))
        previous = step
    ticket.status = previous
    if ticket.on_site_at:
        ticket.restore_due_at = ticket.on_site_at + datetime.timedelta(
            minutes=commitments.restore_minutes(village.area_class)
        )
    if ticket.dispatched_at:
        ticket.assignee = crew
    if ticket.status == FaultStatus.CLOSED and rng.random() < 0.65:
        ticket.rating = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 9, 4, 2])[0]
        ticket.rating_comment = rng.choice(["", "", "师傅来得很快", "服务很好", "希望早点通知", "谢谢供电所"])
        ticket.rated_at = ticket.closed_at + datetime.timedelta(hours=rng.uniform(1, 20))
    return ticket, events


ESCALATION_DEMO_MINUTES = 3


def _add_escalating_soon(add, commitments, now) -> None:
    """One report, not yet dispatched, whose arrival deadline comes near ESCALATION_DEMO_MINUTES
    after the demo is built: a freshly started demo shows the escalation job mark it and tell the
    station head (docs/repair.md)."""
    village = (
        Village.objects.filter(station__code="XD", area_class="urban").order_by("code").first()
        or Village.objects.order_by("code").first()
    )
    if village is None:
        return
    lead = commitments.arrival_minutes(village.area_class) - commitments.warn_before_min
    reported_at = now - datetime.timedelta(minutes=max(lead - ESCALATION_DEMO_MINUTES, 0))
    team = Team.objects.filter(station=village.station, kind=TeamKind.SERVICE).first()
    add(village, None, reported_at, None, team, status_limit=reported_at)


def repair_demo_build(*, seed: int = 20261127, days: int = 30, per_station_per_day: float = 3.0) -> dict:
    """Create the demo tickets (call after the registry demo county exists)."""
    rng = random.Random(seed)
    now = timezone.now()
    stations = list(SupplyStation.objects.order_by("code"))
    if not stations:
        return {"tickets": 0, "outages": 0}
    commitments = repair_settings_for(stations[0].bureau_id)
    tickets, events_by_key, serial = [], {}, 0

    def add(village, customer, reported_at, crew, team, status_limit=now):
        nonlocal serial
        serial += 1
        ticket, events = _ticket(
            rng,
            village=village,
            customer=customer,
            reported_at=reported_at,
            commitments=commitments,
            crew=crew,
            team=team,
            status_limit=status_limit,
            key=f"{DEMO_KEY}{seed}-{serial:06d}",
        )
        tickets.append(ticket)
        events_by_key[ticket.idempotency_key] = events
        return ticket

    for station in stations:
        villages = list(Village.objects.filter(station=station).order_by("code"))
        team = Team.objects.filter(station=station, kind=TeamKind.SERVICE).first()
        crew = User.objects.filter(station=station, role=Role.CREW).order_by("pk").first()
        if not villages:
            continue
        by_village: dict[int, list[tuple]] = {}
        for village_id, *customer in (
            Customer.objects.filter(village__station=station)
            .order_by("pk")
            .values_list("village_id", "pk", "account_no", "phone", "transformer_id")
        ):
            by_village.setdefault(village_id, []).append(tuple(customer))
        for _index in range(int(days * per_station_per_day)):
            village = rng.choice(villages)
            households = by_village.get(village.pk, [])
            customer = rng.choice(households) if households and rng.random() < 0.7 else None
            reported_at = now - datetime.timedelta(minutes=rng.uniform(10, days * 24 * 60))
            add(village, customer, reported_at, crew, team)
    _add_escalating_soon(add, commitments, now)
    outages = []
    demo_transformers = list(
        TransformerDistrict.objects.filter(station__code="XD").select_related("village").order_by("code")[:3]
    )
    for offset_hours, open_now in ((72, False), (0.4, True)) if len(demo_transformers) == 3 else ():
        transformer = demo_transformers[0 if open_now else 1]
        households = list(
            Customer.objects.filter(transformer=transformer)
            .order_by("pk")
            .values_list("pk", "account_no", "phone", "transformer_id")[:5]
        )
        start = now - datetime.timedelta(hours=offset_hours)
        outage = Outage(
            number=f"T{timezone.localtime(start):%Y%m%d}{rng.randint(900000, 999999)}",
            station_id=transformer.station_id,
            transformer=transformer,
            kind=OutageKind.UNPLANNED,
            status=OutageStatus.OPEN if open_now else OutageStatus.RESTORED,
            suspected_device=str(transformer),
            started_at=start,
            last_report_at=start + datetime.timedelta(minutes=4 * len(households)),
            affected_households=Customer.objects.filter(transformer=transformer).count(),
        )
        crew = User.objects.filter(station_id=transformer.station_id, role=Role.CREW).order_by("pk").first()
        team = Team.objects.filter(station_id=transformer.station_id, kind=TeamKind.SERVICE).first()
        grouped = [
            add(transformer.village, customer, start + datetime.timedelta(minutes=4 * i), crew, team)
            for i, customer in enumerate(households)
        ]
        if not open_now:
            outage.restored_at = max(
                (t.restored_at for t in grouped if t.restored_at), default=start + datetime.timedelta(hours=2)
            )
        outages.append((outage, grouped))
    with transaction.atomic():
        for outage, grouped in outages:
            outage.save()
            for ticket in grouped:
                ticket.outage = outage
        FaultTicket.objects.bulk_create(tickets, batch_size=500)
        saved = {
            t.idempotency_key: t for t in FaultTicket.objects.filter(idempotency_key__startswith=DEMO_KEY)
        }
        for ticket in saved.values():
            ticket.number = f"F{timezone.localtime(ticket.reported_at):%Y%m%d}{ticket.pk:06d}"
        FaultTicket.objects.bulk_update(saved.values(), ["number"], batch_size=500)
        FaultEvent.objects.bulk_create(
            [
                FaultEvent(
                    ticket=saved[key],
                    from_status=source or "",
                    to_status=target,
                    at=at,
                    actor=saved[key].assignee
                    if target in (FaultStatus.EN_ROUTE, FaultStatus.ON_SITE, FaultStatus.RESTORED)
                    else None,
                )
                for key, events in events_by_key.items()
                for source, target, at in events
            ],
            batch_size=1000,
        )
        if len(demo_transformers) < 3:
            return {"tickets": len(tickets), "outages": len(outages)}
        transformer = demo_transformers[2]
        start = timezone.localtime(now + datetime.timedelta(days=10)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
        planned = Outage.objects.create(
            number=f"P{start:%Y%m%d}{rng.randint(900000, 999999)}",
            station_id=transformer.station_id,
            transformer=transformer,
            kind=OutageKind.PLANNED,
            status=OutageStatus.ANNOUNCED,
            suspected_device=str(transformer),
            reason="【演示】更换老旧导线，台区增容",
            affected_households=Customer.objects.filter(transformer=transformer).count(),
            started_at=start,
            planned_end_at=start + datetime.timedelta(hours=6),
            announced_at=now,
        )
    return {"tickets": len(tickets), "outages": len(outages) + bool(planned.pk)}
