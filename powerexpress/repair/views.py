"""Pages: the villager's report, follow and rating pages (public, light), the hotline entry,
the station's ticket list and detail, the crew's phone page, outages, KPIs and commitments."""

import datetime
import secrets
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import USE_STAFF_PAGES, VIEW_PERSONAL_DATA
from powerexpress.core.audit import audit_record
from powerexpress.core.errors import ApiError
from powerexpress.core.forms import api_error_text, apply_api_error
from powerexpress.core.masking import mask_phone
from powerexpress.core.models import AuditAction
from powerexpress.core.reveal import reveal_with_audit
from powerexpress.core.scope import get_visible_or_404, visible
from powerexpress.core.throttle import public_rate_limited
from powerexpress.registry.models import Customer, TransformerDistrict, Village
from powerexpress.registry.places import place_picker
from powerexpress.repair.choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    UNDO_WINDOW_S,
    FaultSource,
    FaultStatus,
    NoteKind,
)
from powerexpress.repair.forms import NoteForm, PlannedOutageForm, RatingForm, RepairSettingsForm, ReportForm
from powerexpress.repair.models import FaultTicket
from powerexpress.repair.selectors import (
    arrival_judgement,
    can_dispatch,
    can_manage_settings,
    can_work,
    crew_for_station,
    crew_steps_after,
    offline_conflicts_for,
    outage_households,
    outages_visible,
    repair_kpi_table,
    repair_settings_for,
    ticket_filterset,
    ticket_for_reporter,
    tickets_for_card,
    tickets_for_crew,
    tickets_visible,
    village_for_report,
)
from powerexpress.repair.services import (
    fault_note_add,
    fault_report_submit,
    fault_ticket_rate,
    fault_ticket_step_undo,
    fault_ticket_transition,
    outage_restore,
    planned_outage_announce,
    planned_outage_notify,
    repair_settings_update,
)

SESSION_NUMBERS = "repair_reported"


def role_required(view):
    """Signed in and holding a role (a user with no role sees nothing)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(USE_STAFF_PAGES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _report(request, form: ReportForm, *, source: str, actor=None):
    """Validate the form and record the report; returns the ticket or None (errors on the form)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    village = village_for_report(data["village"], data["phone"])
    if village is None:
        form.add_error("village", _("Choose the village."))
        return None
    try:
        ticket, created = fault_report_submit(
            village=village,
            phone=data["phone"],
            description=data["description"],
            account_no=data["account_no"] or None,
            source=source,
            idempotency_key=data["idempotency_key"],
            actor=actor,
        )
    except ApiError as exc:
        apply_api_error(form, exc)
        return None
    if created and data.get("photo"):
        fault_note_add(
            ticket=ticket, actor=actor, kind=NoteKind.PHOTO, text=_("Reporter's photo"), photo=data["photo"]
        )
    return ticket


def report(request):
    """Public report page; ``?village=CODE`` (the notice-board QR code) pre-fills the village."""
    code = request.GET.get("village", "").strip()
    village = Village.objects.filter(code=code).only("code", "name").first() if code else None
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if public_rate_limited(request, "repair.report_page"):
            form.is_valid()
            form.add_error(None, _("Too many reports from this device; wait a minute and try again."))
        else:
            source = FaultSource.QR if request.POST.get("via") == "qr" else FaultSource.PORTAL
            ticket = _report(request, form, source=source)
            if ticket is not None:
                request.session[SESSION_NUMBERS] = [ticket.number, *request.session.get(SESSION_NUMBERS, [])][
                    :20
                ]
                return redirect("repair:follow", number=ticket.number)
        posted = form.data.get("village", "")
        village = village or Village.objects.filter(code=posted).only("code", "name").first()
    else:
        form = ReportForm(
            initial={"village": village.code if village else "", "idempotency_key": uuid.uuid4().hex}
        )
    picker = (
        None
        if village
        else place_picker(
            township_code=request.POST.get("township") or request.GET.get("township", ""),
            village_code=form.data.get("village", "") if form.is_bound else "",
        )
    )
    return render(request, "repair/report.html", {"form": form, "village": village, "picker": picker})


def follow(request, number: str):
    """Public follow page for one ticket: this browser reported it, or the reporter's phone is given."""
    phone = request.GET.get("phone", "").strip()
    ticket = None
    if number in request.session.get(SESSION_NUMBERS, []):
        ticket = FaultTicket.objects.select_related("village", "outage").filter(number=number).first()
    elif phone:
        if public_rate_limited(request, "repair.follow_page"):
            raise PermissionDenied
        ticket = ticket_for_reporter(number, phone)
    if ticket is None:
        return render(
            request, "repair/follow_ask.html", {"number": number, "phone": phone, "tried": bool(phone)}
        )
    steps = [
        FaultStatus.REPORTED,
        FaultStatus.DISPATCHED,
        FaultStatus.EN_ROUTE,
        FaultStatus.ON_SITE,
        FaultStatus.RESTORED,
        FaultStatus.CLOSED,
    ]
    reached = {event.to_status: event.at for event in ticket.events.all()}
    return render(
        request,
        "repair/follow.html",
        {
            "ticket": ticket,
            "steps": [(s, FaultStatus(s).label, reached.get(s)) for s in steps],
            "rating_form": RatingForm()
            if ticket.status == FaultStatus.CLOSED and ticket.rating is None
            else None,
        },
    )


def rate(request, number: str, token: str):
    """The rating link sent to the reporter when the ticket closes: 1–5 stars and a comment."""
    ticket = FaultTicket.objects.select_related("village").filter(number=number).first()
    if ticket is None or not secrets.compare_digest(ticket.rating_token, token):
        raise Http404
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fault_ticket_rate(
                ticket=ticket, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except ApiError as exc:
            apply_api_error(form, exc)
        else:
            return render(request, "repair/rated.html", {"ticket": ticket})
    return render(request, "repair/rate.html", {"ticket": ticket, "form": form})


@role_required
def hotline(request):
    """Hotline entry for station staff: the caller's phone, village and (looked up) account."""
    if not can_dispatch(request.user):
        raise PermissionDenied
    form = ReportForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST":
        village_code = request.POST.get("village", "")
        if not visible(request.user, Village.objects.filter(code=village_code)).exists():
            form.is_valid()
            form.add_error("village", _("Choose one of your villages."))
        else:
            ticket = _report(request, form, source=FaultSource.HOTLINE, actor=request.user)
            if ticket is not None:
                messages.success(request, _("Ticket %(number)s recorded.") % {"number": ticket.number})
                return redirect("repair:detail", number=ticket.number)
    villages = visible(request.user, Village.objects.order_by("code"))
    return render(request, "repair/hotline.html", {"form": form, "villages": villages})


@role_required
def account_lookup(request):
    """htmx: find a household by account number or mobile within the user's stations."""
    query = request.GET.get("q", "").strip()
    customers = []
    if len(query) >= 4:
        customers = list(
            visible(request.user, Customer.objects.select_related("village", "transformer")).filter(
                account_no=query
            )[:1]
            or visible(request.user, Customer.objects.select_related("village", "transformer")).filter(
                phone=query
            )[:5]
        )
    rows = [
        {
            "account_no": c.account_no,
            "name": c.name,
            "village": c.village,
            "transformer": c.transformer,
            "phone": mask_phone(c.phone),
        }
        for c in customers
    ]
    return render(request, "repair/_lookup.html", {"rows": rows, "query": query})


@role_required
def ticket_list(request):
    data = request.GET.copy()
    data.setdefault("status", "open")
    filterset = ticket_filterset(request.user, data)
    filterset.is_valid()  # a bad value is shown on the form; the valid fields still filter
    status = filterset.form.cleaned_data.get("status")
    tickets = filterset.qs.order_by("arrival_due_at" if status == "open" else "-reported_at")
    context = {
        "filterset": filterset,
        "page": Paginator(tickets, 50).get_page(request.GET.get("page")),
        "can_dispatch": can_dispatch(request.user),
    }
    template = "repair/_ticket_rows.html" if request.htmx else "repair/list.html"
    return render(request, template, context)


@role_required
def ticket_detail(request, number: str):
    ticket = get_visible_or_404(request.user, tickets_visible(request.user), number=number)
    moves = [
        (s, FaultStatus(s).label)
        for s in FaultStatus.values
        if s in TRANSITIONS[ticket.status] and s not in (FaultStatus.DISPATCHED, FaultStatus.DUPLICATE)
    ]
    return render(
        request,
        "repair/detail.html",
        {
            "ticket": ticket,
            "phone": mask_phone(ticket.phone),
            "can_work": can_work(request.user, ticket),
            "can_dispatch": can_dispatch(request.user),
            "moves": moves,
            "may_dispatch": FaultStatus.DISPATCHED in TRANSITIONS[ticket.status],
            "may_duplicate": FaultStatus.DUPLICATE in TRANSITIONS[ticket.status],
            "crew": crew_for_station(ticket.station_id),
            "events": ticket.events.select_related("actor"),
            "notes": ticket.notes.select_related("author"),
            "note_form": NoteForm(),
            "can_reveal": request.user.has_perm(VIEW_PERSONAL_DATA),
        },
    )


@role_required
@require_POST
def ticket_reveal(request, number: str):
    """htmx: show the reporter's full mobile to a role allowed to, and audit it."""
    ticket = get_visible_or_404(request.user, tickets_visible(request.user), number=number)
    reveal_with_audit(
        user=request.user,
        object_type="repair.faultticket",
        object_ref=ticket.number,
        fields=["phone"],
        request=request,
    )
    return HttpResponse(f'<a href="tel:{ticket.phone}">{ticket.phone}</a>')


def _back(request, ticket):
    if request.POST.get("next") == "crew":
        return redirect("repair:crew")
    return redirect("repair:detail", number=ticket.number)


@role_required
@require_POST
def ticket_move(request, number: str):
    ticket = get_visible_or_404(request.user, tickets_visible(request.user), number=number)
    if not can_work(request.user, ticket):
        raise PermissionDenied
    to_status = request.POST.get("status", "")
    assignee = duplicate_of = None
    if to_status == FaultStatus.DISPATCHED:
        assignee = crew_for_station(ticket.station_id).filter(pk=request.POST.get("assignee") or 0).first()
    if to_status == FaultStatus.DUPLICATE:
        duplicate_of = (
            tickets_visible(request.user).filter(number=request.POST.get("duplicate_of", "")).first()
        )
    try:
        fault_ticket_transition(
            ticket=ticket,
            to_status=to_status,
            actor=request.user,
            notes=request.POST.get("notes", ""),
            assignee=assignee,
            duplicate_of=duplicate_of,
        )
    except ApiError as exc:
        messages.error(request, "; ".join([str(exc.message)] + [str(e["message"]) for e in exc.errors or []]))
    return _back(request, ticket)


@role_required
@require_POST
def ticket_note(request, number: str):
    ticket = get_visible_or_404(request.user, tickets_visible(request.user), number=number)
    if not can_work(request.user, ticket):
        raise PermissionDenied
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            fault_note_add(
                ticket=ticket,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                photo=form.cleaned_data["photo"],
            )
            messages.success(request, _("Saved."))
        except ApiError as exc:
            messages.error(request, api_error_text(exc))
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return _back(request, ticket)


def _crew_card_context(request, ticket, *, full: bool, confirm: str = "", undo: bool = False) -> dict:
    """What the crew's ticket card shows: the caller's phone in full only on the crew member's own
    open ticket (each showing audited), the place, the clock, photos and the next step."""
    own_open = ticket.assignee_id == request.user.pk and ticket.status in OPEN_STATUSES
    if full and own_open:
        audit_record(
            user=request.user,
            action=AuditAction.REVEAL,
            object_type="repair.faultticket",
            object_ref=ticket.number,
            fields=["phone"],
            request=request,
        )
    village = ticket.village
    steps = crew_steps_after(ticket.status)
    return {
        "ticket": ticket,
        "full": full,
        "phone": ticket.phone if full and own_open else mask_phone(ticket.phone),
        "phone_full": full and own_open,
        "geo": f"geo:{village.latitude},{village.longitude}?q={village.latitude},{village.longitude}"
        if village.latitude is not None and village.longitude is not None
        else "",
        "next": steps[0] if steps else None,
        "later_steps": steps[1:],
        "photos": [n for n in ticket.notes.all() if n.photo],
        "texts": [n for n in ticket.notes.all() if not n.photo],
        "arrival_judged": arrival_judgement(ticket),
        "confirm": confirm,
        "undo": undo,
        "undo_seconds": UNDO_WINDOW_S,
    }


def _crew_ticket(request, number: str) -> FaultTicket:
    ticket = get_visible_or_404(request.user, tickets_for_card(request.user), number=number)
    if not can_work(request.user, ticket):
        raise PermissionDenied
    return ticket


@role_required
def crew_page(request):
    """The crew's phone home: my open tickets, most urgent first, each with its next step."""
    tickets = list(tickets_for_crew(request.user).select_related("village", "transformer", "customer"))
    cards = [_crew_card_context(request, t, full=False) for t in tickets]
    conflicts = offline_conflicts_for(request.user)
    return render(request, "repair/crew.html", {"cards": cards, "conflicts": conflicts})


@role_required
def crew_ticket(request, number: str):
    """The crew's ticket card: call, navigate, clock, photos and the next step as one button."""
    ticket = _crew_ticket(request, number)
    return render(request, "repair/crew_ticket.html", _crew_card_context(request, ticket, full=True))


def _card_response(request, ticket, *, confirm: str = "", undo: bool = False, error: str = ""):
    ticket = tickets_for_card(request.user).get(pk=ticket.pk)
    context = _crew_card_context(
        request, ticket, full=request.POST.get("full") == "1", confirm=confirm, undo=undo
    )
    context["error"] = error
    return render(request, "repair/_crew_card.html", context)


@role_required
@require_POST
def crew_step(request, number: str):
    """htmx: take the next step and answer the card in place with a confirmation and an undo."""
    ticket = _crew_ticket(request, number)
    try:
        moved = fault_ticket_transition(
            ticket=ticket, to_status=request.POST.get("status", ""), actor=request.user
        )
    except ApiError as exc:
        return _card_response(request, ticket, error=api_error_text(exc))
    label = FaultStatus(moved.status).label
    return _card_response(request, moved, confirm=_("Recorded: %(step)s") % {"step": label}, undo=True)


@role_required
@require_POST
def crew_undo(request, number: str):
    """htmx: take back my last step (a mis-tap) within the undo window."""
    ticket = _crew_ticket(request, number)
    try:
        fault_ticket_step_undo(ticket=ticket, actor=request.user)
    except ApiError as exc:
        return _card_response(request, ticket, error=api_error_text(exc))
    return _card_response(request, ticket, confirm=_("Step undone."))


@role_required
@require_POST
def crew_note(request, number: str):
    """htmx: add a note, material or before/after photo from the card."""
    ticket = _crew_ticket(request, number)
    form = NoteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _card_response(
            request, ticket, error="; ".join(e for errs in form.errors.values() for e in errs)
        )
    try:
        fault_note_add(ticket=ticket, actor=request.user, **form.cleaned_data)
    except ApiError as exc:
        return _card_response(request, ticket, error=api_error_text(exc))
    return _card_response(request, ticket, confirm=_("Saved."))


@role_required
def outage_list(request):
    outages = outages_visible(request.user)
    page = Paginator(outages, 50).get_page(request.GET.get("page"))
    return render(request, "repair/outages.html", {"page": page, "can_dispatch": can_dispatch(request.user)})


@role_required
def outage_detail(request, pk: int):
    outage = get_visible_or_404(request.user, outages_visible(request.user), pk=pk)
    households = Paginator(outage_households(outage), 100).get_page(request.GET.get("page"))
    rows = [
        {"account_no": c.account_no, "name": c.name, "village": c.village.name, "phone": mask_phone(c.phone)}
        for c in households
    ]
    return render(
        request,
        "repair/outage.html",
        {
            "outage": outage,
            "tickets": outage.tickets.select_related("village"),
            "households": households,
            "rows": rows,
            "can_dispatch": can_dispatch(request.user),
        },
    )


@role_required
@require_POST
def outage_action(request, pk: int, action: str):
    if action not in ("restore", "notify"):
        raise Http404
    outage = get_visible_or_404(request.user, outages_visible(request.user), pk=pk)
    if not can_dispatch(request.user):
        raise PermissionDenied
    try:
        if action == "restore":
            outage_restore(outage=outage, actor=request.user)
            messages.success(request, _("Outage restored with its tickets."))
        else:
            counts = planned_outage_notify(outage=outage)
            messages.success(
                request,
                _("Notices handled: %(counts)s")
                % {"counts": ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "0"},
            )
    except ApiError as exc:
        messages.error(request, exc.message)
    return redirect("repair:outage", pk=outage.pk)


@role_required
def outage_plan(request):
    """Announce a planned outage (at least the notice period ahead)."""
    if not can_dispatch(request.user):
        raise PermissionDenied
    transformers = visible(
        request.user, TransformerDistrict.objects.select_related("village").order_by("code")
    )
    form = PlannedOutageForm(request.POST or None, transformers=transformers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outage = planned_outage_announce(
                transformer=data["transformer"],
                start_at=data["start_at"],
                end_at=data["end_at"],
                reason=data["reason"],
                actor=request.user,
            )
        except ApiError as exc:
            apply_api_error(form, exc)
        else:
            return redirect("repair:outage", pk=outage.pk)
    return render(request, "repair/outage_plan.html", {"form": form})


@role_required
def kpis(request):
    since = timezone.now() - datetime.timedelta(days=90)
    return render(request, "repair/kpis.html", {"rows": repair_kpi_table(request.user, since=since)})


@role_required
def commitments(request):
    """The bureau's commitments: managers edit, everyone else reads."""
    bureau_id = (
        request.user.station.bureau_id
        if request.user.station
        else Village.objects.values_list("station__bureau_id", flat=True).first()
    )
    if bureau_id is None:
        raise Http404
    settings_obj = repair_settings_for(bureau_id)
    editable = can_manage_settings(request.user)
    form = RepairSettingsForm(request.POST or None, instance=settings_obj)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            repair_settings_update(
                settings_obj=settings_obj,
                actor=request.user,
                values={name: form.cleaned_data[name] for name in form.fields},
            )
            messages.success(request, _("Commitments saved."))
            return redirect("repair:settings")
    return render(
        request, "repair/settings.html", {"form": form, "editable": editable, "settings": settings_obj}
    )
