"""Billing pages: runs and readings, bills explained, tariffs, agreements, debit files, KPIs."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import CHANGE_TARIFFS
from powerexpress.billing import selectors, services
from powerexpress.billing.filters import (
    AgreementFilterSet,
    BatchFilterSet,
    BillFilterSet,
    RunFilterSet,
)
from powerexpress.billing.forms import AgreementForm, StationMonthForm, TariffForm, UploadForm
from powerexpress.billing.models import Bill, TariffSchedule
from powerexpress.billing.permissions import can_operate_billing
from powerexpress.core.errors import ApiError
from powerexpress.core.filters import filtered_or_none
from powerexpress.core.forms import api_error_text
from powerexpress.core.masking import mask_bank_account
from powerexpress.core.scope import get_visible_or_404, visible
from powerexpress.registry.models import Customer, SupplyStation, Village


def _operator(request) -> None:
    if not can_operate_billing(request.user):
        raise PermissionDenied


def _offer_stations(filterset, user):
    """The station filter as a drop-down of the stations the user sees (it still takes codes);
    the filter fields' ids apart from those of the page's other form."""
    filterset.form.auto_id = "filter_%s"
    stations = visible(user, SupplyStation.objects.order_by("code")).values_list("code", "name")
    filterset.form.fields["station"].widget = forms.Select(choices=[("", "—"), *stations])
    return filterset


@login_required
def home_view(request):
    runs = _offer_stations(
        RunFilterSet(request.GET, queryset=selectors.runs_visible(request.user)), request.user
    )
    context = {
        "runs": filtered_or_none(runs)[:20],
        "run_filters": runs,
        "run_form": StationMonthForm(user=request.user),
        "upload_form": UploadForm(),
        "can_operate": can_operate_billing(request.user),
        "board": selectors.notice_board_tariff(),
    }
    return render(request, "billing/home.html", context)


@login_required
@require_POST
def readings_import_view(request):
    _operator(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV or Excel file."))
        return redirect("billing:home")
    upload = form.cleaned_data["file"]
    try:
        outcome = services.readings_import(user=request.user, file_name=upload.name, content=upload.read())
    except ApiError as exc:
        messages.error(request, api_error_text(exc, with_fields=True))
        return redirect("billing:home")
    return render(request, "billing/readings_result.html", {"outcome": outcome})


@login_required
@require_POST
def run_start_view(request):
    _operator(request)
    form = StationMonthForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a station and a month (YYYY-MM)."))
        return redirect("billing:home")
    try:
        run = services.billing_run_start(
            user=request.user,
            station=form.cleaned_data["station"],
            month=services.month_parse(form.cleaned_data["month"]),
        )
    except ApiError as exc:
        messages.error(request, api_error_text(exc, with_fields=True))
        return redirect("billing:home")
    return redirect("billing:run", pk=run.pk)


@login_required
def run_view(request, pk: int):
    run = get_visible_or_404(request.user, selectors.runs_visible(request.user), pk=pk)
    context = {
        "run": run,
        "held": selectors.held_readings(run)[:200],
        "missing": selectors.missing_households(run)[:200],
        "later_months": selectors.later_months_to_rerun(run),
        "can_operate": can_operate_billing(request.user),
    }
    template = "billing/_run_progress.html" if request.htmx else "billing/run.html"
    return render(request, template, context)


@login_required
@require_POST
def reading_fix_view(request, pk: int):
    """A clerk fixes a held reading from the run page: confirms a rollover, enters the corrected
    register or records a meter change; then re-runs the month."""
    _operator(request)
    reading = get_visible_or_404(request.user, selectors.readings_visible(request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "meter_change":
            services.meter_change_record(
                user=request.user,
                customer=reading.customer,
                changed_on=request.POST.get("changed_on", ""),
                old_final_kwh=request.POST.get("old_final_kwh", ""),
                new_start_kwh=request.POST.get("new_start_kwh", ""),
                register_digits=request.POST.get("register_digits") or None,
            )
        else:
            services.reading_resolve(
                user=request.user,
                reading=reading,
                action=action,
                register_kwh=request.POST.get("register_kwh", ""),
                register_digits=request.POST.get("register_digits") or None,
            )
        messages.success(request, _("Saved. Run the month again to bill this household."))
    except ApiError as exc:
        messages.error(request, api_error_text(exc, with_fields=True))
    run_pk = request.POST.get("run", "")
    return redirect("billing:run", pk=int(run_pk)) if run_pk.isdigit() else redirect("billing:home")


@login_required
def bills_view(request):
    filterset = BillFilterSet(request.GET, queryset=selectors.bills_visible(request.user))
    page = selectors.bills_page(
        filtered_or_none(filterset), after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    return render(request, "billing/bills.html", {"page": page, "filterset": filterset})


@login_required
def bill_view(request, pk: int):
    bill = get_visible_or_404(request.user, selectors.bills_visible(request.user), pk=pk)
    history = Bill.objects.filter(customer=bill.customer).order_by("-month", "-sequence")[:24]
    return render(
        request,
        "billing/bill.html",
        {
            "bill": bill,
            "explained": selectors.bill_explanation(bill),
            "history": history,
            "public_url": selectors.public_bill_url(bill),
        },
    )


def public_bill_view(request, token: str):
    """A villager's view of one bill (from the portal or an SMS link): light, no sign-in."""
    bill = selectors.public_bill_get(token)
    if bill is None:
        raise Http404
    return render(
        request, "billing/public_bill.html", {"bill": bill, "explained": selectors.bill_explanation(bill)}
    )


@login_required
def tariffs_view(request):
    schedules = TariffSchedule.objects.order_by("code", "-effective_from", "-version")
    return render(
        request,
        "billing/tariffs.html",
        {
            "schedules": schedules,
            "can_edit": request.user.has_perm(CHANGE_TARIFFS),
        },
    )


@login_required
def tariff_view(request, pk: int):
    schedule = get_object_or_404(TariffSchedule, pk=pk)
    return render(
        request,
        "billing/tariff.html",
        {"schedule": schedule, "definition": json.dumps(schedule.definition, ensure_ascii=False, indent=2)},
    )


@login_required
def tariff_edit_view(request, pk: int):
    if not request.user.has_perm(CHANGE_TARIFFS):
        raise PermissionDenied
    schedule = get_object_or_404(TariffSchedule, pk=pk)
    initial = {
        "name": schedule.name,
        "effective_from": schedule.effective_from,
        "to_verify": schedule.to_verify,
        "source": schedule.source,
        "definition": json.dumps(schedule.definition, ensure_ascii=False, indent=2),
    }
    form = TariffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.tariff_schedule_save(user=request.user, code=schedule.code, **form.cleaned_data)
        except ApiError as exc:
            form.add_error("definition", api_error_text(exc, with_fields=True))
        else:
            messages.success(request, _("Saved as version %(version)s.") % {"version": saved.version})
            return redirect("billing:tariff", pk=saved.pk)
    return render(request, "billing/tariff_edit.html", {"schedule": schedule, "form": form})


@login_required
def agreements_view(request):
    form = AgreementForm(request.POST or None)
    if request.method == "POST":
        _operator(request)
        if form.is_valid():
            data = form.cleaned_data
            customer = get_visible_or_404(
                request.user, Customer.objects.all(), account_no=data.pop("account_no")
            )
            try:
                services.agreement_sign(user=request.user, customer=customer, **data)
            except ApiError as exc:
                form.add_error(None, api_error_text(exc, with_fields=True))
            else:
                messages.success(
                    request, _("Agreement signed for %(account)s.") % {"account": customer.account_no}
                )
                return redirect("billing:agreements")
    filterset = AgreementFilterSet(request.GET, queryset=selectors.agreements_visible(request.user))
    page = Paginator(filtered_or_none(filterset), 50).get_page(request.GET.get("page"))
    rows = [(a, mask_bank_account(a.bank_account)) for a in page]
    return render(
        request,
        "billing/agreements.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filterset": filterset,
            "can_operate": can_operate_billing(request.user),
        },
    )


@login_required
@require_POST
def agreement_action_view(request, pk: int, action: str):
    _operator(request)
    agreement = get_visible_or_404(request.user, selectors.agreements_visible(request.user), pk=pk)
    actions = {"confirm": services.agreement_confirm, "cancel": services.agreement_cancel}
    if action not in actions:
        raise PermissionDenied
    try:
        actions[action](user=request.user, agreement=agreement)
    except ApiError as exc:
        messages.error(request, api_error_text(exc, with_fields=True))
    return redirect("billing:agreements")


@login_required
def debit_view(request):
    batch_form = StationMonthForm(user=request.user, prefix="batch")
    if request.method == "POST":
        _operator(request)
        try:
            if "file" in request.FILES:
                upload = request.FILES["file"]
                outcome = services.debit_return_import(
                    user=request.user,
                    batches=selectors.batches_visible(request.user),
                    file_name=upload.name,
                    content=upload.read(),
                )
                record = outcome.imported
                if outcome.repeated:
                    messages.info(request, _("This return file was already imported; nothing changed."))
                else:
                    messages.success(
                        request,
                        _("Return file imported: %(ok)s debited, %(failed)s failed.")
                        % {"ok": record.success_count, "failed": record.failed_count},
                    )
                for problem in record.problems:
                    messages.warning(request, _("Line %(line)s (bill %(bill)s): %(message)s") % problem)
                return redirect("billing:debit")
            batch_form = StationMonthForm(request.POST, user=request.user, prefix="batch")
            if batch_form.is_valid():
                batch = services.debit_batch_create(
                    user=request.user,
                    station=batch_form.cleaned_data["station"],
                    month=services.month_parse(batch_form.cleaned_data["month"]),
                )
                messages.success(request, _("Batch %(batch)s created.") % {"batch": batch.batch_no})
                return redirect("billing:debit")
        except ApiError as exc:
            messages.error(request, api_error_text(exc, with_fields=True))
    batches = _offer_stations(
        BatchFilterSet(request.GET, queryset=selectors.batches_visible(request.user)), request.user
    )
    return render(
        request,
        "billing/debit.html",
        {
            "batches": filtered_or_none(batches)[:50],
            "batch_filters": batches,
            "batch_form": batch_form,
            "upload_form": UploadForm(),
            "arrears": selectors.arrears_list(request.user)[:200],
            "can_operate": can_operate_billing(request.user),
        },
    )


@login_required
def batch_file_view(request, batch_no: str):
    _operator(request)
    batch = get_visible_or_404(request.user, selectors.batches_visible(request.user), batch_no=batch_no)
    return selectors.batch_file_response(user=request.user, batch=batch, request=request)


@login_required
def kpis_view(request):
    months = selectors.recent_months(
        int(request.GET.get("months", 12)) if request.GET.get("months", "").isdigit() else 12
    )
    return render(
        request,
        "billing/kpis.html",
        {
            "months": months,
            "signup": selectors.signup_kpis(request.user, months),
            "debit": selectors.debit_kpis(request.user),
            "villages": selectors.village_signup_table(request.user)[:50],
            "target": selectors.SIGNUP_TARGET,
        },
    )


@login_required
def worklist_view(request, village_code: str):
    village = get_visible_or_404(request.user, Village.objects.select_related("station"), code=village_code)
    households = selectors.unsigned_worklist(village)
    return render(
        request,
        "billing/worklist.html",
        {
            "village": village,
            "households": households[:500],
            "count": len(households),
            "rate": selectors.signup_rate(village),
        },
    )
