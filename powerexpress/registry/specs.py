"""One description per registry kind of its external fields: how each is named, parsed and checked.

The API's create/update, the Excel/CSV import and the web forms all clean input through
``Spec.clean`` so that a rule is written once and the same message names the same field
everywhere. References to other records are by code (or account / employee number) and are
resolved only among the records the acting user may see, so another station's records are
"unknown" rather than leaked.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerexpress.core.scope import visible
from powerexpress.core.validators import id_number_error, mobile_error
from powerexpress.registry.choices import (
    AreaClass,
    ConnectionGroup,
    CustomerTag,
    PaymentMethod,
    Phase,
    TeamKind,
)
from powerexpress.registry.models import (
    Customer,
    Meter,
    Staff,
    SupplyStation,
    Team,
    Township,
    TransformerDistrict,
    Village,
)

MISSING = object()


class Invalid(ValueError):
    """A value that cannot be accepted; the message is shown to the user."""


@dataclass
class CleanContext:
    """What cleaning needs besides the raw values: the acting user and a cache of references."""

    user: object
    preload: bool = False
    ref_cache: dict = field(default_factory=dict)

    def resolve(self, model: type[models.Model], key_field: str, value: str):
        if not self.preload:
            return visible(self.user, model.objects.all()).filter(**{key_field: value}).first()
        cache_key = (model, key_field)
        if cache_key not in self.ref_cache:
            self.ref_cache[cache_key] = {
                getattr(obj, key_field): obj for obj in visible(self.user, model.objects.all())
            }
        return self.ref_cache[cache_key].get(value)


def _text(max_length: int) -> Callable:
    def parse(value, ctx):
        text = str(value).strip()
        if len(text) > max_length:
            raise Invalid(_("At most %(max)s characters.") % {"max": max_length})
        return text

    return parse


def _choice(choices: type[models.TextChoices]) -> Callable:
    def parse(value, ctx):
        text = str(value).strip()
        if text in choices.values:
            return text
        by_label = {str(label): val for val, label in choices.choices}
        if text in by_label:
            return by_label[text]
        raise Invalid(_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)})

    return parse


def _decimal(low: Decimal, high: Decimal, places: int) -> Callable:
    def parse(value, ctx):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise Invalid(_("Enter a number.")) from exc
        if not number.is_finite() or number < low or number > high:
            raise Invalid(_("Enter a number between %(low)s and %(high)s.") % {"low": low, "high": high})
        return round(number, places)

    return parse


def _positive_int(high: int) -> Callable:
    def parse(value, ctx):
        text = str(value).strip()
        try:
            number = int(Decimal(text))
        except (InvalidOperation, ValueError) as exc:
            raise Invalid(_("Enter a whole number.")) from exc
        if Decimal(text) != number or number <= 0 or number > high:
            raise Invalid(_("Enter a whole number between 1 and %(high)s.") % {"high": high})
        return number

    return parse


def _date(value, ctx):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise Invalid(_("Enter a date as YYYY-MM-DD.")) from exc


def _bool(value, ctx):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "是"}:
        return True
    if text in {"0", "false", "no", "n", "否", ""}:
        return False
    raise Invalid(_("Enter true or false."))


def _id_number(value, ctx):
    text = str(value).strip().upper()
    error = id_number_error(text)
    if error:
        raise Invalid(error)
    return text


def _mobile(value, ctx):
    text = str(value).strip()
    if text.endswith(".0"):  # spreadsheets turn numbers into floats
        text = text[:-2]
    error = mobile_error(text)
    if error:
        raise Invalid(error)
    return text


def _tags(value, ctx):
    if isinstance(value, str):
        items = [item.strip() for item in value.replace("，", ",").replace(";", ",").split(",")]
    else:
        items = [str(item).strip() for item in value]
    by_label = {str(label): val for val, label in CustomerTag.choices}
    tags = []
    for item in filter(None, items):
        tag = item if item in CustomerTag.values else by_label.get(item)
        if tag is None:
            raise Invalid(
                _("Unknown tag %(tag)s; choose from: %(choices)s.")
                % {"tag": item, "choices": ", ".join(CustomerTag.values)}
            )
        tags.append(tag)
    return Customer.encode_tags(tags)


def _ref(model: type[models.Model], key_field: str) -> Callable:
    def parse(value, ctx):
        text = str(value).strip()
        obj = ctx.resolve(model, key_field, text)
        if obj is None:
            raise Invalid(
                _("Unknown %(kind)s “%(code)s”.") % {"kind": model._meta.verbose_name, "code": text}
            )
        return obj

    return parse


def _refs(model: type[models.Model], key_field: str) -> Callable:
    single = _ref(model, key_field)

    def parse(value, ctx):
        items = value if isinstance(value, list) else str(value).replace(",", ";").split(";")
        return [single(item, ctx) for item in items if str(item).strip()]

    return parse


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: object
    parse: Callable
    required: bool = False
    attr: str = ""
    many: bool = False
    choices: type[models.TextChoices] | None = None

    @property
    def model_attr(self) -> str:
        return self.attr or self.name


@dataclass
class Spec:
    """How one registry kind is read from outside: fields, key, cross-field checks."""

    kind: str
    model: type[models.Model]
    key: str
    fields: list[FieldSpec]
    check: Callable | None = None

    @property
    def key_field(self) -> FieldSpec:
        return next(f for f in self.fields if f.name == self.key)

    def fields_by_name(self) -> dict[str, FieldSpec]:
        return {spec_field.name: spec_field for spec_field in self.fields}

    def field_by_header(self) -> dict[str, FieldSpec]:
        """Column headers an import accepts: the field name, or its label in any of the UI's
        languages (a Chinese template imports on an English page and the other way round)."""
        headers = {}
        for spec_field in self.fields:
            headers[spec_field.name] = spec_field
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    headers[str(spec_field.label)] = spec_field
        return headers

    def clean(self, raw: dict, ctx: CleanContext, *, instance=None) -> tuple[dict, dict[str, str]]:
        """Parse ``raw`` into model values. Returns (values, errors by field name).

        With an ``instance`` (an update), absent fields keep their current value.
        """
        values, errors = {}, {}
        for spec_field in self.fields:
            value = raw.get(spec_field.name, MISSING)
            if value is MISSING or value is None or (isinstance(value, str) and value.strip() == ""):
                if spec_field.required and (instance is None or value is not MISSING):
                    errors[spec_field.name] = _("This field is required.")
                elif value is not MISSING and not spec_field.required:
                    values[spec_field.model_attr] = (
                        [] if spec_field.many else _empty_value(self.model, spec_field)
                    )
                continue
            try:
                values[spec_field.model_attr] = spec_field.parse(value, ctx)
            except Invalid as exc:
                errors[spec_field.name] = str(exc)
        if not errors and self.check is not None:
            errors.update(self.check(values, instance))
        return values, errors

    def save(self, values: dict, *, instance=None):
        """Create or update one record from cleaned values (call inside a transaction)."""
        many = {
            f.model_attr: values.pop(f.model_attr) for f in self.fields if f.many and f.model_attr in values
        }
        obj = instance or self.model()
        for attr, value in values.items():
            setattr(obj, attr, value)
        obj.save()
        for attr, related in many.items():
            getattr(obj, attr).set(related)
        return obj


MASKED = re.compile(r"^[0-9A-Za-z]*\*{2,}[0-9A-Za-z]*$|^\*+$")


def looks_masked(value) -> bool:
    """True for a value as the masked lists and exports show it (``138****5678``)."""
    return isinstance(value, str) and MASKED.match(value.strip()) is not None


def _empty_value(model, spec_field):
    model_field = model._meta.get_field(spec_field.model_attr)
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.get_default()
    if isinstance(model_field, models.BooleanField):
        return False
    return ""


def _current(values: dict, instance, attr: str):
    if attr in values:
        return values[attr]
    return getattr(instance, attr, None) if instance is not None else None


def _check_station(values, instance):
    if instance is None:
        from powerexpress.registry.models import Bureau

        bureau = Bureau.objects.order_by("pk").first()
        if bureau is None:
            return {
                "code": _(
                    "Create the bureau first. Run “powerexpress setup --bureau-code CODE "
                    "--bureau-name NAME” or open the first-run page (/registry/setup/)."
                )
            }
        values["bureau"] = bureau
    return {}


def _same_station(field: str, other: str, message) -> Callable:
    """A check that the record's ``field`` belongs to the station of its ``other`` field (a
    station, or a record with a station); the error names ``field``."""

    def check(values, instance):
        row, ref = _current(values, instance, field), _current(values, instance, other)
        if row is None or ref is None:
            return {}
        station_id = ref.pk if isinstance(ref, SupplyStation) else ref.station_id
        return {field: str(message)} if row.station_id != station_id else {}

    return check


_check_village = _same_station(
    "township", "station", gettext_lazy("The township belongs to another station.")
)
_check_transformer = _same_station(
    "village", "station", gettext_lazy("The village belongs to another station.")
)
_check_customer = _same_station(
    "transformer",
    "village",
    gettext_lazy("The transformer district belongs to another station than the village."),
)


L = gettext_lazy
_STATION_REF = _ref(SupplyStation, "code")


def _code(max_length: int) -> FieldSpec:
    return FieldSpec("code", L("code"), _text(max_length), required=True)


def _name(max_length: int) -> FieldSpec:
    return FieldSpec("name", L("name"), _text(max_length), required=True)


_STATION = FieldSpec("station", L("station"), _STATION_REF, required=True)
_COORDINATES = [
    FieldSpec("latitude", L("latitude"), _decimal(Decimal(-90), Decimal(90), 6)),
    FieldSpec("longitude", L("longitude"), _decimal(Decimal(-180), Decimal(180), 6)),
]

SPECS: dict[str, Spec] = {
    "stations": Spec(
        "stations",
        SupplyStation,
        "code",
        [
            _code(20),
            _name(100),
            FieldSpec("address", L("address"), _text(200)),
            FieldSpec("head_name", L("station head"), _text(50)),
            FieldSpec("head_phone", L("station head phone"), _mobile),
        ],
        check=_check_station,
    ),
    "townships": Spec(
        "townships",
        Township,
        "code",
        [
            _code(20),
            _name(100),
            _STATION,
        ],
    ),
    "villages": Spec(
        "villages",
        Village,
        "code",
        [
            _code(20),
            _name(100),
            _STATION,
            FieldSpec("township", L("township"), _ref(Township, "code")),
            FieldSpec("area_class", L("area class"), _choice(AreaClass), required=True, choices=AreaClass),
            FieldSpec("responsible_name", L("responsible person"), _text(50)),
            FieldSpec("responsible_phone", L("responsible person's phone"), _mobile),
            *_COORDINATES,
        ],
        check=_check_village,
    ),
    "transformers": Spec(
        "transformers",
        TransformerDistrict,
        "code",
        [
            _code(30),
            _name(100),
            _STATION,
            FieldSpec("village", L("village"), _ref(Village, "code"), required=True),
            FieldSpec("rated_kva", L("rated capacity (kVA)"), _positive_int(10000), required=True),
            FieldSpec(
                "connection_group",
                L("connection group"),
                _choice(ConnectionGroup),
                required=True,
                choices=ConnectionGroup,
            ),
            FieldSpec("location", L("location"), _text(200)),
            *_COORDINATES,
            FieldSpec("commissioned_on", L("commissioned on"), _date),
        ],
        check=_check_transformer,
    ),
    "customers": Spec(
        "customers",
        Customer,
        "account_no",
        [
            FieldSpec("account_no", L("account number"), _text(20), required=True),
            _name(50),
            FieldSpec("id_number", L("resident ID number"), _id_number),
            FieldSpec("phone", L("mobile"), _mobile),
            FieldSpec("address", L("address"), _text(200)),
            FieldSpec("village", L("village"), _ref(Village, "code"), required=True),
            FieldSpec("transformer", L("transformer district"), _ref(TransformerDistrict, "code")),
            FieldSpec("phase", L("supply phase"), _choice(Phase), required=True, choices=Phase),
            FieldSpec("tags", L("tags"), _tags, choices=CustomerTag),
            FieldSpec("payment_method", L("payment method"), _choice(PaymentMethod), choices=PaymentMethod),
            FieldSpec("household_size", L("household size"), _positive_int(50)),
            FieldSpec("shared_meter", L("shared meter (合表)"), _bool),
            FieldSpec("closed_on", L("closed on"), _date),
        ],
        check=_check_customer,
    ),
    "meters": Spec(
        "meters",
        Meter,
        "meter_no",
        [
            FieldSpec("meter_no", L("meter number"), _text(30), required=True),
            FieldSpec("customer", L("customer"), _ref(Customer, "account_no"), required=True),
            FieldSpec("multiplier", L("multiplier"), _positive_int(10000)),
            FieldSpec("installed_on", L("installed on"), _date),
        ],
    ),
    "staff": Spec(
        "staff",
        Staff,
        "employee_no",
        [
            FieldSpec("employee_no", L("employee number"), _text(20), required=True),
            _name(50),
            FieldSpec("station", L("station"), _STATION_REF),
            FieldSpec("phone", L("mobile"), _mobile),
            FieldSpec("position", L("position"), _text(50)),
        ],
    ),
    "teams": Spec(
        "teams",
        Team,
        "code",
        [
            _code(30),
            _name(100),
            _STATION,
            FieldSpec("kind", L("kind"), _choice(TeamKind), required=True, choices=TeamKind),
            FieldSpec("responsible_unit", L("responsible unit"), _text(100)),
            FieldSpec("responsible_person", L("responsible person"), _ref(Staff, "employee_no")),
            FieldSpec("members", L("members"), _refs(Staff, "employee_no"), many=True),
        ],
    ),
}
