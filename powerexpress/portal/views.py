"""The villager portal: tiny mobile pages behind a one-time-code sign-in.

A signed-in household is kept in the session (``portal_customer_id``), apart from staff sign-in.
"""

from functools import wraps

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from powerexpress.applications.links import track_path
from powerexpress.applications.models import Application
from powerexpress.applications.selectors import applications_for_phone
from powerexpress.applications.services import format_yuan
from powerexpress.core.errors import ApiError
from powerexpress.core.forms import api_error_dict
from powerexpress.core.masking import mask_phone
from powerexpress.core.throttle import public_rate_limited
from powerexpress.portal.selectors import (
    bills_for,
    credit_balance_for,
    optional,
    optional_url,
    portal_customer,
    tickets_for,
)
from powerexpress.portal.services import application_rate, login_code_request, login_code_verify

TOO_MANY = gettext_lazy("Too many tries from this device. Please wait a minute and try again.")


def portal_login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.customer = portal_customer(request)
        if request.customer is None:
            return redirect("portal:login")
        return view(request, *args, **kwargs)

    return wrapper


def login(request):
    values = {
        "account_no": request.POST.get("account_no", "").strip(),
        "phone": request.POST.get("phone", "").strip(),
    }
    errors = {}
    if request.method == "POST":
        if public_rate_limited(request, "portal:code"):
            errors["form"] = str(TOO_MANY)
        else:
            try:
                login_code_request(**values)
                request.session["portal_pending"] = values
                messages.info(
                    request, _("If the account number and mobile match our records, a code was sent by SMS.")
                )
                return redirect("portal:login_code")
            except ApiError as exc:
                errors = api_error_dict(exc)
    return render(request, "portal/login.html", {"values": values, "errors": errors})


def login_code(request):
    pending = request.session.get("portal_pending")
    if not pending:
        return redirect("portal:login")
    errors = {}
    if request.method == "POST":
        if public_rate_limited(request, "portal:verify"):
            errors["code"] = str(TOO_MANY)
        else:
            try:
                customer = login_code_verify(code=request.POST.get("code", ""), **pending)
                request.session.cycle_key()
                request.session.pop("portal_pending", None)
                request.session.update({"portal_customer_id": customer.pk, "portal_phone": customer.phone})
                return redirect("portal:home")
            except ApiError as exc:
                errors = api_error_dict(exc)
    return render(
        request, "portal/login_code.html", {"phone": mask_phone(pending["phone"]), "errors": errors}
    )


@require_POST
def logout(request):
    for key in ("portal_customer_id", "portal_phone", "portal_pending"):
        request.session.pop(key, None)
    return redirect("portal:login")


@portal_login_required
def home(request):
    return render(request, "portal/home.html", {"customer": request.customer})


@portal_login_required
def bills(request):
    rows = bills_for(request.customer)
    if rows is not None:
        rows = [{**row, "amount_yuan": format_yuan(row["amount_fen"])} for row in rows[:24]]
    credit_fen = credit_balance_for(request.customer) or 0
    context = {"bills": rows, "latest": rows[0] if rows else None, "credit_yuan": format_yuan(credit_fen)}
    return render(request, "portal/bills.html", {**context, "has_credit": credit_fen > 0})


@portal_login_required
def autodebit(request):
    create = optional("powerexpress.billing.services", "agreement_request_create")
    channels = optional("powerexpress.billing.choices", "AgreementChannel")
    values = {
        "bank_name": request.POST.get("bank_name", _("County rural credit union")).strip(),
        "bank_account": request.POST.get("bank_account", "").strip(),
        "channel": request.POST.get("channel", "counter"),
    }
    errors = {}
    if request.method == "POST" and create is not None:
        try:
            create(customer=request.customer, campaign_ref="portal", **values)
            messages.success(request, _("Request sent. The station will confirm it and tell you by SMS."))
            return redirect("portal:home")
        except ApiError as exc:
            errors = api_error_dict(exc)
    return render(
        request,
        "portal/autodebit.html",
        {
            "available": create is not None and channels is not None,
            "values": values,
            "errors": errors,
            "channels": channels.choices if channels is not None else [],
        },
    )


@portal_login_required
def faults(request):
    create = optional("powerexpress.repair.services", "fault_report_create")
    customer = request.customer
    errors, description = {}, request.POST.get("description", "").strip()
    if request.method == "POST" and create is not None:
        if public_rate_limited(request, "portal:fault"):
            errors["form"] = str(TOO_MANY)
        else:
            try:
                ticket = create(
                    village=customer.village,
                    phone=customer.phone,
                    description=description,
                    account_no=customer.account_no,
                    source="portal",
                    idempotency_key=request.POST.get("form_token") or None,
                )
                messages.success(
                    request,
                    _("Fault reported: number %(number)s. The service team is told now.")
                    % {"number": ticket.number},
                )
                return redirect("portal:faults")
            except ApiError as exc:
                errors = api_error_dict(exc)
    tickets = tickets_for(customer.phone)
    follow = [(t, _follow_url(t.number, customer.phone)) for t in tickets or []]
    return render(
        request,
        "portal/faults.html",
        {
            "available": create is not None,
            "tickets": follow,
            "errors": errors,
            "description": description,
            "form_token": get_random_string(24),
            "tickets_available": tickets is not None,
        },
    )


def _follow_url(number: str, phone: str) -> str | None:
    url = optional_url("repair:follow", number)
    return f"{url}?phone={phone}" if url else None


@portal_login_required
def applications(request):
    rows = [
        (a, track_path(a.tracking_no), a.status == "connected" and not hasattr(a, "rating"))
        for a in applications_for_phone(request.customer.phone).select_related("rating")[:20]
    ]
    apply_url = f"{reverse('applications:apply')}?village={request.customer.village.code}"
    return render(request, "portal/applications.html", {"rows": rows, "apply_url": apply_url})


@portal_login_required
def board(request):
    url = optional_url("outreach:notice_board", request.customer.village.code)
    if url:
        return redirect(url)
    return render(request, "portal/unavailable.html", {"title": _("Village notice board")})


@portal_login_required
def rate(request, tracking_no: str):
    application = get_object_or_404(Application, tracking_no=tracking_no, phone=request.customer.phone)
    errors = {}
    if request.method == "POST":
        try:
            stars = int(request.POST.get("stars", "0") or 0)
        except ValueError:
            stars = 0
        try:
            application_rate(
                customer=request.customer,
                application=application,
                stars=stars,
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("Thank you for your rating!"))
            return redirect("portal:applications")
        except ApiError as exc:
            errors = api_error_dict(exc)
    return render(
        request, "portal/rate.html", {"application": application, "errors": errors, "stars": range(5, 0, -1)}
    )
