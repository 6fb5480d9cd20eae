"""Writes to the registry: create, update and import. Reads live in ``selectors``."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from powerexpress.accounts.roles import EDIT_REGISTRY
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.scope import visible
from powerexpress.core.tables import read_table
from powerexpress.registry.specs import SPECS, CleanContext, Spec


def _require_edit(user, spec: Spec) -> None:
    if not user.has_perm(EDIT_REGISTRY):
        raise ApiError(_("You may not change the registry."), status=403, code="forbidden")
    if spec.kind == "stations" and not user.is_bureau_wide:
        raise ApiError(_("Only bureau managers may change stations."), status=403, code="forbidden")


def registry_save(*, user, kind: str, raw: dict, instance=None):
    """Create (no ``instance``) or update one registry record from external values."""
    spec = SPECS[kind]
    _require_edit(user, spec)
    values, errors = spec.clean(raw, CleanContext(user=user), instance=instance)
    key_value = values.get(spec.key)
    if key_value is not None and not errors:
        clash = spec.model.objects.filter(**{spec.key: key_value})
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors[spec.key] = _("%(value)s is already in use.") % {"value": key_value}
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        return spec.save(values, instance=instance)


@dataclass
class ImportOutcome:
    """The report of one import: all rows imported, or none and the reasons."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def registry_import(
    *, user, kind: str, file_name: str, content: bytes, progress: Callable[[int, int], None] | None = None
) -> ImportOutcome:
    """Import a CSV/Excel file of one registry kind: every row, or — on any error — none.

    Rows are matched on the kind's key (code, account number …): a known key updates the
    record, so importing the same file twice changes nothing the second time.
    """
    spec = SPECS[kind]
    _require_edit(user, spec)
    rows = read_table(file_name, content)
    outcome = ImportOutcome(total_rows=len(rows))
    headers = spec.field_by_header()
    unknown = [h for h in (rows[0][1].keys() if rows else []) if h not in headers]
    for header in unknown:
        outcome.errors.append({"row": 1, "column": header, "message": _("Unknown column.")})
    if outcome.errors:
        return outcome
    ctx = CleanContext(user=user, preload=True)
    existing = {getattr(obj, spec.key): obj for obj in visible(user, spec.model.objects.all())}
    foreign_keys = set(spec.model.objects.values_list(spec.key, flat=True)) - set(existing)
    seen: dict[str, int] = {}
    cleaned = []
    for index, (row_number, row) in enumerate(rows, start=1):
        raw = {headers[h].name: value for h, value in row.items()}
        key_value = str(raw.get(spec.key) or "").strip()
        instance = existing.get(key_value)
        values, errors = spec.clean(raw, ctx, instance=None)
        if key_value in foreign_keys:
            errors[spec.key] = _("%(value)s is already in use.") % {"value": key_value}
        if key_value and key_value in seen:
            errors[spec.key] = _("Same %(field)s as row %(row)s.") % {
                "field": spec.key,
                "row": seen[key_value],
            }
        seen.setdefault(key_value, row_number)
        for name, message in errors.items():
            outcome.errors.append(
                {
                    "row": row_number,
                    "column": str(spec.fields_by_name()[name].label),
                    "field": name,
                    "message": str(message),
                }
            )
        cleaned.append((values, instance))
        if progress and index % 500 == 0:
            progress(index, len(rows) * 2)
    if outcome.errors:
        return outcome
    with transaction.atomic():
        for index, (values, instance) in enumerate(cleaned, start=1):
            spec.save(values, instance=instance)
            if instance is None:
                outcome.created += 1
            else:
                outcome.updated += 1
            if progress and index % 500 == 0:
                progress(len(rows) + index, len(rows) * 2)
    if progress:
        progress(len(rows) * 2, len(rows) * 2)
    return outcome


def customer_phase_change(*, customer_pk: int, phase: str) -> tuple[str, str]:
    """Connect a household to another phase (a crew moved it): (old phase, new phase). Only a
    single-phase household moves to another single phase. Call inside the caller's transaction,
    which records who, when and why (e.g. ``workorders.services.work_order_complete``)."""
    from powerexpress.registry.choices import Phase
    from powerexpress.registry.models import Customer

    customer = Customer.objects.select_for_update().get(pk=customer_pk)
    if phase not in (Phase.A, Phase.B, Phase.C) or customer.phase == Phase.ABC:
        raise FieldError({"phase": _("Only a single-phase household moves to phase A, B or C.")})
    old = customer.phase
    Customer.objects.filter(pk=customer.pk).update(phase=phase)
    return old, phase


def transformer_rating_change(*, transformer_pk: int, rated_kva: int) -> tuple[int, int]:
    """Record a district's new rated capacity (extra or replaced unit): (old kVA, new kVA)."""
    from powerexpress.registry.models import TransformerDistrict

    transformer = TransformerDistrict.objects.select_for_update().get(pk=transformer_pk)
    if not 0 < rated_kva <= 10_000:
        raise FieldError({"rated_kva": _("Enter the rated capacity in kVA (1 to 10000).")})
    old = transformer.rated_kva
    TransformerDistrict.objects.filter(pk=transformer.pk).update(rated_kva=rated_kva)
    return old, rated_kva
