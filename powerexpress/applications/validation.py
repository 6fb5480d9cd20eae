"""Checking an application's fields, with one plain message per field (shared by the API and the web
form so both say the same thing)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from powerexpress.applications.choices import KIND_DOCUMENTS, KIND_FIELDS, ApplicationKind
from powerexpress.core.errors import FieldError
from powerexpress.core.validators import id_number_error, mobile_error
from powerexpress.registry.models import Village

MAX_KW = Decimal("10000")
MAX_APPLIANCES = 50


@dataclass
class Appliance:
    name: str
    quantity: int
    kw_each: Decimal

    @property
    def total_kw(self) -> Decimal:
        return self.kw_each * self.quantity


@dataclass
class CleanApplication:
    """An application's fields after checking: typed, trimmed, and the village looked up."""

    kind: str
    applicant_name: str
    id_number: str
    phone: str
    village: Village
    address: str
    requested_kw: Decimal
    appliances: list[Appliance]
    business_name: str = ""
    purpose: str = ""
    supply_until: datetime.date | None = None
    account_no: str = ""
    documents: list[str] = field(default_factory=list)

    @property
    def connected_kw(self) -> Decimal:
        return sum((line.total_kw for line in self.appliances), Decimal("0"))

    def canonical(self) -> dict:
        """A stable representation for idempotency fingerprints."""
        return {
            "kind": self.kind,
            "applicant_name": self.applicant_name,
            "id_number": self.id_number,
            "phone": self.phone,
            "village": self.village.code,
            "address": self.address,
            "requested_kw": str(self.requested_kw),
            "appliances": [[a.name, a.quantity, str(a.kw_each)] for a in self.appliances],
            "business_name": self.business_name,
            "purpose": self.purpose,
            "supply_until": self.supply_until.isoformat() if self.supply_until else "",
            "account_no": self.account_no,
            "documents": sorted(self.documents),
        }


def _text(raw: dict, key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def parse_kw(value) -> Decimal | None:
    """A positive kW figure with at most 3 decimals, or None."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number <= 0 or number > MAX_KW or number.as_tuple().exponent < -3:
        return None
    return number


def _kw_message() -> str:
    return _("Enter the power in kW, greater than 0, at most 3 decimals (e.g. 1.5; a 750 W motor is 0.75).")


def _check_appliances(lines, errors: dict) -> list[Appliance]:
    if not isinstance(lines, list | tuple) or not lines:
        errors["appliances"] = _("List at least one appliance (e.g. irrigation pump, 1, 5.5 kW).")
        return []
    if len(lines) > MAX_APPLIANCES:
        errors["appliances"] = _("At most %(max)s appliance lines.") % {"max": MAX_APPLIANCES}
        return []
    appliances = []
    for index, line in enumerate(lines):
        line = line if isinstance(line, dict) else {}
        name = _text(line, "name")
        if not name or len(name) > 50:
            errors[f"appliances.{index}.name"] = _(
                "Name the appliance in at most 50 characters (e.g. water pump)."
            )
        try:
            quantity = int(str(line.get("quantity", "")).strip())
        except ValueError:
            quantity = 0
        if not 1 <= quantity <= 1000:
            errors[f"appliances.{index}.quantity"] = _(
                "Enter how many, a whole number from 1 to 1000 (e.g. 2)."
            )
        kw = parse_kw(line.get("kw", ""))
        if kw is None:
            errors[f"appliances.{index}.kw"] = _kw_message()
        if name and kw is not None and 1 <= quantity <= 1000:
            appliances.append(Appliance(name[:50], quantity, kw))
    return appliances


def _check_kind_fields(raw: dict, kind: str, errors: dict, clean: dict) -> None:
    wanted = KIND_FIELDS.get(kind, ())
    for key in ("business_name", "purpose", "account_no"):
        clean[key] = _text(raw, key)[:200] if key in wanted else ""
    if clean["account_no"] and not clean["account_no"].isalnum():
        errors["account_no"] = _("The account number has only digits (e.g. 0602000001); it is on your bill.")
    clean["supply_until"] = None
    until = _text(raw, "supply_until") if "supply_until" in wanted else ""
    if until:
        try:
            clean["supply_until"] = datetime.date.fromisoformat(until)
        except ValueError:
            errors["supply_until"] = _("Enter a date as YYYY-MM-DD (e.g. 2026-12-31).")
    allowed = {str(doc) for doc in KIND_DOCUMENTS.get(kind, ())}
    documents = raw.get("documents") or []
    clean["documents"] = [str(doc) for doc in documents if str(doc) in allowed]


def application_clean(raw: dict) -> CleanApplication:
    """Check every field of ``raw``; raise one FieldError naming all the bad fields."""
    errors: dict[str, str] = {}
    kind = _text(raw, "kind")
    if kind not in ApplicationKind.values:
        errors["kind"] = _("Choose the kind of application.")
    name = _text(raw, "applicant_name")
    if not name or len(name) > 50:
        errors["applicant_name"] = _("Enter the applicant's name as on the ID card (e.g. 杨永国).")
    id_number = _text(raw, "id_number").upper()
    id_error = id_number_error(id_number)
    if id_error:
        errors["id_number"] = id_error
    phone = _text(raw, "phone")
    phone_error = mobile_error(phone)
    if phone_error:
        errors["phone"] = phone_error
    village = Village.objects.select_related("station").filter(code=_text(raw, "village")).first()
    if village is None:
        errors["village"] = _("Choose your village from the list (e.g. XD001 老寨村).")
    address = _text(raw, "address")
    if not address or len(address) > 200:
        errors["address"] = _(
            "Enter where the supply is needed: group and house, or the field (e.g. 3组15号)."
        )
    requested_kw = parse_kw(raw.get("requested_kw", ""))
    if requested_kw is None:
        errors["requested_kw"] = _kw_message()
    appliances = _check_appliances(raw.get("appliances"), errors)
    extra: dict = {}
    _check_kind_fields(raw, kind, errors, extra)
    if errors:
        raise FieldError(errors)
    return CleanApplication(
        kind=kind,
        applicant_name=name,
        id_number=id_number,
        phone=phone,
        village=village,
        address=address,
        requested_kw=requested_kw,
        appliances=appliances,
        **extra,
    )


def format_kw(value: Decimal) -> str:
    """kW as a decimal string with at least 2 and at most 3 decimals: 6 → "6.00", 0.075 → "0.075"."""
    value = Decimal(value).quantize(Decimal("0.001"))
    text = f"{value:.3f}"
    return text[:-1] if text.endswith("0") else text
