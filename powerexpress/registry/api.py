"""Registry API: stations, villages, transformer districts, customers (and the other kinds).

Contract (relied on by other capabilities and outside integrators): references are by code
or account number; personal data is masked unless ``?reveal=1`` is asked by a role holding
``view_personal_data``, and every reveal is audited.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from powerexpress.accounts.roles import VIEW_PERSONAL_DATA
from powerexpress.core.audit import audit_record
from powerexpress.core.errors import ApiError
from powerexpress.core.masking import mask_id_number, mask_phone
from powerexpress.core.models import AuditAction
from powerexpress.core.scope import MappedQuerySet, get_visible_or_404
from powerexpress.registry.choices import AreaClass, ConnectionGroup, CustomerTag, Phase
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


class CustomerFilter(CommonFilter):
    village: str | None = None
    transformer: str | None = None
    phase: Phase | None = None
    tag: CustomerTag | None = None


# Stations


@router.get("/stations", response=list[StationOut])
@paginate(LimitOffsetPagination)
def list_stations(request, filters: Query[CommonFilter]):
    return _filtered(request, "stations", filters.dict())


@router.get("/stations/{code}", response=StationOut)
def get_station(request, code: str):
    return get_visible_or_404(request.user, QUERYSETS["stations"](), code=code)


@router.post("/stations", response={201: StationOut})
def create_station(request, data: StationIn):
    return Status(201, registry_save(user=request.user, kind="stations", raw=_payload(data)))


@router.patch("/stations/{code}", response=StationOut)
def update_station(request, code: str, data: StationIn):
    station = get_visible_or_404(request.user, QUERYSETS["stations"](), code=code)
    return registry_save(user=request.user, kind="stations", raw=_payload(data), instance=station)


# Villages


@router.get("/villages", response=list[VillageOut])
@paginate(LimitOffsetPagination)
def list_villages(request, filters: Query[VillageFilter]):
    return _filtered(request, "villages", filters.dict())


@router.get("/villages/{code}", response=VillageOut)
def get_village(request, code: str):
    return get_visible_or_404(request.user, QUERYSETS["villages"](), code=code)


@router.post("/villages", response={201: VillageOut})
def create_village(request, data: VillageIn):
    return Status(201, registry_save(user=request.user, kind="villages", raw=_payload(data)))


@router.patch("/villages/{code}", response=VillageOut)
def update_village(request, code: str, data: VillageIn):
    village = get_visible_or_404(request.user, QUERYSETS["villages"](), code=code)
    return registry_save(user=request.user, kind="villages", raw=_payload(data), instance=village)


# Transformer districts


@router.get("/transformers", response=list[TransformerOut])
@paginate(LimitOffsetPagination)
def list_transformers(request, filters: Query[TransformerFilter]):
    return _filtered(request, "transformers", filters.dict())


@router.get("/transformers/{code}", response=TransformerOut)
def get_transformer(request, code: str):
    return get_visible_or_404(request.user, QUERYSETS["transformers"](), code=code)


@router.post("/transformers", response={201: TransformerOut})
def create_transformer(request, data: TransformerIn):
    return Status(201, registry_save(user=request.user, kind="transformers", raw=_payload(data)))


@router.patch("/transformers/{code}", response=TransformerOut)
def update_transformer(request, code: str, data: TransformerIn):
    transformer = get_visible_or_404(request.user, QUERYSETS["transformers"](), code=code)
    return registry_save(user=request.user, kind="transformers", raw=_payload(data), instance=transformer)


# Customers


@router.get("/customers", response=list[CustomerOut])
@paginate(LimitOffsetPagination)
def list_customers(request, filters: Query[CustomerFilter]):
    return MappedQuerySet(_filtered(request, "customers", filters.dict()), customer_out)


@router.get("/customers/{account_no}", response=CustomerOut)
def get_customer(request, account_no: str, reveal: bool = False):
    customer = get_visible_or_404(request.user, QUERYSETS["customers"](), account_no=account_no)
    if reveal:
        if not request.user.has_perm(VIEW_PERSONAL_DATA):
            raise ApiError(_("You may not view unmasked personal data."), status=403, code="forbidden")
        audit_record(user=request.user, action=AuditAction.REVEAL, object_type="customer",
                     object_ref=customer.account_no, fields=("id_number", "phone"), request=request)
    return customer_out(customer, reveal=reveal)


@router.post("/customers", response={201: CustomerOut})
def create_customer(request, data: CustomerIn):
    customer = registry_save(user=request.user, kind="customers", raw=_payload(data))
    return Status(201, customer_out(customer))


@router.patch("/customers/{account_no}", response=CustomerOut)
def update_customer(request, account_no: str, data: CustomerIn):
    customer = get_visible_or_404(request.user, QUERYSETS["customers"](), account_no=account_no)
    return customer_out(registry_save(user=request.user, kind="customers", raw=_payload(data), instance=customer))
