"""Columns of the registry's list pages and exports: one definition per kind.

A column is (label, value function). Personal data columns use the masked value unless an
unmasked export is explicitly requested (and audited).
"""

from django.utils.translation import gettext_lazy as _

from powerexpress.core.masking import mask_id_number, mask_phone


def _code(attr):
    return lambda obj: getattr(getattr(obj, attr), "code", "") if getattr(obj, attr + "_id") else ""


def _name(attr):
    return lambda obj: str(getattr(obj, attr) or "")


def _display(attr):
    return lambda obj: getattr(obj, f"get_{attr}_display")()


COLUMNS = {
    "stations": [
        ("code", _("code"), lambda o: o.code),
        ("name", _("name"), lambda o: o.name),
        ("address", _("address"), lambda o: o.address),
        ("head_name", _("station head"), lambda o: o.head_name),
    ],
    "townships": [
        ("code", _("code"), lambda o: o.code),
        ("name", _("name"), lambda o: o.name),
        ("station", _("station"), _code("station")),
    ],
    "villages": [
        ("code", _("code"), lambda o: o.code),
        ("name", _("name"), lambda o: o.name),
        ("station", _("station"), _code("station")),
        ("township", _("township"), _code("township")),
        ("area_class", _("area class"), lambda o: o.area_class),
        ("responsible_name", _("responsible person"), lambda o: o.responsible_name),
        ("responsible_phone", _("responsible person's phone"), lambda o: o.responsible_phone),
        ("latitude", _("latitude"), lambda o: o.latitude if o.latitude is not None else ""),
        ("longitude", _("longitude"), lambda o: o.longitude if o.longitude is not None else ""),
    ],
    "transformers": [
        ("code", _("code"), lambda o: o.code),
        ("name", _("name"), lambda o: o.name),
        ("station", _("station"), _code("station")),
        ("village", _("village"), _code("village")),
        ("rated_kva", _("rated capacity (kVA)"), lambda o: o.rated_kva),
        ("connection_group", _("connection group"), lambda o: o.connection_group),
        ("location", _("location"), lambda o: o.location),
        (
            "commissioned_on",
            _("commissioned on"),
            lambda o: o.commissioned_on.isoformat() if o.commissioned_on else "",
        ),
    ],
    "customers": [
        ("account_no", _("account number"), lambda o: o.account_no),
        ("name", _("name"), lambda o: o.name),
        ("id_number", _("resident ID number"), lambda o: mask_id_number(o.id_number)),
        ("phone", _("mobile"), lambda o: mask_phone(o.phone)),
        ("address", _("address"), lambda o: o.address),
        ("village", _("village"), _code("village")),
        ("transformer", _("transformer district"), _code("transformer")),
        ("phase", _("supply phase"), lambda o: o.phase),
        ("tags", _("tags"), lambda o: ";".join(o.tag_list)),
        ("payment_method", _("payment method"), lambda o: o.payment_method),
        ("household_size", _("household size"), lambda o: o.household_size),
        ("shared_meter", _("shared meter (合表)"), lambda o: "1" if o.shared_meter else "0"),
        ("closed_on", _("closed on"), lambda o: o.closed_on.isoformat() if o.closed_on else ""),
    ],
    "meters": [
        ("meter_no", _("meter number"), lambda o: o.meter_no),
        ("customer", _("customer"), lambda o: o.customer.account_no),
        ("multiplier", _("multiplier"), lambda o: o.multiplier),
        ("installed_on", _("installed on"), lambda o: o.installed_on.isoformat() if o.installed_on else ""),
    ],
    "staff": [
        ("employee_no", _("employee number"), lambda o: o.employee_no),
        ("name", _("name"), lambda o: o.name),
        ("station", _("station"), _code("station")),
        ("phone", _("mobile"), lambda o: mask_phone(o.phone)),
        ("position", _("position"), lambda o: o.position),
    ],
    "teams": [
        ("code", _("code"), lambda o: o.code),
        ("name", _("name"), lambda o: o.name),
        ("station", _("station"), _code("station")),
        ("kind", _("kind"), lambda o: o.kind),
        ("responsible_unit", _("responsible unit"), lambda o: o.responsible_unit),
        (
            "responsible_person",
            _("responsible person"),
            lambda o: o.responsible_person.employee_no if o.responsible_person_id else "",
        ),
        ("members", _("members"), lambda o: ";".join(m.employee_no for m in o.members.all())),
    ],
}

# How some columns read on pages (labels instead of stored codes); exports keep the codes.
DISPLAY = {
    "villages": {
        "area_class": _display("area_class"),
        "station": _name("station"),
        "township": _name("township"),
    },
    "transformers": {
        "connection_group": _display("connection_group"),
        "station": _name("station"),
        "village": _name("village"),
    },
    "customers": {
        "village": _name("village"),
        "phase": _display("phase"),
        "tags": lambda o: "、".join(o.tag_labels),
        "payment_method": _display("payment_method"),
        "shared_meter": lambda o: _("Yes") if o.shared_meter else _("No"),
    },
    "teams": {
        "kind": _display("kind"),
        "responsible_person": _name("responsible_person"),
        "members": lambda o: "、".join(m.name for m in o.members.all()),
    },
}


def display_columns(kind: str, names=None) -> list[tuple]:
    """(name, label, value function) for pages: display labels where defined."""
    overrides = DISPLAY.get(kind, {})
    return [
        (name, label, overrides.get(name, fn))
        for name, label, fn in COLUMNS[kind]
        if names is None or name in names
    ]


# Columns holding personal data, and their unmasked value for an audited export.
UNMASKED = {
    "customers": {"id_number": lambda o: o.id_number, "phone": lambda o: o.phone},
    "staff": {"phone": lambda o: o.phone},
}

# Columns shown on the list page (the rest appear on the detail page and in exports).
LIST_COLUMNS = {
    "stations": ["code", "name", "address", "head_name"],
    "townships": ["code", "name", "station"],
    "villages": ["code", "name", "station", "area_class", "responsible_name", "responsible_phone"],
    "transformers": ["code", "name", "station", "village", "rated_kva", "connection_group"],
    "customers": ["account_no", "name", "id_number", "phone", "village", "transformer", "phase", "tags"],
    "meters": ["meter_no", "customer", "multiplier", "installed_on"],
    "staff": ["employee_no", "name", "station", "phone", "position"],
    # Teams by name: their codes (XD-service) are English words, kept for files and the API.
    "teams": ["name", "station", "kind", "responsible_person"],
}

KIND_LABELS = {
    "stations": _("Supply stations"),
    "townships": _("Townships"),
    "villages": _("Villages"),
    "transformers": _("Transformer districts"),
    "customers": _("Households"),
    "meters": _("Meters"),
    "staff": _("Staff"),
    "teams": _("Teams"),
}


def export_rows(kind: str, queryset, *, unmasked: bool = False):
    """Header and rows of an export. The headers are the import's labels in the active language
    (户号, not ``account_no``), which an import accepts back in either language; the values keep
    the stored codes, so an export edited in Excel imports as it is."""
    from powerexpress.registry.specs import SPECS

    columns = COLUMNS[kind]
    overrides = UNMASKED.get(kind, {}) if unmasked else {}
    labels = {spec_field.name: str(spec_field.label) for spec_field in SPECS[kind].fields}
    header = [labels[name] for name, _label, _fn in columns]
    rows = (
        [overrides.get(name, fn)(obj) for name, _label, fn in columns]
        for obj in queryset.iterator(chunk_size=2000)
    )
    return header, rows


def import_template_header(kind: str) -> list[str]:
    """The column headers of an import template: each field's label in the active language."""
    from powerexpress.registry.specs import SPECS

    return [str(spec_field.label) for spec_field in SPECS[kind].fields]


def import_template_notes(kind: str) -> list[list[str]]:
    """One line per column: header, field name, required or not, and the values it takes."""
    from powerexpress.registry.specs import SPECS

    notes = []
    for spec_field in SPECS[kind].fields:
        values = ""
        if spec_field.choices is not None:
            values = "; ".join(f"{value} ({label})" for value, label in spec_field.choices.choices)
        notes.append(
            [
                str(spec_field.label),
                spec_field.name,
                str(_("required") if spec_field.required else ""),
                values,
            ]
        )
    return notes


def import_template_xlsx(kind: str) -> bytes:
    """An empty Excel workbook to fill: the header row on the first sheet, notes on the second."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(KIND_LABELS[kind])[:31]
    sheet.append(import_template_header(kind))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        column = sheet.column_dimensions[cell.column_letter]
        column.width = max(12, 2 * len(str(cell.value)) + 2)
        column.number_format = "@"  # text: account numbers keep their leading zeros
    notes = workbook.create_sheet(str(_("Notes")))
    notes.append([str(_("column")), str(_("field name")), str(_("required")), str(_("values"))])
    for line in import_template_notes(kind):
        notes.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
