"""Billing API: quotes (contract relied on by outside checks), tariff schedules, billing runs,
customers' bills, auto-debit agreements, debit batches and return files, KPIs."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile

from powerexpress.billing import selectors, services
from powerexpress.billing.permissions import require_billing_staff
from powerexpress.core.errors import FieldError
from powerexpress.core.masking import mask_bank_account
from powerexpress.core.scope import get_visible_or_404
from powerexpress.registry.models import Customer, SupplyStation

router = Router(tags=["billing"])

INLINE_EXAMPLE = {
    "cycle": "annual",
    "cycle_start_month": 1,
    "tiers": [
        {"up_to_kwh": "2040", "price_yuan_per_kwh": "0.4556"},
        {"up_to_kwh": "3120", "price_yuan_per_kwh": "0.5056"},
        {"up_to_kwh": None, "price_yuan_per_kwh": "0.7556"},
    ],
    "seasons": [
        {
            "months": [5, 6, 7, 8, 9, 10],
            "tiers": [
                {"up_to_kwh": "260", "price_yuan_per_kwh": "0.5953"},
                {"up_to_kwh": None, "price_yuan_per_kwh": "0.6453"},
            ],
        }
    ],
    "free_kwh_per_month": {"low_income": "10"},
    "shared_meter_price_yuan_per_kwh": "0.4556",
}


class QuoteIn(Schema):
    tariff: str | dict[str, Any] = Field(
        ...,
        description="A schedule code (e.g. guizhou-residential-annual) or an inline schedule: cycle "
        "(annual|monthly), cycle_start_month, tiers [{up_to_kwh (null for the last), "
        "price_yuan_per_kwh}], optional seasons [{months, tiers}], free_kwh_per_month "
        "{tag: kWh}, shared_meter_price_yuan_per_kwh. Decimals as strings.",
        examples=["guizhou-residential-annual", INLINE_EXAMPLE],
    )
    year_to_date_kwh: Decimal = Field(
        Decimal(0), description="kWh already used in this cycle before this bill", examples=["2000"]
    )
    kwh: Decimal = Field(..., description="This bill's kWh (at most 3 decimals)", examples=["100"])
    tags: list[str] = Field(default_factory=list, examples=[["low_income"]])
    date: datetime.date = Field(default_factory=timezone.localdate, examples=["2026-10-31"])
    shared_meter: bool = False
    household_size: int | None = Field(
        None,
        description="People in the household (optional): schedules with large-household bounds "
        "add their extra kWh from their min_size on",
        examples=[5],
    )


class QuoteLineOut(Schema):
    tier: int
    kwh: str
    price_yuan_per_kwh: str
    amount_yuan: str


class QuoteOut(Schema):
    amount_yuan: str
    lines: list[QuoteLineOut]
    free_kwh: str
    tier_after: int
    kwh_left_in_tier: str | None
    cycle_start: str


@router.post("/billing/quote", response=QuoteOut)
def quote(request, data: QuoteIn):
    result = services.tariff_quote(
        tariff=data.tariff,
        year_to_date_kwh=data.year_to_date_kwh,
        kwh=data.kwh,
        tags=data.tags,
        on_date=data.date,
        shared_meter=data.shared_meter,
        household_size=data.household_size,
    )
    return selectors.quote_out(result)


class TariffOut(Schema):
    code: str
    name: str
    version: int
    effective_from: datetime.date
    to_verify: bool
    residential_default: bool
    definition: dict[str, Any]


@router.get("/billing/tariffs", response=list[TariffOut])
def list_tariffs(request):
    return selectors.tariff_schedule_list()


@router.get("/billing/tariffs/{code}", response=TariffOut)
def get_tariff(request, code: str, date: datetime.date | None = None):
    schedule = selectors.tariff_schedule_get(code, date or timezone.localdate())
    if schedule is None:
        raise FieldError({"code": _("No tariff schedule with this code is in force on this date.")})
    return schedule


# Billing runs and bills


class RunIn(Schema):
    station: str = Field(..., examples=["XD"])
    month: str = Field(..., examples=["2026-10"])


class RunOut(Schema):
    id: int
    station: str = Field(..., alias="station.code")
    month: str
    status: str
    total_count: int
    processed_count: int
    bills_created: int
    adjustments_created: int
    held_count: int
    missing_count: int

    @staticmethod
    def resolve_month(obj):
        return f"{obj.month:%Y-%m}"


def _station(request, code: str) -> SupplyStation:
    return get_visible_or_404(request.user, SupplyStation.objects.all(), code=code)


@router.post("/billing/runs", response={201: RunOut})
def start_run(request, data: RunIn):
    require_billing_staff(request.user)
    station = _station(request, data.station)
    month = services.month_parse(data.month)
    return Status(201, services.billing_run_start(user=request.user, station=station, month=month))


@router.get("/billing/runs/{run_id}", response=RunOut)
def get_run(request, run_id: int):
    return get_visible_or_404(request.user, selectors.runs_visible(request.user), pk=run_id)


class BillOut(Schema):
    month: str
    energy_kwh: Decimal
    amount_fen: int
    tier_after: int
    kwh_left_in_tier: Decimal | None
    cycle_start: datetime.date
    status: str
    url: str | None


@router.get("/billing/customers/{account_no}/bills", response=list[BillOut])
def customer_bills(request, account_no: str):
    customer = get_visible_or_404(request.user, Customer.objects.all(), account_no=account_no)
    return selectors.customer_bills(customer)


# Readings: meter changes and held readings


class MeterChangeIn(Schema):
    account_no: str = Field(..., examples=["0602000001"])
    changed_on: datetime.date = Field(..., examples=["2026-10-15"])
    old_final_kwh: Decimal = Field(
        ..., description="The old meter's register when removed", examples=["12345.6"]
    )
    new_start_kwh: Decimal = Field(..., description="The new meter's register when fitted", examples=["0"])
    register_digits: int | None = Field(
        None, description="Integer digits of the new meter's register (4–8; rolls over at 10^digits)"
    )


class MeterChangeOut(Schema):
    id: int
    account_no: str = Field(..., alias="customer.account_no")
    changed_on: datetime.date
    old_final_kwh: Decimal
    new_start_kwh: Decimal
    register_digits: int
    recorded_at: datetime.datetime


@router.post("/billing/meter-changes", response={201: MeterChangeOut})
def record_meter_change(request, data: MeterChangeIn):
    require_billing_staff(request.user)
    customer = get_visible_or_404(request.user, Customer.objects.all(), account_no=data.account_no)
    change = services.meter_change_record(
        user=request.user,
        customer=customer,
        changed_on=data.changed_on,
        old_final_kwh=data.old_final_kwh,
        new_start_kwh=data.new_start_kwh,
        register_digits=data.register_digits,
    )
    return Status(201, change)


class ReadingResolveIn(Schema):
    action: str = Field(
        ..., description="rollover (confirm a register rollover) or corrected", examples=["rollover"]
    )
    register_kwh: Decimal | None = Field(None, description="The corrected register (action corrected)")
    register_digits: int | None = Field(None, description="The meter's register digits (action rollover)")


class ReadingOut(Schema):
    id: int
    account_no: str = Field(..., alias="customer.account_no")
    read_on: datetime.date
    revision: int
    register_kwh: Decimal
    energy_kwh: Decimal | None
    rollover: bool
    status: str
    problem: str
    resolution: str
    resolved_at: datetime.datetime | None


@router.post("/billing/readings/{reading_id}/resolve", response=ReadingOut)
def resolve_reading(request, reading_id: int, data: ReadingResolveIn):
    require_billing_staff(request.user)
    reading = get_visible_or_404(request.user, selectors.readings_visible(request.user), pk=reading_id)
    return services.reading_resolve(
        user=request.user,
        reading=reading,
        action=data.action,
        register_kwh=data.register_kwh,
        register_digits=data.register_digits,
    )


# Auto-debit


class AgreementIn(Schema):
    account_no: str
    bank_name: str = Field(..., examples=["玉屏县农村信用合作联社"])
    bank_account: str = Field(..., examples=["6217001234567890123"])
    channel: str = Field(..., examples=["counter"])
    campaign_ref: str = ""


class AgreementOut(Schema):
    id: int
    account_no: str
    bank_name: str
    bank_account: str
    channel: str
    status: str
    campaign_ref: str
    signed_on: datetime.date | None


def agreement_out(agreement) -> dict:
    return {
        "id": agreement.pk,
        "account_no": agreement.customer.account_no,
        "bank_name": agreement.bank_name,
        "bank_account": mask_bank_account(agreement.bank_account),
        "channel": agreement.channel,
        "status": agreement.status,
        "campaign_ref": agreement.campaign_ref,
        "signed_on": agreement.signed_on,
    }


@router.post("/billing/agreements", response={201: AgreementOut})
def sign_agreement(request, data: AgreementIn):
    require_billing_staff(request.user)
    customer = get_visible_or_404(request.user, Customer.objects.all(), account_no=data.account_no)
    agreement = services.agreement_sign(
        user=request.user,
        customer=customer,
        bank_name=data.bank_name,
        bank_account=data.bank_account,
        channel=data.channel,
        campaign_ref=data.campaign_ref,
    )
    return Status(201, agreement_out(agreement))


@router.post("/billing/agreements/{agreement_id}/confirm", response=AgreementOut)
def confirm_agreement(request, agreement_id: int):
    require_billing_staff(request.user)
    agreement = get_visible_or_404(request.user, selectors.agreements_visible(request.user), pk=agreement_id)
    return agreement_out(services.agreement_confirm(user=request.user, agreement=agreement))


@router.post("/billing/agreements/{agreement_id}/cancel", response=AgreementOut)
def cancel_agreement(request, agreement_id: int):
    require_billing_staff(request.user)
    agreement = get_visible_or_404(request.user, selectors.agreements_visible(request.user), pk=agreement_id)
    return agreement_out(services.agreement_cancel(user=request.user, agreement=agreement))


class BatchOut(Schema):
    batch_no: str
    station: str = Field(..., alias="station.code")
    month: str
    file_format: str
    record_count: int
    total_fen: int
    reconciled: bool

    @staticmethod
    def resolve_month(obj):
        return f"{obj.month:%Y-%m}"


@router.post("/billing/debit-batches", response={201: BatchOut})
def create_batch(request, data: RunIn):
    require_billing_staff(request.user)
    station = _station(request, data.station)
    month = services.month_parse(data.month)
    return Status(201, services.debit_batch_create(user=request.user, station=station, month=month))


@router.get("/billing/debit-batches/{batch_no}/file")
def batch_file(request, batch_no: str):
    require_billing_staff(request.user)
    batch = get_visible_or_404(request.user, selectors.batches_visible(request.user), batch_no=batch_no)
    return selectors.batch_file_response(user=request.user, batch=batch, request=request)


class ReturnOut(Schema):
    batch_no: str
    repeated: bool
    success_count: int
    failed_count: int
    problems: list[dict[str, Any]]


@router.post("/billing/debit-returns", response=ReturnOut)
def import_return(request, file: File[UploadedFile]):
    require_billing_staff(request.user)
    outcome = services.debit_return_import(
        user=request.user,
        batches=selectors.batches_visible(request.user),
        file_name=file.name,
        content=file.read(),
    )
    record = outcome.imported
    return {
        "batch_no": record.batch.batch_no,
        "repeated": outcome.repeated,
        "success_count": record.success_count,
        "failed_count": record.failed_count,
        "problems": record.problems,
    }


class SignupCellOut(Schema):
    station: str
    month: str
    households: int
    signed: int
    rate: Decimal | None
    target: Decimal


@router.get("/billing/kpis/signup", response=list[SignupCellOut])
def signup_kpis(request, months: int = 12):
    rows = selectors.signup_kpis(request.user, selectors.recent_months(max(1, min(months, 36))))
    return [
        {
            "station": row["station"].code,
            "month": f"{cell['month']:%Y-%m}",
            "households": row["households"],
            "signed": cell["signed"],
            "rate": cell["rate"],
            "target": selectors.SIGNUP_TARGET,
        }
        for row in rows
        for cell in row["months"]
    ]
