"""Fault repair API.

Public (no sign-in, rate limited per client): ``POST /faults`` (report; ``Idempotency-Key``
header makes a re-send return the same ticket with 200) and ``GET /faults/{number}?phone=``
(follow). Staff (token or session, station scope): ticket list, transitions, KPIs.
"""

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from powerexpress.accounts.models import User
from powerexpress.accounts.roles import Role
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.filters import filtered_or_422
from powerexpress.core.masking import mask_phone
from powerexpress.core.pagination import LimitOffsetPagination
from powerexpress.core.scope import MappedQuerySet, get_visible_or_404
from powerexpress.core.throttle import public_rate_limit_check
from powerexpress.repair.choices import FaultSource
from powerexpress.repair.models import FaultTicket
from powerexpress.repair.selectors import (
    can_work,
    repair_kpi_table,
    ticket_filterset,
    ticket_for_reporter,
    tickets_visible,
    village_for_report,
)
from powerexpress.repair.services import fault_report_errors, fault_report_submit, fault_ticket_transition

router = Router(tags=["repair"])


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value) if value else None


class FaultIn(Schema):
    village: str = Field(..., max_length=20, examples=["XD001"])
    phone: str = Field(..., max_length=20, examples=["13812345678"])
    description: str = Field(..., min_length=1, max_length=2000, examples=["整个寨子停电了，抽水泵不转"])
    account_no: str | None = Field(None, max_length=20, examples=["0602000001"])


class FaultOut(Schema):
    number: str
    status: str
    reported_at: datetime.datetime
    arrival_due_at: datetime.datetime
    restore_due_at: datetime.datetime | None


class FaultStepOut(Schema):
    status: str
    status_label: str
    at: datetime.datetime


class FaultFollowOut(FaultOut):
    status_label: str
    village: str
    village_name: str
    dispatched_at: datetime.datetime | None
    on_site_at: datetime.datetime | None
    restored_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    outage: str | None
    rating: int | None
    history: list[FaultStepOut]


class FaultStaffOut(FaultOut):
    status_label: str
    village: str
    station: str
    area_class: str
    phone: str
    account_no: str
    description: str
    source: str
    assignee: str | None
    outage: str | None
    rating: int | None


class TransitionIn(Schema):
    status: str = Field(..., examples=["dispatched"])
    notes: str = Field("", max_length=2000)
    assignee: str | None = Field(None, description="username of the crew member (for dispatched)")
    duplicate_of: str | None = Field(None, description="number of the other ticket (for duplicate)")


class KpiOut(Schema):
    station: str
    station_name: str
    area_class: str
    tickets: int
    open_count: int
    overdue_count: int
    on_time_arrival_pct: float | None
    arrival_median_min: float | None
    arrival_p90_min: float | None
    restoration_median_min: float | None
    restoration_p90_min: float | None
    ratings_count: int
    satisfaction_avg: float | None


class FaultFilter(Schema):
    status: str = Field("", description="a status, or 'open'")
    village: str = ""
    overdue: bool = False
    q: str = Field("", description="search: number, village, household, account, last digits of the phone")


def fault_out(ticket: FaultTicket) -> dict:
    return {
        "number": ticket.number,
        "status": ticket.status,
        "reported_at": _local(ticket.reported_at),
        "arrival_due_at": _local(ticket.arrival_due_at),
        "restore_due_at": _local(ticket.restore_due_at),
    }


def fault_staff_out(ticket: FaultTicket) -> dict:
    return fault_out(ticket) | {
        "status_label": ticket.get_status_display(),
        "village": ticket.village.code,
        "station": ticket.station.code,
        "area_class": ticket.area_class,
        "phone": mask_phone(ticket.phone),
        "account_no": ticket.account_no,
        "description": ticket.description,
        "source": ticket.source,
        "assignee": ticket.assignee.username if ticket.assignee else None,
        "outage": ticket.outage.number if ticket.outage else None,
        "rating": ticket.rating,
    }


@router.post("/faults", auth=None, response={200: FaultOut, 201: FaultOut}, summary="Report a fault (public)")
def fault_report(request, payload: FaultIn):
    public_rate_limit_check(request, "repair.fault_report")
    village = village_for_report(payload.village, payload.phone)
    if village is None:
        raise FieldError(
            fault_report_errors(
                village=None,
                phone=payload.phone,
                description=payload.description,
                source=FaultSource.API,
                village_message=_("No village has this code."),
            )
        )
    ticket, created = fault_report_submit(
        village=village,
        phone=payload.phone,
        description=payload.description,
        account_no=payload.account_no,
        source=FaultSource.API,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return Status(201 if created else 200, fault_out(ticket))


@router.get("/faults/{number}", auth=None, response=FaultFollowOut, summary="Follow a fault report (public)")
def fault_follow(request, number: str, phone: str):
    public_rate_limit_check(request, "repair.fault_follow")
    ticket = ticket_for_reporter(number, phone)
    if ticket is None:
        raise Http404
    history = [
        {"status": e.to_status, "status_label": e.get_to_status_display(), "at": _local(e.at)}
        for e in ticket.events.all()
    ]
    return fault_out(ticket) | {
        "status_label": ticket.get_status_display(),
        "village": ticket.village.code,
        "village_name": ticket.village.name,
        "dispatched_at": _local(ticket.dispatched_at),
        "on_site_at": _local(ticket.on_site_at),
        "restored_at": _local(ticket.restored_at),
        "closed_at": _local(ticket.closed_at),
        "outage": ticket.outage.number if ticket.outage else None,
        "rating": ticket.rating,
        "history": history,
    }


@router.get("/repair/tickets", response=list[FaultStaffOut], summary="Fault tickets of the stations you see")
@paginate(LimitOffsetPagination)
def fault_list(request, filters: Query[FaultFilter]):
    tickets = filtered_or_422(ticket_filterset(request.user, filters.dict()))
    return MappedQuerySet(tickets, fault_staff_out)


@router.get("/repair/tickets/{number}", response=FaultStaffOut, summary="One fault ticket")
def fault_detail(request, number: str):
    return fault_staff_out(get_visible_or_404(request.user, tickets_visible(request.user), number=number))


@router.post("/repair/tickets/{number}/transitions", response=FaultStaffOut, summary="Move a ticket on")
def fault_transition(request, number: str, payload: TransitionIn):
    ticket = get_visible_or_404(request.user, tickets_visible(request.user), number=number)
    if not can_work(request.user, ticket):
        raise ApiError(_("You may not change this ticket."), status=403, code="forbidden")
    assignee = duplicate_of = None
    if payload.assignee:
        assignee = User.objects.filter(username=payload.assignee, role=Role.CREW).first()
        if assignee is None:
            raise FieldError({"assignee": _("No crew member has this user name.")})
    if payload.duplicate_of:
        duplicate_of = FaultTicket.objects.filter(number=payload.duplicate_of).first()
    ticket = fault_ticket_transition(
        ticket=ticket,
        to_status=payload.status,
        actor=request.user,
        notes=payload.notes,
        assignee=assignee,
        duplicate_of=duplicate_of,
    )
    return fault_staff_out(tickets_visible(request.user).get(pk=ticket.pk))


@router.get("/repair/kpis", response=list[KpiOut], summary="Repair KPIs per station and area class")
def fault_kpis(request, days: int = 90):
    since = timezone.now() - datetime.timedelta(days=max(1, min(days, 3660)))
    return [
        {
            "station": row["station"],
            "station_name": row["station_name"],
            "area_class": row["area_class"],
            **row["kpis"].__dict__,
        }
        for row in repair_kpi_table(request.user, since=since)
    ]
