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
