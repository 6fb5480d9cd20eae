"""Writes to the registry: create, update and import. Reads live in ``selectors``."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from powerexpress.accounts.roles import EDIT_REGISTRY, EDIT_STATIONS
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.scope import can_see_station, visible
from powerexpress.core.tables import read_table
from powerexpress.registry.models import Customer
from powerexpress.registry.specs import SPECS, CleanContext, Spec


def _require_edit(user, spec: Spec) -> None:
    if not user.has_perm(EDIT_REGISTRY):
        raise ApiError(_("You may not change the registry."), status=403, code="forbidden")
    if spec.kind == "stations" and not user.has_perm(EDIT_STATIONS):
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
        saved = spec.save(values, instance=instance)
        _care_schedule_refresh(kind, [saved])
        return saved


def _care_schedule_refresh(kind: str, saved: list) -> None:
    """Households' tags and villages decide their care visits: keep outreach's schedule current."""
    if kind not in ("customers", "villages") or not apps.is_installed("powerexpress.outreach"):
        return
    from powerexpress.outreach import care_schedule

    if kind == "customers":
        care_schedule.care_schedule_refresh([obj.pk for obj in saved])
    else:
        care_schedule.care_schedule_refresh_villages([obj.pk for obj in saved])


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
        raw = _masked_left_out(kind, {headers[h].name: value for h, value in row.items()})
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
        saved = []
        for index, (values, instance) in enumerate(cleaned, start=1):
            saved.append(spec.save(values, instance=instance))
            if instance is None:
                outcome.created += 1
            else:
                outcome.updated += 1
            if progress and index % 500 == 0:
                progress(len(rows) + index, len(rows) * 2)
        _care_schedule_refresh(kind, saved)
    if progress:
        progress(len(rows) * 2, len(rows) * 2)
    return outcome


def _masked_left_out(kind: str, raw: dict) -> dict:
    """Drop personal-data values that are masks (``138****5678``, from a masked export): the
    stored value stays as it is, instead of the row being rejected or the mask being stored."""
    from powerexpress.registry.specs import looks_masked
    from powerexpress.registry.tables import UNMASKED

    masked_fields = UNMASKED.get(kind, {})
    return {name: value for name, value in raw.items() if not (name in masked_fields and looks_masked(value))}


# First run: the bureau, its first manager and the per-bureau settings rows of other apps.


@dataclass
class SetupOutcome:
    """What ``bureau_setup`` did: each entry of ``changes`` names one thing created or updated."""

    bureau: object
    manager: object | None = None
    changes: list[str] = field(default_factory=list)


def bureau_setup(
    *,
    code: str,
    name: str,
    hotline: str = "95598",
    manager_username: str = "",
    manager_password: str = "",
) -> SetupOutcome:
    """Create or update the bureau (there is one per installation) and, if named, its first manager.

    Idempotent: called again with the same values it changes nothing and reports no change. Also
    creates the per-bureau settings rows that repair, grid and applications keep, so that their
    selectors only read. Everything happens in one transaction.
    """
    from powerexpress.registry.models import Bureau

    values = _setup_clean(code=code, name=name, hotline=hotline)
    manager_username = (manager_username or "").strip()
    if manager_username:
        _setup_check_manager(manager_username, manager_password)
    with transaction.atomic():
        bureau = Bureau.objects.select_for_update().order_by("pk").first()
        outcome = SetupOutcome(bureau=bureau)
        if bureau is None:
            outcome.bureau = Bureau.objects.create(**values)
            outcome.changes.append("bureau created")
        elif any(getattr(bureau, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(bureau, key, value)
            bureau.save()
            outcome.changes.append("bureau updated")
        outcome.changes += bureau_settings_rows_create(bureau=outcome.bureau)
        if manager_username:
            outcome.manager, change = _setup_manager(manager_username, manager_password)
            if change:
                outcome.changes.append(change)
    return outcome


def _setup_clean(*, code: str, name: str, hotline: str) -> dict:
    values = {"code": (code or "").strip(), "name": (name or "").strip(), "hotline": (hotline or "").strip()}
    limits = {"code": 20, "name": 100, "hotline": 20}
    errors = {}
    for key, limit in limits.items():
        if not values[key]:
            errors[key] = _("This field is required.")
        elif len(values[key]) > limit:
            errors[key] = _("At most %(max)s characters.") % {"max": limit}
    if not errors.get("hotline") and not values["hotline"].replace("-", "").isdigit():
        errors["hotline"] = _("Enter the hotline as digits, for example 95598.")
    if errors:
        raise FieldError(errors)
    return values


def _setup_check_manager(username: str, password: str) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from powerexpress.accounts.models import User
    from powerexpress.accounts.roles import Role

    existing = User.objects.filter(username=username).first()
    if existing is not None and existing.role != Role.MANAGER:
        raise FieldError({"manager": _("%(name)s exists and is not a manager.") % {"name": username}})
    if password and not (existing is not None and existing.check_password(password)):
        try:
            validate_password(password, user=existing)
        except ValidationError as exc:
            raise FieldError({"password": " ".join(exc.messages)}) from exc


def _setup_manager(username: str, password: str):
    from powerexpress.accounts.models import User
    from powerexpress.accounts.roles import Role

    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        user = User(username=username, role=Role.MANAGER)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        return user, "manager created"
    if password and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
        return user, "manager password changed"
    return user, ""


def bureau_settings_rows_create(*, bureau) -> list[str]:
    """The settings rows other apps keep per bureau, with their defaults, where missing (their
    selectors only read them); an absent app is skipped. Returns what was created."""
    from django.apps import apps

    created = []
    if apps.is_installed("powerexpress.repair"):
        from powerexpress.repair.models import RepairSettings

        if RepairSettings.objects.get_or_create(bureau=bureau)[1]:
            created.append("repair settings created")
    if apps.is_installed("powerexpress.grid"):
        from powerexpress.grid.models import GridSettings

        if GridSettings.objects.get_or_create(bureau=bureau)[1]:
            created.append("grid settings created")
    if apps.is_installed("powerexpress.applications"):
        from powerexpress.applications.choices import DEFAULT_TIME_LIMITS
        from powerexpress.applications.models import ApplicationPolicy, TimeLimit

        if not ApplicationPolicy.objects.exists():
            ApplicationPolicy.objects.create()
            created.append("application policy created")
        for kind, (plan_days, install_days, to_verify) in DEFAULT_TIME_LIMITS.items():
            _limit, made = TimeLimit.objects.get_or_create(
                kind=kind,
                defaults={"plan_reply_days": plan_days, "install_days": install_days, "to_verify": to_verify},
            )
            if made:
                created.append(f"time limit {kind} created")
    if apps.is_installed("powerexpress.lineloss"):
        from powerexpress.lineloss.models import LineLossSettings

        if LineLossSettings.objects.get_or_create(bureau=bureau)[1]:
            created.append("line-loss settings created")
    return created


# Exports as background jobs (issue 11): the job row is created in the request, the file is written by
# a worker with progress, and only once the row says "ready" is the finished file put in place.

EXPORT_PROGRESS_EVERY_ROWS = 500


def registry_export_job_create(
    *, user, kind: str, query: str, unmasked: bool, file_format: str, request=None
):
    """Record an export request (and audit it, as the direct export does); the caller dispatches it."""
    from powerexpress.core.audit import audit_record
    from powerexpress.core.models import AuditAction, ExportFormat, ExportJob
    from powerexpress.registry.tables import UNMASKED

    if file_format not in ExportFormat.values:
        raise FieldError({"format": _("Choose Excel or CSV.")})
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user, kind=kind, query=query[:1000], unmasked=unmasked, file_format=file_format
        )
        audit_record(
            user=user,
            action=AuditAction.EXPORT_UNMASKED if unmasked else AuditAction.EXPORT,
            object_type=kind,
            object_ref=query[:100],
            fields=tuple(UNMASKED.get(kind, {})) if unmasked else (),
            request=request,
        )
    return job


def export_file_path(job):
    from django.conf import settings

    return settings.DATA_DIR / "exports" / str(job.user_id) / f"{job.pk}.{job.file_format}"


def registry_export_job_run(*, job, progress: Callable[[int, int], None] | None = None) -> int:
    """Write the job's file (rows the job's user may see, filtered as on the list page) to a temporary
    name, mark the job ready, and move the file into place only when that row is committed."""
    import os

    from django.conf import settings
    from django.http import QueryDict
    from django.utils import timezone

    from powerexpress.core.models import ExportJob, ExportStatus
    from powerexpress.core.tables import write_csv, write_xlsx
    from powerexpress.registry.filters import FILTERSETS
    from powerexpress.registry.selectors import registry_list
    from powerexpress.registry.tables import export_rows

    params = QueryDict(job.query)
    queryset = FILTERSETS[job.kind](
        params, queryset=registry_list(job.user, job.kind, q=params.get("q", "").strip())
    ).qs
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(total_rows=total, processed_rows=0)
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):  # a job writes in the site's language
        header, rows = export_rows(job.kind, queryset, unmasked=job.unmasked)

    def counted():
        done = 0
        try:
            for row in rows:
                yield row
                done += 1
                if progress and done % EXPORT_PROGRESS_EVERY_ROWS == 0:
                    progress(done, total)
        finally:
            rows.close()

    content = (write_csv if job.file_format == "csv" else write_xlsx)(header, counted())
    final = export_file_path(job)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".part")
    partial.write_bytes(content)
    marked = 0
    try:
        with transaction.atomic():
            marked = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.SUCCEEDED,
                file_path=str(final.relative_to(settings.DATA_DIR)),
                processed_rows=total,
                total_rows=total,
                finished_at=timezone.now(),
            )
            if marked:
                transaction.on_commit(lambda: os.replace(partial, final))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if not marked:  # reaped meanwhile: no file for a failed job
        partial.unlink(missing_ok=True)
    return total


def customer_transformer_change(*, user, customer, transformer):
    """Register ``customer`` to another transformer district (户变关系); the caller records why.

    Both the household and the new district must be within the user's scope."""
    if not user.has_perm(EDIT_REGISTRY):
        raise ApiError(_("You may not change the registry."), status=403, code="forbidden")
    if not can_see_station(user, transformer.station_id):
        raise FieldError({"transformer": _("Unknown transformer district.")})
    with transaction.atomic():
        locked = visible(user, Customer.objects.select_for_update()).get(pk=customer.pk)
        locked.transformer = transformer
        locked.save(update_fields=["transformer", "updated_at"])
    return locked


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
