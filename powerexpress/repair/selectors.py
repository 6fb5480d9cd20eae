"""Reads for fault repair: commitments, tickets by reporter, lists, and who may do what."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from powerexpress.accounts.models import User
from powerexpress.accounts.roles import (
    CHANGE_REPAIR_SETTINGS,
    DISPATCH_FAULTS,
    WORK_ASSIGNED_FAULTS,
    Role,
)
from powerexpress.analytics.repair_kpis import TicketTimes, repair_kpis
from powerexpress.core.scope import visible
from powerexpress.registry.choices import AreaClass, TeamKind
from powerexpress.registry.models import Customer, Team, Village
from powerexpress.repair.choices import (
    AWAITING_ARRIVAL,
    CREW_NEXT_STEP,
    CREW_STEP_ACTIONS,
    OPEN_STATUSES,
)
from powerexpress.repair.filters import FaultTicketFilterSet
from powerexpress.repair.models import FaultTicket, Outage, RepairSettings


def repair_settings_for(bureau_id: int) -> RepairSettings:
    """The bureau's commitments (created with the bureau; the model's defaults, unsaved, when the
    row is missing, so that a read never writes and saving it creates the row)."""
    return RepairSettings.objects.filter(bureau_id=bureau_id).first() or RepairSettings(bureau_id=bureau_id)


@dataclass(frozen=True)
class ReportRouting:
    """What a report at a village needs besides the village: the household registered with the
    reporter's mobile there (or None), the station's service team and the bureau's commitments."""

    phone: str
    customer: Customer | None
    team_id: int | None
    commitments: RepairSettings


def report_routing_for(village: Village, phone: str) -> ReportRouting:
    """The routing of a report at ``village`` from ``phone``, in three queries."""
    phone = phone.strip()
    team_id = (
        Team.objects.filter(station_id=village.station_id, kind=TeamKind.SERVICE)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return ReportRouting(
        phone=phone,
        customer=Customer.objects.filter(village=village, phone=phone).select_related("transformer").first(),
        team_id=team_id,
        commitments=repair_settings_for(village.station.bureau_id),
    )


def village_for_report(code: str, phone: str) -> Village | None:
    """The village of ``code`` with its station and, as ``village.report_routing``, everything a
    report from ``phone`` needs (see ``report_routing_for``), in one query: the hot path of the
    public report. None when no village has the code."""
    phone = phone.strip()
    service_team = Team.objects.filter(station=OuterRef("station_id"), kind=TeamKind.SERVICE).order_by("pk")
    village = (
        Village.objects.filter(code=code.strip())
        .annotate(
            reporter=FilteredRelation("customers", condition=Q(customers__phone=phone)),
            service_team_id=Subquery(service_team.values("pk")[:1]),
        )
        .select_related("station__bureau__repair_settings", "reporter__transformer")
        .order_by("reporter__pk")  # the reporter's first household, as report_routing_for
        .first()
    )
    if village is None:
        return None
    try:
        commitments = village.station.bureau.repair_settings
    except ObjectDoesNotExist:
        commitments = RepairSettings(bureau_id=village.station.bureau_id)
    village.report_routing = ReportRouting(  # type: ignore[attr-defined]
        phone=phone,
        customer=getattr(village, "reporter", None),
        team_id=village.service_team_id,  # type: ignore[attr-defined]
        commitments=commitments,
    )
    return village


def tickets_for_phone(phone: str) -> QuerySet:
    """The reporter's tickets, newest first (the portal's "follow my reports")."""
    return (
        FaultTicket.objects.filter(phone=phone.strip())
        .select_related("village", "station")
        .order_by("-reported_at", "-id")
    )


def ticket_for_reporter(number: str, phone: str) -> FaultTicket | None:
    """The ticket when ``phone`` is the one that reported it (else None: no hint that it exists)."""
    return (
        FaultTicket.objects.select_related("village", "station", "outage")
        .filter(number=number, phone=phone.strip())
        .first()
    )


def tickets_visible(user) -> QuerySet:
    return visible(user, FaultTicket.objects.select_related("village", "station", "assignee", "outage"))


def ticket_filterset(user, data) -> FaultTicketFilterSet:
    """The ticket list's filters (``status``, ``village``, ``overdue``, search ``q``) over the
    tickets the user may see."""
    return FaultTicketFilterSet(data, queryset=tickets_visible(user))


def tickets_filtered(user, *, status: str = "", village: str = "", overdue: bool = False) -> QuerySet:
    return ticket_filterset(user, {"status": status, "village": village, "overdue": overdue}).qs


def tickets_for_crew(user) -> QuerySet:
    """The crew member's own tickets still to work, most urgent first."""
    return tickets_visible(user).filter(assignee=user, status__in=OPEN_STATUSES).order_by("arrival_due_at")


def tickets_for_card(user) -> QuerySet:
    return (
        tickets_visible(user).select_related("village", "transformer", "customer").prefetch_related("notes")
    )


def crew_steps_after(status: str) -> list[tuple[str, str]]:
    """The crew's remaining steps from ``status`` as (value, label), next first."""
    steps = []
    while status in CREW_NEXT_STEP:
        status = CREW_NEXT_STEP[status]
        steps.append((str(status), str(CREW_STEP_ACTIONS[status])))
    return steps


def arrival_judgement(ticket: FaultTicket) -> str:
    """ "on_time" / "late" once the crew is on site (judged on the recorded arrival), else ""."""
    if ticket.on_site_at is None:
        return ""
    return "on_time" if ticket.on_site_at <= ticket.arrival_due_at else "late"


def offline_conflicts_for(user) -> list:
    """Actions the user's phone queued offline that could not be applied (shown, never dropped)."""
    from powerexpress.core.offline import offline_conflicts

    return offline_conflicts(user)


def outages_visible(user) -> QuerySet:
    return visible(user, Outage.objects.select_related("station", "transformer", "transformer__village"))


def outage_households(outage: Outage) -> QuerySet:
    """The households fed by the outage's transformer district: the list to notify."""
    return (
        Customer.objects.filter(transformer=outage.transformer)
        .select_related("village")
        .order_by("account_no")
    )


def can_dispatch(user) -> bool:
    return user.has_perm(DISPATCH_FAULTS)


def can_work(user, ticket: FaultTicket) -> bool:
    """Dispatchers move any visible ticket; a crew member moves the tickets assigned to them."""
    return can_dispatch(user) or (user.has_perm(WORK_ASSIGNED_FAULTS) and ticket.assignee_id == user.pk)


def can_manage_settings(user) -> bool:
    return user.has_perm(CHANGE_REPAIR_SETTINGS)


def crew_for_station(station_id: int) -> QuerySet:
    return User.objects.filter(station_id=station_id, role=Role.CREW, is_active=True).order_by("username")


def repair_kpi_table(user, *, since=None) -> list[dict]:
    """KPIs per station and area class (plus a station total), over the visible tickets."""
    tickets = tickets_visible(user)
    if since is not None:
        tickets = tickets.filter(reported_at__gte=since)
    groups: dict[tuple, list[TicketTimes]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in tickets.values(
        "station__code",
        "station__name",
        "area_class",
        "status",
        "reported_at",
        "arrival_due_at",
        "on_site_at",
        "restore_due_at",
        "restored_at",
        "rating",
    ):
        times = TicketTimes(
            reported_at=row["reported_at"],
            arrival_due_at=row["arrival_due_at"],
            on_site_at=row["on_site_at"],
            restore_due_at=row["restore_due_at"],
            restored_at=row["restored_at"],
            is_open=row["status"] in OPEN_STATUSES,
            awaiting_arrival=row["status"] in AWAITING_ARRIVAL,
            rating=row["rating"],
        )
        names[row["station__code"]] = row["station__name"]
        groups[(row["station__code"], row["area_class"])].append(times)
        groups[(row["station__code"], "")].append(times)
    now = timezone.now()
    labels = dict(AreaClass.choices)
    return [
        {
            "station": code,
            "station_name": names[code],
            "area_class": area,
            "area_label": labels.get(area, ""),
            "kpis": repair_kpis(rows, now),
        }
        for (code, area), rows in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1] != "", item[0][1])
        )
    ]
