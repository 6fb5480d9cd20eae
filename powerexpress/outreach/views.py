"""Pages of the outreach programme: thin views over the selectors and services."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.core.errors import ApiError
from powerexpress.core.filters import filtered_or_none
from powerexpress.core.forms import apply_api_error
from powerexpress.core.offline import offline_conflicts
from powerexpress.core.scope import get_visible_or_404, visible
from powerexpress.outreach import selectors, services
from powerexpress.outreach.board import board_pdf, qr_svg
from powerexpress.outreach.calc import shift_month
from powerexpress.outreach.choices import HazardStatus, PlanStatus
from powerexpress.outreach.filters import (
    ActivityFilterSet,
    CampaignFilterSet,
    HazardFilterSet,
)
from powerexpress.outreach.forms import (
    ActivityForm,
    BeneficiaryForm,
    CampaignForm,
    CharityCampaignForm,
    DistributionForm,
    DonationForm,
    InspectionForm,
    MeetingForm,
    PlanItemForm,
    ProgressForm,
    ReinspectionForm,
    VisitForm,
    VisitPlanForm,
)
from powerexpress.outreach.models import (
    Activity,
    Beneficiary,
    CharityCampaign,
    Hazard,
    InspectionCampaign,
    PlanItem,
    ProgressMeeting,
)
from powerexpress.registry.choices import CustomerTag
from powerexpress.registry.models import Customer, SupplyStation, Team, Village


def _require_recorder(user) -> None:
    if not services.can_record(user):
        raise PermissionDenied


def _form_page(
    request, form, save, *, title: str, back: str, detail: str, multipart: bool = False, success=None
):
    """What every "new …" and "edit …" page does: a valid form's data goes to ``save(data)`` (a
    service call); field errors the service raises come back onto the form; the object's page
    follows, with ``success(obj)`` as the message when given. ``back`` is a URL."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(dict(form.cleaned_data))
        except ApiError as exc:
            apply_api_error(form, exc)
        else:
            if success:
                messages.success(request, success(saved))
            return redirect(detail, pk=saved.pk)
    return render(
        request, "outreach/form.html", {"form": form, "title": title, "back": back, "multipart": multipart}
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def home(request):
    user, today = request.user, timezone.localdate()
    year_activities = selectors.with_signups(
        selectors.activity_list(user).filter(held_on__gte=today.replace(month=1, day=1))
    )
    care = selectors.care_page_counts(user, today=today)
    context = {
        "totals": selectors.activity_totals(year_activities),
        "overdue_items": selectors.plan_items(user, status="overdue").count(),
        "care": care,
        "hazards": selectors.hazard_counts(selectors.hazard_list(user), today),
        "recent": year_activities[:10],
        "teams": visible(user, Team.objects.select_related("station", "responsible_person")),
    }
    return render(request, "outreach/home.html", context)


@login_required
def today(request):
    """The team member's day on a phone: today's activities, households due a care visit and the
    inspection campaigns running today (cached by the phone for offline use)."""
    user, day = request.user, timezone.localdate()
    due_today = selectors.care_in_states(selectors.care_queryset(user, today=day), DUE_TODAY, day)
    care = selectors.care_rows(due_today[:30], day)
    context = {
        "day": day,
        "activities": selectors.activity_list(user).filter(held_on=day),
        "care": care,
        "campaigns": visible(user, InspectionCampaign.objects.filter(starts_on__lte=day, ends_on__gte=day)),
        "hazards": selectors.hazard_list(user, status="overdue", today=day)[:10],
        "conflicts": offline_conflicts(user),
    }
    return render(request, "outreach/today.html", context)


DUE_TODAY = ("never", "overdue", "due")


# Activities


PICK_LISTS = {"station": SupplyStation, "village": Village, "team": Team}


def _pick_label(field: str, code: str, name: str) -> str:
    """Villages by code and name (names repeat across townships); stations and teams by name
    (a team's code carries English words)."""
    return f"{code} {name}" if field == "village" else name


def _offer_pick_lists(form, user) -> None:
    """Station, village and team filters become drop-downs of what the user may see (the
    FilterSet still takes codes, as the API does)."""
    for field, model in PICK_LISTS.items():
        if field in form.fields:
            rows = visible(user, model.objects.all()).order_by("code").values_list("code", "name")
            form.fields[field].widget = forms.Select(
                choices=[("", "—")] + [(code, _pick_label(field, code, name)) for code, name in rows]
            )


def _filter_page(request, filterset_class, queryset, **context):
    filterset = filterset_class(request.GET, queryset=queryset)
    _offer_pick_lists(filterset.form, request.user)
    page = Paginator(filtered_or_none(filterset), 50).get_page(request.GET.get("page"))
    return {"filterset": filterset, "page": page, **context}


@login_required
def activity_list(request):
    context = _filter_page(
        request,
        ActivityFilterSet,
        selectors.activity_list(request.user),
        can_record=services.can_record(request.user),
    )
    context["page"].object_list = selectors.with_signups(context["page"].object_list)
    return render(request, "outreach/activity_list.html", context)


@login_required
def activity_create(request):
    _require_recorder(request.user)
    form = ActivityForm(request.POST or None, request.FILES or None, user=request.user)
    return _form_page(
        request,
        form,
        lambda data: services.activity_create(user=request.user, photos=data.pop("photos"), **data),
        title=_("Record an activity"),
        back=reverse("outreach:activities"),
        detail="outreach:activity",
        multipart=True,
        success=lambda activity: _("Activity %(code)s recorded.") % {"code": activity.code},
    )


@login_required
def activity_edit(request, pk: int):
    _require_recorder(request.user)
    activity = get_visible_or_404(request.user, Activity.objects.all(), pk=pk)
    initial = model_to_dict(
        activity, fields=[name for name in ActivityForm.base_fields if name != "submission_key"]
    )
    form = ActivityForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: services.activity_update(user=request.user, activity=activity, **data),
        title=_("Edit the activity"),
        back=reverse("outreach:activity", args=[pk]),
        detail="outreach:activity",
        multipart=True,
        success=lambda _saved: _("Saved."),
    )


@login_required
def activity_detail(request, pk: int):
    activity = get_visible_or_404(request.user, Activity.objects.select_related("village", "team"), pk=pk)
    selectors.with_signups([activity])
    return render(
        request,
        "outreach/activity_detail.html",
        {"activity": activity, "can_record": services.can_record(request.user)},
    )


# Teams and villages


@login_required
def team_list(request):
    teams = visible(
        request.user, Team.objects.select_related("station", "responsible_person").prefetch_related("members")
    )
    return render(request, "outreach/team_list.html", {"teams": teams})


@login_required
def team_detail(request, pk: int):
    team = get_visible_or_404(
        request.user, Team.objects.select_related("station", "responsible_person"), pk=pk
    )
    activities = selectors.with_signups(selectors.activity_list(request.user, team_id=team.pk)[:200])
    context = {
        "team": team,
        "activities": activities,
        "totals": selectors.activity_totals(activities),
        "visits": team.care_visits.select_related("customer", "customer__village")[:50],
        "plan_items": team.plan_items.all()[:50],
        "today": timezone.localdate(),
    }
    return render(request, "outreach/team_detail.html", context)


@login_required
def village_detail(request, code: str):
    village = get_visible_or_404(request.user, Village.objects.select_related("station"), code=code)
    activities = selectors.with_signups(selectors.activity_list(request.user, village_id=village.pk)[:200])
    today = timezone.localdate()
    context = {
        "village": village,
        "activities": activities,
        "totals": selectors.activity_totals(activities),
        "care": selectors.care_households(request.user, today=today, village_id=village.pk),
        "hazards": selectors.hazard_list(request.user, village_id=village.pk),
        "today": today,
    }
    return render(request, "outreach/village_detail.html", context)


# Action plan


@login_required
def plan(request):
    today = timezone.localdate()
    status = request.GET.get("status", "")
    station_id = _int(request.GET.get("station"))
    items = list(selectors.plan_items(request.user, station_id=station_id, status=status))
    start = _parse_date(request.GET.get("from")) or today - datetime.timedelta(weeks=5)
    start -= datetime.timedelta(days=start.weekday())
    context = {
        "items": [(item, selectors.is_overdue(item, today)) for item in items],
        "gantt": selectors.gantt(items, window_start=start, weeks=12, today=today),
        "earlier": start - datetime.timedelta(weeks=4),
        "later": start + datetime.timedelta(weeks=4),
        "meetings": visible(request.user, ProgressMeeting.objects.all())[:20],
        "statuses": PlanStatus.choices,
        "status": status,
        "today": today,
        "stations": visible(request.user, SupplyStation.objects.all()),
        "station_id": station_id,
        "can_record": services.can_record(request.user),
    }
    return render(request, "outreach/plan.html", context)


def _parse_date(text):
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def plan_calendar(request):
    today = timezone.localdate()
    year, month = _int(request.GET.get("year")) or today.year, _int(request.GET.get("month")) or today.month
    month = min(max(month, 1), 12)
    context = {
        "weeks": selectors.calendar_month(request.user, year=year, month=month, today=today),
        "year": year,
        "month": month,
        "previous": shift_month(year, month, -1),
        "next": shift_month(year, month, 1),
    }
    return render(request, "outreach/plan_calendar.html", context)


@login_required
def plan_item_create(request):
    _require_recorder(request.user)
    form = PlanItemForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form,
        lambda data: services.plan_item_create(user=request.user, **data),
        title=_("Add to the action plan"),
        back=reverse("outreach:plan"),
        detail="outreach:plan_item",
    )


@login_required
def plan_item_edit(request, pk: int):
    _require_recorder(request.user)
    item = get_visible_or_404(request.user, PlanItem.objects.all(), pk=pk)
    initial = model_to_dict(item, fields=["station", *PlanItemForm.base_fields])
    form = PlanItemForm(request.POST or None, user=request.user, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: services.plan_item_update(user=request.user, item=item, **data),
        title=_("Edit the plan item"),
        back=reverse("outreach:plan_item", args=[pk]),
        detail="outreach:plan_item",
        success=lambda _saved: _("Saved."),
    )


@login_required
def plan_item_detail(request, pk: int):
    item = get_visible_or_404(request.user, PlanItem.objects.select_related("owner", "team"), pk=pk)
    form = ProgressForm(
        request.POST or None, initial={"status": item.status, "progress_percent": item.progress_percent}
    )
    if request.method == "POST":
        _require_recorder(request.user)
        if form.is_valid():
            try:
                services.plan_item_progress(user=request.user, item=item, **form.cleaned_data)
            except ApiError as exc:
                apply_api_error(form, exc)
            else:
                messages.success(request, _("Progress saved."))
                return redirect("outreach:plan_item", pk=item.pk)
    context = {
        "item": item,
        "form": form,
        "overdue": selectors.is_overdue(item, timezone.localdate()),
        "updates": item.updates.select_related("actor"),
        "can_record": services.can_record(request.user),
    }
    return render(request, "outreach/plan_item.html", context)


@login_required
def meeting_create(request):
    _require_recorder(request.user)
    items = visible(
        request.user, PlanItem.objects.exclude(status__in=[PlanStatus.DONE, PlanStatus.CANCELLED])
    )
    form = MeetingForm(request.POST or None, user=request.user, items=items)
    return _form_page(
        request,
        form,
        lambda data: services.meeting_create(user=request.user, **data),
        title=_("Record a progress meeting"),
        back=reverse("outreach:plan"),
        detail="outreach:meeting",
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = get_visible_or_404(request.user, ProgressMeeting.objects.all(), pk=pk)
    return render(
        request, "outreach/meeting_detail.html", {"meeting": meeting, "today": timezone.localdate()}
    )


# Vulnerable-household care


@login_required
def care_due(request):
    today = timezone.localdate()
    state = request.GET.get("state", "due")
    narrowed = {"tag": request.GET.get("tag", ""), "village_id": _int(request.GET.get("village"))}
    households = selectors.care_queryset(request.user, today=today, **narrowed)
    summary = selectors.care_page_counts(request.user, today=today, **narrowed)
    wanted = {"due": selectors.DUE_STATES, "all": selectors.STATES}.get(state, [state])
    paginator = Paginator(selectors.care_in_states(households, wanted, today), 100)
    paginator.count = sum(summary.get(state, 0) for state in wanted)  # counted already
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.care_rows(page.object_list, today)
    context = {
        "page": page,
        "summary": summary,
        "state": state,
        "tags": CustomerTag.choices,
        "filters": request.GET,
        "villages": visible(request.user, Village.objects.all()),
    }
    return render(request, "outreach/care_due.html", context)


@login_required
def care_household(request, account_no: str):
    customer = get_visible_or_404(
        request.user, Customer.objects.select_related("village", "village__station"), account_no=account_no
    )
    station_id = customer.village.station_id
    form = VisitForm(request.POST or None, user=request.user, station_id=station_id)
    if request.method == "POST":
        _require_recorder(request.user)
        if form.is_valid():
            try:
                services.care_visit_record(user=request.user, customer=customer, **form.cleaned_data)
            except ApiError as exc:
                apply_api_error(form, exc)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("outreach:care_household", account_no=customer.account_no)
    due = selectors.care_household_row(request.user, customer, timezone.localdate())
    context = {
        "customer": customer,
        "visits": selectors.household_visits(customer),
        "form": form,
        "due": due,
        "can_record": services.can_record(request.user),
    }
    return render(request, "outreach/care_household.html", context)


@login_required
def care_plans(request):
    station = _chosen_station(request)
    form = VisitPlanForm(request.POST or None, days=selectors.visit_plan_days(station.pk))
    if request.method == "POST":
        _require_recorder(request.user)
        if form.is_valid():
            for tag, days in form.cleaned_data.items():
                services.visit_plan_set(user=request.user, station=station, tag=tag, interval_days=days)
            messages.success(request, _("Visit plan saved."))
            return redirect(f"{reverse('outreach:care_plans')}?station={station.pk}")
    context = {
        "form": form,
        "station": station,
        "stations": visible(request.user, SupplyStation.objects.all()),
        "can_record": services.can_record(request.user),
    }
    return render(request, "outreach/care_plans.html", context)


def _chosen_station(request) -> SupplyStation:
    pk = _int(request.GET.get("station")) or request.user.station_id
    stations = visible(request.user, SupplyStation.objects.all())
    if pk:
        return get_visible_or_404(request.user, SupplyStation.objects.all(), pk=pk)
    station = stations.first()
    if station is None:
        raise PermissionDenied
    return station


# Inspections and hazards


@login_required
def campaign_list(request):
    campaigns = visible(request.user, InspectionCampaign.objects.select_related("station"))
    context = _filter_page(
        request, CampaignFilterSet, campaigns, can_record=services.can_record(request.user)
    )
    return render(request, "outreach/campaign_list.html", context)


@login_required
def campaign_create(request):
    _require_recorder(request.user)
    form = CampaignForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form,
        lambda data: services.inspection_campaign_create(user=request.user, **data),
        title=_("New inspection campaign"),
        back=reverse("outreach:campaigns"),
        detail="outreach:campaign",
    )


def inspection_from_form(*, user, campaign, form, submission_key: str = "", recorded_offline: bool = False):
    """Record the inspection a valid form describes; None with the errors on the form otherwise."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    customer = None
    if data["customer"]:
        customer = Customer.objects.filter(
            account_no=data["customer"].strip(), village=data["village"]
        ).first()
        if customer is None:
            form.add_error("customer", _("No such household in this village."))
            return None
    try:
        return services.inspection_record(
            user=user,
            campaign=campaign,
            village=data["village"],
            customer=customer,
            transformer=data["transformer"],
            inspected_on=data["inspected_on"],
            inspector=data["inspector"],
            results=form.results(),
            submission_key=submission_key or data["submission_key"],
            recorded_offline=recorded_offline,
        )
    except ApiError as exc:
        apply_api_error(form, exc)
        return None


@login_required
def campaign_detail(request, pk: int):
    campaign = get_visible_or_404(request.user, InspectionCampaign.objects.select_related("station"), pk=pk)
    form = InspectionForm(request.POST or None, request.FILES or None, campaign=campaign)
    if request.method == "POST":
        _require_recorder(request.user)
        inspection = inspection_from_form(user=request.user, campaign=campaign, form=form)
        if inspection is not None:
            failed = Hazard.objects.filter(source__inspection=inspection).count()
            messages.success(request, _("Inspection recorded: %(n)s hazard(s) raised.") % {"n": failed})
            return redirect("outreach:campaign", pk=campaign.pk)
    inspections = campaign.inspections.select_related("village", "transformer", "customer").prefetch_related(
        "results"
    )
    context = {
        "campaign": campaign,
        "form": form,
        "inspections": inspections[:200],
        "hazards": Hazard.objects.filter(source__inspection__campaign=campaign).select_related("village"),
        "can_record": services.can_record(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "outreach/campaign_detail.html", context)


@login_required
def hazard_list(request):
    today = timezone.localdate()
    hazards = selectors.hazard_list(request.user, today=today)
    context = _filter_page(
        request, HazardFilterSet, hazards, today=today, counts=selectors.hazard_counts(hazards, today)
    )
    return render(request, "outreach/hazard_list.html", context)


@login_required
def hazard_detail(request, pk: int):
    hazard = get_visible_or_404(
        request.user,
        Hazard.objects.select_related("village", "responsible", "work_order", "source__inspection__campaign"),
        pk=pk,
    )
    form = ReinspectionForm()
    context = {
        "hazard": hazard,
        "form": form,
        "events": hazard.events.select_related("actor"),
        "reinspections": hazard.reinspections.select_related("actor"),
        "overdue": selectors.hazard_is_overdue(hazard, timezone.localdate()),
        "can_record": services.can_record(request.user),
    }
    return render(request, "outreach/hazard_detail.html", context)


@login_required
@require_POST
def hazard_order_fix(request, pk: int):
    hazard = get_visible_or_404(request.user, Hazard.objects.all(), pk=pk)
    _require_recorder(request.user)
    try:
        hazard = services.hazard_order_fix(user=request.user, hazard=hazard)
    except ApiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Work order %(number)s raised.") % {"number": hazard.work_order.number})
    return redirect("outreach:hazard", pk=pk)


@login_required
@require_POST
def hazard_reinspect(request, pk: int):
    hazard = get_visible_or_404(request.user, Hazard.objects.all(), pk=pk)
    _require_recorder(request.user)
    form = ReinspectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and the result of the re-inspection."))
        return redirect("outreach:hazard", pk=pk)
    try:
        hazard = services.hazard_reinspect(user=request.user, hazard=hazard, **form.cleaned_data)
    except ApiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Re-inspection passed: the hazard is closed.")
            if hazard.status == HazardStatus.CLOSED
            else _("Re-inspection failed: the hazard stays open."),
        )
    return redirect("outreach:hazard", pk=pk)


# Notice boards


def report_url(request, village) -> str:
    """The absolute URL of the fault-report page with the village pre-filled."""
    return request.build_absolute_uri(reverse("repair:report")) + "?" + urlencode({"village": village.code})


def notice_board(request, village_code: str):
    village = get_object_or_404(Village.objects.select_related("station__bureau"), code=village_code)
    url = report_url(request, village)
    context = {"board": selectors.notice_board(village), "report_url": url, "qr": qr_svg(url)}
    return render(request, "outreach/notice_board.html", context)


def notice_board_pdf(request, village_code: str):
    village = get_object_or_404(Village.objects.select_related("station__bureau"), code=village_code)
    pdf = board_pdf([(selectors.notice_board(village), report_url(request, village))])
    return _pdf_response(pdf, f"notice-board-{village.code}.pdf")


@login_required
def board_index(request):
    stations = visible(request.user, SupplyStation.objects.prefetch_related("villages"))
    return render(request, "outreach/board_index.html", {"stations": stations})


@login_required
def station_boards_pdf(request, station_code: str):
    station = get_visible_or_404(
        request.user, SupplyStation.objects.select_related("bureau"), code=station_code
    )
    villages = station.villages.select_related("station__bureau").order_by("code")
    pdf = board_pdf([(selectors.notice_board(v), report_url(request, v)) for v in villages])
    return _pdf_response(pdf, f"notice-boards-{station.code}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# Charity drive


@login_required
def charity_list(request):
    campaigns = list(visible(request.user, CharityCampaign.objects.select_related("station")))
    rows = [(c, selectors.charity_totals(c)) for c in campaigns]
    return render(
        request,
        "outreach/charity_list.html",
        {"rows": rows, "today": timezone.localdate(), "can_record": services.can_record(request.user)},
    )


@login_required
def charity_create(request):
    _require_recorder(request.user)
    form = CharityCampaignForm(request.POST or None, user=request.user)

    def create(data):
        data["target_fen"] = data.pop("target")
        return services.charity_campaign_create(user=request.user, **data)

    return _form_page(
        request,
        form,
        create,
        title=_("New charity campaign"),
        back=reverse("outreach:charity_list"),
        detail="outreach:charity",
    )


@login_required
def charity_detail(request, pk: int):
    campaign = get_visible_or_404(request.user, CharityCampaign.objects.select_related("station"), pk=pk)
    beneficiaries = Beneficiary.objects.filter(village__station=campaign.station).select_related("village")
    forms = {
        "donation": DonationForm(prefix="d"),
        "beneficiary": BeneficiaryForm(prefix="b", station_id=campaign.station_id),
        "distribution": DistributionForm(prefix="g", beneficiaries=beneficiaries),
    }
    if request.method == "POST":
        _require_recorder(request.user)
        which = request.POST.get("form")
        if which in forms and _charity_post(request, campaign, which, forms, beneficiaries):
            return redirect("outreach:charity", pk=campaign.pk)
    context = {
        "campaign": campaign,
        "totals": selectors.charity_totals(campaign),
        "forms": forms,
        "donations": campaign.donations.all(),
        "beneficiaries": beneficiaries.annotate(received_fen=Sum("distributions__amount_fen")),
        "distributions": campaign.distributions.select_related("beneficiary__village"),
        "can_record": services.can_record(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "outreach/charity_detail.html", context)


def _charity_post(request, campaign, which, forms, beneficiaries) -> bool:
    if which == "donation":
        form = DonationForm(request.POST, prefix="d")
    elif which == "beneficiary":
        form = BeneficiaryForm(request.POST, prefix="b", station_id=campaign.station_id)
    else:
        form = DistributionForm(request.POST, prefix="g", beneficiaries=beneficiaries)
    forms[which] = form
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    if "amount" in data:
        data["amount_fen"] = data.pop("amount")
    try:
        if which == "donation":
            services.donation_record(user=request.user, campaign=campaign, **data)
        elif which == "beneficiary":
            services.beneficiary_create(user=request.user, **data)
        else:
            services.distribution_record(user=request.user, campaign=campaign, **data)
    except ApiError as exc:
        apply_api_error(form, exc)
        return False
    messages.success(request, _("Saved."))
    return True
