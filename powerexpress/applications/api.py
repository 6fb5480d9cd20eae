"""Applications API.

Public (no sign-in, rate-limited per client):
  POST /api/v1/applications               submit; 201 {tracking_no, status, connected_kw, plan_due_on, connect_due_on}
  GET  /api/v1/applications/{no}?phone=   progress for the applicant (404 unless the phone matches)
Staff (token or session, own station only):
  GET  /api/v1/applications               list, ?status=&overdue=true&kind=&station=&q=
  POST /api/v1/applications/{no}/steps    move to the next step
"""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from powerexpress.applications.choices import ApplicationSource, ApplicationStatus
from powerexpress.applications.links import track_path
from powerexpress.applications.models import Application
from powerexpress.applications.permissions import can_move
from powerexpress.applications.selectors import (
    application_filterset,
    application_public_get,
    application_steps,
    due_dates_note,
)
from powerexpress.applications.services import STEP_SERVICES, application_submit, format_yuan
from powerexpress.applications.validation import format_kw
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.filters import filtered_or_422
from powerexpress.core.masking import mask_id_number, mask_phone
from powerexpress.core.pagination import LimitOffsetPagination
from powerexpress.core.scope import MappedQuerySet, get_visible_or_404
from powerexpress.core.throttle import public_rate_limit_check
from powerexpress.registry.models import TransformerDistrict

router = Router(tags=["applications"])


class ApplianceIn(Schema):
    name: str = Field(..., examples=["水泵"])
    quantity: int = Field(..., examples=[1])
    kw: Decimal = Field(..., examples=["5.5"])


class ApplicationIn(Schema):
    kind: str = Field(..., examples=["agricultural"])
    applicant_name: str = Field(..., examples=["杨永国"])
    id_number: str = Field(..., examples=["52222319800101123X"])
    phone: str = Field(..., examples=["13812345678"])
    village: str = Field(..., examples=["XD001"])
    address: str = Field(..., examples=["老寨村3组 河边水田"])
    requested_kw: Decimal = Field(..., examples=["6"])
    appliances: list[ApplianceIn]
    business_name: str = ""
    purpose: str = ""
    supply_until: str = ""
    account_no: str = ""
    documents: list[str] = []


class ApplicationCreatedOut(Schema):
    tracking_no: str
    status: str
    connected_kw: str
    plan_due_on: str
    connect_due_on: str
    due_dates_estimated: bool
    due_dates_note: str


class StepOut(Schema):
    status: str
    label: str
    at: datetime.datetime | None
    notes: str


class ApplicationProgressOut(Schema):
    tracking_no: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    village: str
    received_at: datetime.datetime
    requested_kw: str
    connected_kw: str
    fee_yuan: str
    plan_due_on: str
    connect_due_on: str
    due_dates_estimated: bool
    due_dates_note: str
    status_url: str
    steps: list[StepOut]


class ApplicationListOut(Schema):
    tracking_no: str
    kind: str
    status: str
    station: str
    village: str
    applicant_name: str
    id_number: str
    phone: str
    requested_kw: str
    connected_kw: str
    transformer: str | None
    due_on: str | None
    overdue: bool


class ApplicationFilter(Schema):
    status: ApplicationStatus | None = None
    overdue: bool | None = None
    q: str | None = Field(None, description="search: tracking number, applicant's name, village")
    station: str | None = Field(None, description="station code")
    kind: str | None = Field(None, description="application kind")


class StepIn(Schema):
    to_status: ApplicationStatus
    notes: str = ""
    transformer: str | None = None
    fee_fen: int = Field(0, ge=0)
    acknowledge_headroom: bool = False


def _created_out(application: Application) -> dict:
    return {
        "tracking_no": application.tracking_no,
        "status": application.status,
        "connected_kw": format_kw(application.connected_kw),
        "plan_due_on": application.plan_due_on.isoformat(),
        "connect_due_on": application.connect_due_on.isoformat(),
        "due_dates_estimated": application.due_dates_estimated,
        "due_dates_note": due_dates_note(application),
    }


def progress_out(application: Application) -> dict:
    return {
        "tracking_no": application.tracking_no,
        "kind": application.kind,
        "kind_label": application.get_kind_display(),
        "status": application.status,
        "status_label": application.get_status_display(),
        "village": application.village.name,
        "received_at": application.received_at,
        "requested_kw": format_kw(application.requested_kw),
        "connected_kw": format_kw(application.connected_kw),
        "fee_yuan": format_yuan(application.fee_fen),
        "plan_due_on": application.plan_due_on.isoformat(),
        "connect_due_on": application.connect_due_on.isoformat(),
        "due_dates_estimated": application.due_dates_estimated,
        "due_dates_note": due_dates_note(application),
        "status_url": track_path(application.tracking_no),
        "steps": [
            {"status": s["status"], "label": str(s["label"]), "at": s["at"], "notes": s["notes"]}
            for s in application_steps(application)
            if s["done"]
        ],
    }


def _list_out(application: Application) -> dict:
    today = timezone.localdate()
    return {
        "tracking_no": application.tracking_no,
        "kind": application.kind,
        "status": application.status,
        "station": application.station.code,
        "village": application.village.code,
        "applicant_name": application.applicant_name,
        "id_number": mask_id_number(application.id_number),
        "phone": mask_phone(application.phone),
        "requested_kw": format_kw(application.requested_kw),
        "connected_kw": format_kw(application.connected_kw),
        "transformer": application.transformer.code if application.transformer_id else None,
        "due_on": application.due_on.isoformat() if application.due_on else None,
        "overdue": bool(application.due_on and application.due_on < today),
    }


@router.post("/applications", auth=None, response={201: ApplicationCreatedOut})
def submit_application(
    request, data: ApplicationIn, idempotency_key: str = Header("", alias="Idempotency-Key")
):
    public_rate_limit_check(request, "applications:submit")
    application, _created = application_submit(
        raw=data.dict(), source=ApplicationSource.API, idempotency_key=idempotency_key
    )
    return Status(201, _created_out(application))


@router.get("/applications/{tracking_no}", auth=None, response=ApplicationProgressOut)
def get_application_progress(request, tracking_no: str, phone: str = ""):
    public_rate_limit_check(request, "applications:track")
    application = application_public_get(tracking_no, phone)
    if application is None:
        raise ApiError(
            _("No application with this tracking number and mobile number."), status=404, code="not_found"
        )
    return progress_out(application)


@router.get("/applications", response=list[ApplicationListOut])
@paginate(LimitOffsetPagination)
def list_applications(request, filters: Query[ApplicationFilter]):
    queryset = filtered_or_422(application_filterset(request, filters.dict()))
    return MappedQuerySet(queryset, _list_out)


@router.post("/applications/{tracking_no}/steps", response=ApplicationProgressOut)
def move_application(request, tracking_no: str, data: StepIn):
    application = get_visible_or_404(request.user, Application.objects.all(), tracking_no=tracking_no)
    if not can_move(request.user):
        raise ApiError(_("Your role cannot move applications."), status=403, code="forbidden")
    kwargs = {"user": request.user, "application": application, "notes": data.notes}
    if data.to_status == ApplicationStatus.SURVEYED and data.transformer:
        transformer = TransformerDistrict.objects.filter(code=data.transformer).first()
        if transformer is None:
            raise FieldError({"transformer": _("No transformer district with this code.")})
        kwargs["transformer"] = transformer
    if data.to_status == ApplicationStatus.PLAN_REPLIED:
        kwargs.update(fee_fen=data.fee_fen, acknowledge_headroom=data.acknowledge_headroom)
    service = STEP_SERVICES.get(data.to_status)
    if service is None:
        raise FieldError({"to_status": _("Choose a next step.")})
    return progress_out(service(**kwargs))
