"""Pages: the public fill-in templates and status page, the station's queues and step forms, and the
managers' settings. Views only read input, call a service or selector, and render."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import USE_STAFF_PAGES, VIEW_PERSONAL_DATA
from powerexpress.applications import pdfs, workdays
from powerexpress.applications.calendar import last_known_year, working_days_between
from powerexpress.applications.choices import (
    KIND_FIELDS,
    PLAN_STEPS,
    TRANSITIONS,
    ApplicationKind,
    ApplicationSource,
    ApplicationStatus,
    Document,
)
from powerexpress.applications.forms import blank_raw, documents_for, examples_for, raw_from_post
from powerexpress.applications.links import track_path, track_token, track_token_valid
from powerexpress.applications.models import Application, HolidayNotice
from powerexpress.applications.permissions import can_edit_settings, can_move
from powerexpress.applications.selectors import (
    application_filterset,
    application_new_load_kw,
    application_public_get,
    application_steps,
    calendar_note_for_new_applications,
    due_dates_note,
    headroom_check,
    policy_current,
    station_due_counts,
    station_queues,
    time_limits_all,
)
from powerexpress.applications.services import (
    STEP_SERVICES,
    application_submit,
    application_withdraw,
    format_yuan,
    holiday_notice_save,
    settings_update,
)
from powerexpress.applications.validation import format_kw
from powerexpress.core.errors import ApiError
from powerexpress.core.forms import api_error_dict, api_error_text
from powerexpress.core.masking import mask_id_number, mask_phone
from powerexpress.core.reveal import reveal_with_audit
from powerexpress.core.scope import get_visible_or_404
from powerexpress.core.throttle import public_rate_limited
from powerexpress.registry.models import TransformerDistrict
from powerexpress.registry.places import place_groups


def _kind_or_404(kind: str) -> str:
    if kind not in ApplicationKind.values:
        raise Http404(kind)
    return kind


def apply_index(request):
    return render(
        request,
        "applications/apply_index.html",
        {"kinds": ApplicationKind.choices, "village": request.GET.get("village", "")},
    )


def _appliance_rows(raw: dict, errors: dict) -> list[dict]:
    rows = []
    for index, line in enumerate(raw.get("appliances") or [{"name": "", "quantity": "", "kw": ""}]):
        messages_ = [
            errors[f"appliances.{index}.{key}"]
            for key in ("name", "quantity", "kw")
            if f"appliances.{index}.{key}" in errors
        ]
        rows.append({**line, "errors": messages_})
    return rows


def _form_context(request, kind: str, raw: dict, errors: dict) -> dict:
    return {
        "kind": kind,
        "kind_label": ApplicationKind(kind).label,
        "raw": raw,
        "errors": errors,
        "rows": _appliance_rows(raw, errors),
        "fields": KIND_FIELDS[kind],
        "documents": documents_for(kind),
        "examples": examples_for(kind),
        "places": place_groups(),
        "calendar_note": calendar_note_for_new_applications(),
        "form_token": raw.get("form_token") or get_random_string(24),
    }


def apply_form(request, kind: str):
    kind = _kind_or_404(kind)
    if request.method != "POST":
        raw = blank_raw(kind, request.GET.get("village", ""), request.session.get("portal_phone", ""))
        return render(request, "applications/apply_form.html", _form_context(request, kind, raw, {}))
    raw = raw_from_post(request.POST, kind)
    raw["form_token"] = request.POST.get("form_token", "")
    if public_rate_limited(request, "applications:web"):
        errors = {"form": _("Too many submissions from this device. Please wait a minute and try again.")}
        return render(
            request, "applications/apply_form.html", _form_context(request, kind, raw, errors), status=429
        )
    source = (
        ApplicationSource.COUNTER
        if request.user.is_authenticated
        else (
            ApplicationSource.PORTAL if request.session.get("portal_customer_id") else ApplicationSource.WEB
        )
    )
    try:
        application, _created = application_submit(
            raw=raw, source=source, idempotency_key=raw["form_token"], user=request.user
        )
    except ApiError as exc:
        errors = api_error_dict(exc)
        return render(
            request, "applications/apply_form.html", _form_context(request, kind, raw, errors), status=422
        )
    messages.success(
        request, _("Your application was received. Keep the tracking number; we also sent it by SMS.")
    )
    return redirect(track_path(application.tracking_no))


def track_lookup(request):
    tracking_no, phone = request.GET.get("tracking_no", "").strip(), request.GET.get("phone", "").strip()
    error = ""
    if tracking_no or phone:
        if public_rate_limited(request, "applications:track"):
            error = _("Too many tries from this device. Please wait a minute and try again.")
        else:
            application = application_public_get(tracking_no, phone)
            if application is not None:
                return redirect(track_path(application.tracking_no))
            error = _("No application with this tracking number and mobile number.")
    return render(
        request,
        "applications/track_lookup.html",
        {"tracking_no": tracking_no, "phone": phone, "error": error},
    )


def _public_application(request, tracking_no: str) -> Application:
    token = request.GET.get("t", "") or request.POST.get("t", "")
    if not track_token_valid(tracking_no, token):
        raise Http404(tracking_no)
    application = (
        Application.objects.select_related("village", "station").filter(tracking_no=tracking_no).first()
    )
    if application is None:
        raise Http404(tracking_no)
    return application


def track(request, tracking_no: str):
    token = request.GET.get("t", "")
    if not track_token_valid(tracking_no, token):
        return redirect(f"{reverse('applications:track_lookup')}?tracking_no={tracking_no}")
    application = _public_application(request, tracking_no)
    return render(
        request,
        "applications/track.html",
        {
            "application": application,
            "steps": application_steps(application),
            "token": token,
            "connected_kw": format_kw(application.connected_kw),
            "requested_kw": format_kw(application.requested_kw),
            "fee_yuan": format_yuan(application.fee_fen),
            "due_note": due_dates_note(application),
            "can_withdraw": ApplicationStatus.WITHDRAWN in TRANSITIONS[application.status],
        },
    )


@require_POST
def track_withdraw(request, tracking_no: str):
    application = _public_application(request, tracking_no)
    try:
        application_withdraw(user=None, application=application, notes=_("Withdrawn by the applicant."))
    except ApiError as exc:
        messages.error(request, exc.message)
    return redirect(track_path(tracking_no))


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def receipt_pdf(request, tracking_no: str):
    application = _public_application(request, tracking_no)
    status_url = request.build_absolute_uri(track_path(tracking_no))
    return _pdf_response(pdfs.receipt_pdf(application, status_url), f"receipt-{tracking_no}.pdf")


def application_pdf(request, tracking_no: str):
    application = _public_application(request, tracking_no)
    return _pdf_response(pdfs.application_pdf(application), f"application-{tracking_no}.pdf")


def blank_pdf(request, kind: str):
    kind = _kind_or_404(kind)
    return _pdf_response(pdfs.blank_pdf(kind), f"application-form-{kind}.pdf")


@login_required
def application_list(request):
    filterset = application_filterset(request)
    queues = station_queues(request.user, applications=filterset.qs)
    closed = filterset.qs.filter(closed_at__isnull=False).order_by("-closed_at")
    return render(
        request,
        "applications/list.html",
        {
            "filterset": filterset,
            "overdue": queues["overdue"][:200],
            "near_due": queues["near_due"][:200],
            "page": Paginator(queues["open"], 50).get_page(request.GET.get("page")),
            "closed": closed[:20],
            "stations": station_due_counts(request.user),
            "station_code": request.GET.get("station", ""),
            "counts": {name: queues[name].count() for name in ("overdue", "near_due", "open")},
        },
    )


@login_required
def application_detail(request, tracking_no: str):
    application = get_visible_or_404(
        request.user,
        Application.objects.select_related("village", "station", "transformer"),
        tracking_no=tracking_no,
    )
    headroom = None
    if application.transformer_id and application.status in PLAN_STEPS:
        headroom = headroom_check(
            transformer=application.transformer, new_kw=application_new_load_kw(application)
        )
    next_steps = [
        (s, ApplicationStatus(s).label)
        for s in ApplicationStatus.values
        if s in TRANSITIONS[application.status]
    ]
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "steps": application_steps(application),
            "headroom": headroom,
            "next_steps": next_steps if can_move(request.user) else [],
            "token": track_token(application.tracking_no),
            "transformers": application.station.transformers.filter(village=application.village).order_by(
                "code"
            ),
            "events": application.events.select_related("actor"),
            "appliances": application.appliances.all(),
            "connected_kw": format_kw(application.connected_kw),
            "requested_kw": format_kw(application.requested_kw),
            "fee_yuan": format_yuan(application.fee_fen),
            "due_note": due_dates_note(application),
            "masked_id": mask_id_number(application.id_number),
            "masked_phone": mask_phone(application.phone),
            "can_reveal": request.user.has_perm(VIEW_PERSONAL_DATA),
            "working_days_left": _working_days_left(application),
            "document_labels": [
                Document(doc).label for doc in application.documents if doc in Document.values
            ],
        },
    )


def _working_days_left(application: Application) -> int | None:
    if application.due_on is None:
        return None
    return working_days_between(timezone.localdate(), application.due_on)


@login_required
@require_POST
def application_reveal(request, tracking_no: str):
    """Show the full ID number and mobile to a role that may see them; every reveal is audited."""
    application = get_visible_or_404(request.user, Application.objects.all(), tracking_no=tracking_no)
    reveal_with_audit(
        user=request.user,
        object_type="application",
        object_ref=application.tracking_no,
        fields=("id_number", "phone"),
        request=request,
    )
    return render(request, "applications/_revealed.html", {"application": application})


def _fee_fen(text: str) -> int:
    """Yuan as typed ("120", "120.5") → fen; -1 when not a valid amount (the service refuses it)."""
    try:
        yuan = Decimal(text.strip() or "0")
    except InvalidOperation:
        return -1
    if not yuan.is_finite() or yuan.as_tuple().exponent < -2:
        return -1
    return int(yuan * 100)


@login_required
@require_POST
def application_move(request, tracking_no: str):
    application = get_visible_or_404(request.user, Application.objects.all(), tracking_no=tracking_no)
    if not can_move(request.user):
        raise PermissionDenied
    to_status = request.POST.get("to_status", "")
    kwargs = {"user": request.user, "application": application, "notes": request.POST.get("notes", "")}
    if to_status == ApplicationStatus.SURVEYED and request.POST.get("transformer"):
        kwargs["transformer"] = get_visible_or_404(
            request.user, TransformerDistrict.objects.all(), pk=request.POST["transformer"]
        )
    if to_status == ApplicationStatus.PLAN_REPLIED:
        kwargs.update(
            fee_fen=_fee_fen(request.POST.get("fee_yuan", "")),
            acknowledge_headroom=request.POST.get("acknowledge_headroom") == "1",
        )
    service = STEP_SERVICES.get(to_status)
    if service is None:
        messages.error(request, _("Choose a next step."))
        return redirect("applications:detail", tracking_no=tracking_no)
    try:
        service(**kwargs)
    except ApiError as exc:
        details = " ".join(item["message"] for item in exc.errors or [])
        messages.error(request, f"{exc.message} {details}".strip())
    return redirect("applications:detail", tracking_no=tracking_no)


@login_required
def application_settings(request):
    if not request.user.has_perm(USE_STAFF_PAGES):
        raise PermissionDenied
    editable = can_edit_settings(request.user)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        try:
            settings_update(user=request.user, values=request.POST)
            messages.success(
                request, _("Settings saved. Time limits apply to applications received from now on.")
            )
        except ApiError as exc:
            messages.error(request, api_error_text(exc, sep=" "))
        return redirect("applications:settings")
    return _settings_page(request, editable=editable)


def _settings_page(request, *, editable: bool, notice_errors=None, notice_values=None, status: int = 200):
    return render(
        request,
        "applications/settings.html",
        {
            "limits": time_limits_all(),
            "editable": editable,
            "policy": policy_current(),
            "notices": HolidayNotice.objects.all(),
            "calendar_last_year": workdays.KNOWN_LAST_YEAR,
            "notice_errors": notice_errors or {},
            "notice_values": notice_values or {"year": last_known_year() + 1},
        },
        status=status,
    )


@login_required
@require_POST
def holiday_notice_save_view(request):
    if not can_edit_settings(request.user):
        raise PermissionDenied
    values = {name: request.POST.get(name, "") for name in ("year", "holidays", "makeup_workdays", "source")}
    try:
        notice = holiday_notice_save(user=request.user, **values)
    except ApiError as exc:
        errors = api_error_dict(exc, form_key=None)
        return _settings_page(request, editable=True, notice_errors=errors, notice_values=values, status=422)
    messages.success(
        request,
        _("Holiday notice for %(year)s saved: due dates computed from now on use it.")
        % {"year": notice.year},
    )
    return redirect("applications:settings")
