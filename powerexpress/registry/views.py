"""Web pages of the registry: list (filters, search, pages), detail, edit, import, export, reveal."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import (
    EDIT_REGISTRY,
    EDIT_STATIONS,
    IMPORT_REGISTRY,
    SET_UP_BUREAU,
    VIEW_PERSONAL_DATA,
)
from powerexpress.core.audit import audit_record
from powerexpress.core.errors import ApiError
from powerexpress.core.forms import apply_api_error
from powerexpress.core.jobs import job_dispatch
from powerexpress.core.models import AuditAction, ImportJob
from powerexpress.core.reveal import reveal_with_audit
from powerexpress.core.scope import get_visible_or_404, visible
from powerexpress.core.tables import write_csv, write_xlsx
from powerexpress.registry.filters import FILTERSETS
from powerexpress.registry.forms import ImportForm, initial_from_instance, registry_form_class
from powerexpress.registry.selectors import QUERYSETS, registry_list
from powerexpress.registry.services import registry_save
from powerexpress.registry.tables import (
    COLUMNS,
    KIND_LABELS,
    LIST_COLUMNS,
    UNMASKED,
    display_columns,
    export_rows,
)
from powerexpress.registry.tasks import run_import_job


def _kind_or_404(kind: str) -> str:
    if kind not in QUERYSETS:
        raise Http404(kind)
    return kind


def _filtered(request, kind):
    queryset = registry_list(request.user, kind, q=request.GET.get("q", "").strip())
    return FILTERSETS[kind](request.GET, queryset=queryset)


PICK_LISTS = {"station": "stations", "township": "townships", "village": "villages"}


def _offer_pick_lists(form, user) -> None:
    """Station, township and village filters become drop-downs of what the user may see (the
    FilterSet still takes codes, as the API does)."""
    for field, kind in PICK_LISTS.items():
        if field in form.fields:
            rows = visible(user, QUERYSETS[kind]()).order_by("code").values_list("code", "name")
            form.fields[field].widget = forms.Select(
                choices=[("", _("all"))] + [(code, f"{name} ({code})") for code, name in rows]
            )


@login_required
def registry_list_view(request, kind: str):
    _kind_or_404(kind)
    filterset = _filtered(request, kind)
    if not request.htmx:  # the htmx reply is the table only: no filter form to fill
        _offer_pick_lists(filterset.form, request.user)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    columns = display_columns(kind, LIST_COLUMNS[kind])
    rows = [(obj, [fn(obj) for _n, _l, fn in columns]) for obj in page]
    context = {
        "kind": kind,
        "title": KIND_LABELS[kind],
        "filterset": filterset,
        "page": page,
        "headers": [label for _n, label, _f in columns],
        "rows": rows,
        "can_edit": request.user.has_perm(EDIT_STATIONS if kind == "stations" else EDIT_REGISTRY),
        "can_import": request.user.has_perm(IMPORT_REGISTRY) and kind != "stations",
        "can_export_unmasked": kind in UNMASKED and request.user.has_perm(VIEW_PERSONAL_DATA),
    }
    template = "registry/_list_table.html" if request.htmx else "registry/list.html"
    return render(request, template, context)


@login_required
def registry_detail_view(request, kind: str, pk: int):
    _kind_or_404(kind)
    obj = get_visible_or_404(request.user, QUERYSETS[kind](), pk=pk)
    fields = [(label, fn(obj)) for _name, label, fn in display_columns(kind)]
    context = {
        "kind": kind,
        "title": KIND_LABELS[kind],
        "obj": obj,
        "fields": fields,
        "can_edit": request.user.has_perm(EDIT_STATIONS if kind == "stations" else EDIT_REGISTRY),
        "can_reveal": kind == "customers" and request.user.has_perm(VIEW_PERSONAL_DATA),
    }
    if kind == "customers":
        context["meters"] = obj.meters.all()
    if kind == "transformers":
        context["customers"] = obj.customers.order_by("account_no")[:200]
        context["customer_count"] = obj.customers.count()
    return render(request, "registry/detail.html", context)


@login_required
def registry_edit_view(request, kind: str, pk: int | None = None):
    _kind_or_404(kind)
    if not request.user.has_perm(EDIT_REGISTRY):
        raise PermissionDenied
    instance = get_visible_or_404(request.user, QUERYSETS[kind](), pk=pk) if pk else None
    form_class = registry_form_class(kind)
    personal = set(UNMASKED.get(kind, {}))
    if request.method == "POST":
        form = form_class(request.POST)
        form.is_valid()
        raw = {
            name: value
            for name, value in form.cleaned_data.items()
            if not (instance is not None and name in personal and not value)
        }
        try:
            obj = registry_save(user=request.user, kind=kind, raw=raw, instance=instance)
        except ApiError as exc:
            apply_api_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:detail", kind=kind, pk=obj.pk)
    else:
        initial = initial_from_instance(kind, instance) if instance else {}
        for name in personal:
            initial.pop(name, None)
        form = form_class(initial=initial)
    if instance is not None:
        masked = {name: fn(instance) for name, _l, fn in COLUMNS[kind] if name in personal}
        for name, value in masked.items():
            form.fields[name].widget.attrs["placeholder"] = _("%(masked)s — leave empty to keep") % {
                "masked": value
            }
    return render(
        request,
        "registry/edit.html",
        {"kind": kind, "title": KIND_LABELS[kind], "form": form, "instance": instance},
    )


@login_required
def registry_import_view(request, kind: str):
    _kind_or_404(kind)
    if not request.user.has_perm(IMPORT_REGISTRY):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            user=request.user, kind=kind, file_name=upload.name, content=upload.read()
        )
        job_dispatch(job=job, task=run_import_job, args=(job.pk,))
        return redirect("core:import_status", pk=job.pk)
    columns = [(name, label) for name, label, _fn in COLUMNS[kind]]
    return render(
        request,
        "registry/import.html",
        {"kind": kind, "title": KIND_LABELS[kind], "form": form, "columns": columns},
    )


@login_required
def registry_export_view(request, kind: str):
    _kind_or_404(kind)
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not (kind in UNMASKED and request.user.has_perm(VIEW_PERSONAL_DATA)):
        raise PermissionDenied
    queryset = _filtered(request, kind).qs
    header, rows = export_rows(kind, queryset, unmasked=unmasked)
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT_UNMASKED if unmasked else AuditAction.EXPORT,
        object_type=kind,
        object_ref=request.GET.urlencode()[:100],
        fields=tuple(UNMASKED.get(kind, {})) if unmasked else (),
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "csv":
        response = HttpResponse(write_csv(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.csv"'
    else:
        response = HttpResponse(
            write_xlsx(header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.xlsx"'
    return response


@login_required
@require_POST
def customer_reveal_view(request, pk: int):
    customer = get_visible_or_404(request.user, QUERYSETS["customers"](), pk=pk)
    reveal_with_audit(
        user=request.user,
        object_type="customer",
        object_ref=customer.account_no,
        fields=("id_number", "phone"),
        request=request,
    )
    return render(request, "registry/_revealed.html", {"obj": customer})


@login_required
def registry_import_template_view(request, kind: str, file_format: str):
    """An empty file to fill and import: column headers in the page's language (Excel or CSV)."""
    from powerexpress.registry.specs import SPECS
    from powerexpress.registry.tables import import_template_header, import_template_xlsx

    if kind not in SPECS or file_format not in {"xlsx", "csv"}:
        raise Http404(kind)
    if not request.user.has_perm(IMPORT_REGISTRY):
        raise PermissionDenied
    if file_format == "csv":
        response = HttpResponse(
            write_csv(import_template_header(kind), []), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            import_template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_format}"'
    return response


def _may_set_up(user) -> bool:
    return user.has_perm(SET_UP_BUREAU)


@login_required
def first_run_view(request):
    """What a new installation lacks, with a link or a form to fix each (superusers and managers)."""
    from powerexpress.registry.forms import BureauSetupForm
    from powerexpress.registry.models import Bureau
    from powerexpress.registry.selectors import first_run_steps
    from powerexpress.registry.services import bureau_setup

    if not _may_set_up(request.user):
        raise PermissionDenied
    bureau = Bureau.objects.order_by("pk").first()
    initial = {"code": bureau.code, "name": bureau.name, "hotline": bureau.hotline} if bureau else {}
    form = BureauSetupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bureau_setup(
                code=data["code"],
                name=data["name"],
                hotline=data["hotline"],
                manager_username=data["manager"],
                manager_password=data["password"],
            )
        except ApiError as exc:
            apply_api_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:first_run")
    return render(
        request, "registry/first_run.html", {"steps": first_run_steps(), "form": form, "bureau": bureau}
    )


# Exports as background jobs: the list's export buttons post here, the job's page polls its progress.


@login_required
@require_POST
def registry_export_job_start_view(request, kind: str):
    from powerexpress.registry.services import registry_export_job_create
    from powerexpress.registry.tasks import run_export_job

    _kind_or_404(kind)
    unmasked = request.POST.get("unmasked") == "1"
    if unmasked and not (kind in UNMASKED and request.user.has_perm(VIEW_PERSONAL_DATA)):
        raise PermissionDenied
    try:
        job = registry_export_job_create(
            user=request.user,
            kind=kind,
            query=request.POST.get("query", ""),
            unmasked=unmasked,
            file_format=request.POST.get("format", "xlsx"),
            request=request,
        )
    except ApiError as exc:
        messages.error(request, exc.message)
        return redirect("registry:list", kind=kind)
    job_dispatch(job=job, task=run_export_job, args=(job.pk,))
    return redirect("registry:export_job", pk=job.pk)


@login_required
def export_job_view(request, pk: int):
    from django.shortcuts import get_object_or_404

    from powerexpress.core.models import ExportJob

    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    template = "registry/_export_job.html" if request.htmx else "registry/export_job.html"
    return render(request, template, {"job": job, "title": KIND_LABELS.get(job.kind, job.kind)})


@login_required
def export_job_download_view(request, pk: int):
    from django.http import FileResponse
    from django.shortcuts import get_object_or_404

    from powerexpress.core.models import ExportJob, ExportStatus
    from powerexpress.registry.services import export_file_path

    job = get_object_or_404(ExportJob, pk=pk, user=request.user, status=ExportStatus.SUCCEEDED)
    path = export_file_path(job)
    if not path.is_file():
        raise Http404(_("The exported file is no longer available; export again."))
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.download_name)
