"""Registry API: stations, villages, transformer districts, customers (and the other kinds).

Contract (relied on by other capabilities and outside integrators): references are by code
or account number; personal data is masked unless ``?reveal=1`` is asked by a role holding
``view_personal_data``, and every reveal is audited.
"""

import inspect
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from powerexpress.core.errors import ApiError
from powerexpress.core.masking import mask_id_number, mask_phone
from powerexpress.core.pagination import LimitOffsetPagination
from powerexpress.core.reveal import reveal_with_audit
from powerexpress.core.scope import MappedQuerySet, get_visible_or_404
from powerexpress.registry.choices import AreaClass, ConnectionGroup, CustomerTag, Phase, TeamKind
from powerexpress.registry.filters import FILTERSETS
from powerexpress.registry.selectors import QUERYSETS, registry_list
from powerexpress.registry.services import registry_save

router = Router(tags=["registry"])


class StationOut(Schema):
    code: str
    name: str
    address: str
    head_name: str


class StationIn(Schema):
    code: str | None = None
    name: str | None = None
    address: str | None = None
    head_name: str | None = None
    head_phone: str | None = None


class VillageOut(Schema):
    code: str
    name: str
    station: str = Field(..., alias="station.code")
    township: str | None = Field(None, alias="township.code")
    area_class: AreaClass
    responsible_name: str
    responsible_phone: str
    latitude: Decimal | None
    longitude: Decimal | None


class VillageIn(Schema):
    code: str | None = None
    name: str | None = None
    station: str | None = None
    township: str | None = None
    area_class: str | None = Field(None, examples=["rural"])
    responsible_name: str | None = None
    responsible_phone: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class TransformerOut(Schema):
    code: str
    name: str
    station: str = Field(..., alias="station.code")
    village: str = Field(..., alias="village.code")
    rated_kva: int
    connection_group: ConnectionGroup
    location: str
    commissioned_on: str | None = None

    @staticmethod
    def resolve_commissioned_on(obj):
        return obj.commissioned_on.isoformat() if obj.commissioned_on else None


class TransformerIn(Schema):
    code: str | None = None
    name: str | None = None
    station: str | None = None
    village: str | None = None
    rated_kva: int | None = Field(None, examples=[200])
    connection_group: str | None = Field(None, examples=["Dyn11"])
    location: str | None = None
    commissioned_on: str | None = None


class CustomerOut(Schema):
    account_no: str
    name: str
    id_number: str
    phone: str
    address: str
    village: str
    station: str
    transformer: str | None
    phase: Phase
    tags: list[CustomerTag]
    payment_method: str
    household_size: int
    shared_meter: bool
    closed_on: str | None = None


class CustomerIn(Schema):
    account_no: str | None = None
    name: str | None = None
    id_number: str | None = Field(None, examples=["52222319900307002X"])
    phone: str | None = Field(None, examples=["13812345678"])
    address: str | None = None
    village: str | None = None
    transformer: str | None = None
    phase: str | None = Field(None, examples=["A"])
    tags: list[str] | None = Field(None, examples=[["low_income"]])
    payment_method: str | None = None
    household_size: int | None = None
    shared_meter: bool | None = None
    closed_on: str | None = Field(None, examples=["2026-06-30"])


def customer_out(customer, *, reveal: bool = False) -> dict:
    return {
        "account_no": customer.account_no,
        "name": customer.name,
        "id_number": customer.id_number if reveal else mask_id_number(customer.id_number),
        "phone": customer.phone if reveal else mask_phone(customer.phone),
        "address": customer.address,
        "village": customer.village.code,
        "station": customer.village.station.code,
        "transformer": customer.transformer.code if customer.transformer_id else None,
        "phase": customer.phase,
        "tags": customer.tag_list,
        "payment_method": customer.payment_method,
        "household_size": customer.household_size,
        "shared_meter": customer.shared_meter,
        "closed_on": customer.closed_on.isoformat() if customer.closed_on else None,
    }


def _payload(data: Schema) -> dict:
    return data.dict(exclude_unset=True)


def _filtered(request, kind: str, filters: dict):
    queryset = registry_list(request.user, kind, q=filters.pop("q", "") or "")
    return FILTERSETS[kind]({k: v for k, v in filters.items() if v not in (None, "")}, queryset).qs


class CommonFilter(Schema):
    q: str | None = Field(None, description="Search text")
    station: str | None = Field(None, description="Station code")


class VillageFilter(CommonFilter):
    area_class: AreaClass | None = None
    township: str | None = None


class TransformerFilter(CommonFilter):
    village: str | None = None
    connection_group: ConnectionGroup | None = None


class TeamFilter(CommonFilter):
    kind: TeamKind | None = None


class CustomerFilter(CommonFilter):
    village: str | None = None
    transformer: str | None = None
    phase: Phase | None = None
    tag: CustomerTag | None = None


class TownshipOut(Schema):
    code: str
    name: str
    station: str = Field(..., alias="station.code")


class TownshipIn(Schema):
    code: str | None = None
    name: str | None = None
    station: str | None = None


class MeterOut(Schema):
    meter_no: str
    customer: str = Field(..., alias="customer.account_no")
    multiplier: int
    installed_on: str | None = None
    status: str

    @staticmethod
    def resolve_installed_on(obj):
        return obj.installed_on.isoformat() if obj.installed_on else None


class MeterIn(Schema):
    meter_no: str | None = None
    customer: str | None = None
    multiplier: int | None = None
    installed_on: str | None = None


class StaffOut(Schema):
    employee_no: str
    name: str
    station: str | None
    phone: str
    position: str

    @staticmethod
    def resolve_station(obj):
        return obj.station.code if obj.station_id else None

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class StaffIn(Schema):
    employee_no: str | None = None
    name: str | None = None
    station: str | None = None
    phone: str | None = None
    position: str | None = None


class TeamOut(Schema):
    code: str
    name: str
    station: str = Field(..., alias="station.code")
    kind: TeamKind
    responsible_unit: str
    responsible_person: str | None
    members: list[str]

    @staticmethod
    def resolve_responsible_person(obj):
        return obj.responsible_person.employee_no if obj.responsible_person_id else None

    @staticmethod
    def resolve_members(obj):
        return [member.employee_no for member in obj.members.all()]


class TeamIn(Schema):
    code: str | None = None
    name: str | None = None
    station: str | None = None
    kind: str | None = Field(None, examples=["service"])
    responsible_unit: str | None = None
    responsible_person: str | None = None
    members: list[str] | None = None


def register_kind(kind: str, path: str, key: str, schema_out, schema_in, filter_schema) -> None:
    """List, detail, create and update endpoints of one registry kind, all scoped and validated
    through the kind's spec."""

    @router.get(path, response=list[schema_out], operation_id=f"list_{kind}", summary=f"List {kind}")
    @paginate(LimitOffsetPagination)
    def list_items(request, filters: Query[filter_schema]):
        return _filtered(request, kind, filters.dict())

    def get_item(request, **lookup):
        return get_visible_or_404(request.user, QUERYSETS[kind](), **lookup)

    def update_item(request, data: schema_in, **lookup):
        instance = get_visible_or_404(request.user, QUERYSETS[kind](), **lookup)
        return registry_save(user=request.user, kind=kind, raw=_payload(data), instance=instance)

    key_param = inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=str)
    request_param = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    data_param = inspect.Parameter("data", inspect.Parameter.KEYWORD_ONLY, annotation=schema_in)
    get_item.__signature__ = inspect.Signature([request_param, key_param])
    update_item.__signature__ = inspect.Signature([request_param, data_param, key_param])
    router.get(
        f"{path}/{{{key}}}", response=schema_out, operation_id=f"get_{kind}", summary=f"Get one of {kind}"
    )(get_item)

    @router.post(
        path, response={201: schema_out}, operation_id=f"create_{kind}", summary=f"Create one of {kind}"
    )
    def create_item(request, data: schema_in):
        return Status(201, registry_save(user=request.user, kind=kind, raw=_payload(data)))

    router.patch(
        f"{path}/{{{key}}}",
        response=schema_out,
        operation_id=f"update_{kind}",
        summary=f"Update one of {kind}",
    )(update_item)


register_kind("stations", "/stations", "code", StationOut, StationIn, CommonFilter)
register_kind("townships", "/townships", "code", TownshipOut, TownshipIn, CommonFilter)
register_kind("villages", "/villages", "code", VillageOut, VillageIn, VillageFilter)
register_kind("transformers", "/transformers", "code", TransformerOut, TransformerIn, TransformerFilter)
register_kind("meters", "/meters", "meter_no", MeterOut, MeterIn, CommonFilter)
register_kind("staff", "/staff", "employee_no", StaffOut, StaffIn, CommonFilter)
register_kind("teams", "/teams", "code", TeamOut, TeamIn, TeamFilter)


# Customers


@router.get("/customers", response=list[CustomerOut])
@paginate(LimitOffsetPagination)
def list_customers(request, filters: Query[CustomerFilter]):
    return MappedQuerySet(_filtered(request, "customers", filters.dict()), customer_out)


@router.get("/customers/{account_no}", response=CustomerOut)
def get_customer(request, account_no: str, reveal: bool = False):
    customer = get_visible_or_404(request.user, QUERYSETS["customers"](), account_no=account_no)
    if reveal:
        reveal_with_audit(
            user=request.user,
            object_type="customer",
            object_ref=customer.account_no,
            fields=("id_number", "phone"),
            request=request,
            denied=ApiError(_("You may not view unmasked personal data."), status=403, code="forbidden"),
        )
    return customer_out(customer, reveal=reveal)


@router.post("/customers", response={201: CustomerOut})
def create_customer(request, data: CustomerIn):
    customer = registry_save(user=request.user, kind="customers", raw=_payload(data))
    return Status(201, customer_out(customer))


@router.patch("/customers/{account_no}", response=CustomerOut)
def update_customer(request, account_no: str, data: CustomerIn):
    customer = get_visible_or_404(request.user, QUERYSETS["customers"](), account_no=account_no)
    return customer_out(
        registry_save(user=request.user, kind="customers", raw=_payload(data), instance=customer)
    )
