"""Grid pages: festival risk list, transformer page (curves, events, households, plans), upload, settings."""

import datetime as dt

from django import forms
from django.apps import apps as django_apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import ACT_ON_GRID, CHANGE_GRID_SETTINGS, USE_STAFF_PAGES
from powerexpress.analytics import forecast
from powerexpress.core.errors import ApiError
from powerexpress.core.filters import filtered_or_none
from powerexpress.core.forms import apply_api_error
from powerexpress.core.scope import get_visible_or_404, visible
from powerexpress.grid import lunar, selectors, services
from powerexpress.grid.choices import Action, DataKind, EventKind, RiskLevel
from powerexpress.grid.filters import EventFilterSet, RiskFilterSet, UploadFilterSet
from powerexpress.grid.forms import ForecastForm, IssueForm, PlanForm, SettingsForm, UploadForm
from powerexpress.grid.models import FestivalForecast, GapRun, IntervalFile, LoadEvent, PhasePlan
from powerexpress.registry.models import SupplyStation, TransformerDistrict


def _require_role(user):
    if not user.has_perm(USE_STAFF_PAGES):
        raise PermissionDenied


def _can_act(user) -> bool:
    return user.has_perm(ACT_ON_GRID)


def _line_losses(user, transformers) -> dict:
    """Each district's latest line loss (with its badge colour and page), or nothing when the
    line-loss app is absent."""
    if not django_apps.is_installed("powerexpress.lineloss"):
        return {}
    from powerexpress.lineloss import selectors as lineloss

    losses = lineloss.latest_losses(user, transformers)
    codes = dict(TransformerDistrict.objects.filter(pk__in=losses).values_list("pk", "code"))
    for transformer_id, row in losses.items():
        row.badge = lineloss.badge_colour(row.loss_class)
        row.url = reverse("lineloss:district", args=[codes[transformer_id]])
    return losses


def _risk_filters(request) -> RiskFilterSet:
    """The risk list's FilterSet; without a year, the next Spring Festival's."""
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(forecast.next_festival_year(timezone.localdate()))
    filterset = RiskFilterSet(data, queryset=selectors.forecasts_at_risk(request.user))
    stations = visible(request.user, SupplyStation.objects.order_by("code")).values_list("code", "name")
    filterset.form.fields["station"].widget = forms.Select(choices=[("", _("all")), *stations])
    return filterset


@login_required
def risk_view(request):
    _require_role(request.user)
    filterset = _risk_filters(request)
    valid = filterset.is_valid()
    year = filterset.form.cleaned_data["year"] if valid else forecast.next_festival_year(timezone.localdate())
    year = int(year)
    grid_settings = services.grid_settings_get()
    form = ForecastForm(
        request.POST or None,
        initial={"growth": grid_settings.growth_factor, "returnee": grid_settings.returnee_factor},
    )
    if request.method == "POST":
        if not _can_act(request.user):
            raise PermissionDenied
        if form.is_valid():
            station = None if request.user.is_bureau_wide else request.user.station.code
            count = services.forecast_run(
                user=request.user,
                festival_year=year,
                growth=form.cleaned_data["growth"],
                returnee=form.cleaned_data["returnee"],
                station_code=station,
            )
            messages.success(request, _("Forecast updated for %(n)s districts.") % {"n": count})
            return redirect(f"{request.path}?year={year}")
    items = list(filtered_or_none(filterset))
    losses = _line_losses(request.user, [item.transformer_id for item in items])
    for item in items:
        item.peak_label = lunar.lunar_label(item.peak_on)
        item.line_loss = losses.get(item.transformer_id)
    context = {
        **selectors.festival_context(year),
        "items": items,
        "filterset": filterset,
        "form": form,
        "can_act": _can_act(request.user),
        "overloaded": sum(1 for i in items if i.risk == RiskLevel.OVERLOAD),
        "heavy": sum(1 for i in items if i.risk == RiskLevel.HEAVY),
        "actions": Action.choices,
        "backtest": selectors.backtest_summary(request.user, year - 1),
        "last_year": year - 1,
    }
    return render(request, "grid/risk.html", context)


@login_required
@require_POST
def forecast_issue_view(request, pk: int):
    if not _can_act(request.user):
        raise PermissionDenied
    item = get_visible_or_404(
        request.user,
        FestivalForecast.objects.select_related("transformer__station", "transformer__village"),
        pk=pk,
    )
    form = IssueForm(request.POST)
    if form.is_valid():
        item = services.forecast_issue(user=request.user, item=item, action=form.cleaned_data["action"])
        messages.success(request, _("Work order %(number)s issued.") % {"number": item.work_order.number})
    return redirect(f"{request.META.get('HTTP_REFERER') or '/grid/'}")


def _default_range(transformer) -> tuple[dt.date, dt.date]:
    span = selectors.data_span(transformer)
    if span is None:
        today = timezone.localdate()
        return today - dt.timedelta(days=7), today
    last = forecast.festival_window(forecast.next_festival_year(span[1]) - 1)
    if span[0] <= last[0] and last[1] <= span[1]:
        return last
    return max(span[0], span[1] - dt.timedelta(days=7)), span[1]


GAP_RUNS_SHOWN = 20


def _events(request, transformer) -> dict:
    """The district's events, newest first, 50 a page, optionally of one kind, with counts per kind,
    and the newest runs that missing data alone kept from being events ("gap inside")."""
    events = LoadEvent.objects.filter(transformer=transformer)
    counts = dict(events.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    filters = {"kind": request.GET.get("kind", "")}
    events = filtered_or_none(EventFilterSet(filters, queryset=events))
    gap_runs = filtered_or_none(
        EventFilterSet(filters, queryset=GapRun.objects.filter(transformer=transformer))
    )
    kind = filters["kind"] if filters["kind"] in EventKind.values else ""
    return {
        "events": Paginator(events.order_by("-start_at"), 50).get_page(request.GET.get("events_page")),
        "gap_runs": gap_runs.order_by("-start_at")[:GAP_RUNS_SHOWN],
        "gap_run_count": gap_runs.count(),
        "event_count": sum(counts.values()),
        "event_kind": kind,
        "event_kinds": [
            (value, label, counts[value]) for value, label in EventKind.choices if counts.get(value)
        ],
    }


@login_required
def transformer_view(request, code: str):
    _require_role(request.user)
    transformer = get_visible_or_404(request.user, selectors.visible_transformers(request.user), code=code)
    start, end = _default_range(transformer)
    households = transformer.customers.order_by("phase", "account_no")
    plan_span = selectors.household_data_span(transformer)
    plan_start, plan_end = plan_span or (start, end)
    context = {
        "transformer": transformer,
        "start": request.GET.get("start") or start.isoformat(),
        "end": request.GET.get("end") or end.isoformat(),
        **_events(request, transformer),
        "phase_counts": households.values("phase").annotate(n=Count("pk")).order_by("phase"),
        "households": households[:300],
        "household_count": households.count(),
        "plans": PhasePlan.objects.filter(transformer=transformer).select_related("work_order")[:5],
        "plan_form": PlanForm(initial={"max_moves": 3, "start": plan_start, "end": plan_end}),
        "has_household_data": plan_span is not None,
        "can_act": _can_act(request.user),
        "forecasts": FestivalForecast.objects.filter(transformer=transformer).order_by("-festival_year")[:3],
        "measured_peak_kva": selectors.measured_peak_kva(transformer),
        "line_loss": _line_losses(request.user, [transformer.pk]).get(transformer.pk),
    }
    return render(request, "grid/transformer.html", context)


@login_required
def curve_view(request, code: str):
    _require_role(request.user)
    transformer = get_visible_or_404(
        request.user, TransformerDistrict.objects.select_related("station"), code=code
    )
    tz = timezone.get_default_timezone()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        start, end = _default_range(transformer)
    end = min(end, start + dt.timedelta(days=62))
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()), tz)
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), tz)
    curve = selectors.transformer_curve(transformer, since, until)
    curve["rated_kva"] = transformer.rated_kva
    return JsonResponse(curve)


@login_required
@require_POST
def plan_create_view(request, code: str):
    if not _can_act(request.user):
        raise PermissionDenied
    transformer = get_visible_or_404(request.user, selectors.visible_transformers(request.user), code=code)
    form = PlanForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("grid:transformer", code=code)
    try:
        plan = services.phase_plan_create(user=request.user, transformer=transformer, **form.cleaned_data)
    except ApiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Plan computed: %(n)s moves.") % {"n": len(plan.moves)})
    return redirect(f"{request.build_absolute_uri(request.path.rsplit('plans/', 1)[0])}#plans")


@login_required
@require_POST
def plan_issue_view(request, pk: int):
    if not _can_act(request.user):
        raise PermissionDenied
    plan = get_visible_or_404(
        request.user, PhasePlan.objects.select_related("transformer__station", "transformer__village"), pk=pk
    )
    try:
        plan = services.phase_plan_issue(user=request.user, plan=plan)
    except ApiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Work order %(number)s issued.") % {"number": plan.work_order.number})
    return redirect("grid:transformer", code=plan.transformer.code)


@login_required
def upload_view(request):
    _require_role(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    record = None
    if request.method == "POST":
        if not _can_act(request.user):
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            record = services.interval_file_ingest(
                user=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(),
            )
    uploads = UploadFilterSet(request.GET, queryset=visible(request.user, IntervalFile.objects.all()))
    context = {
        "form": form,
        "uploads": uploads,
        "record": record,
        "files": filtered_or_none(uploads)[:20],
        "can_act": _can_act(request.user),
        "report": [(item, services.issue_message(item)) for item in (record.report if record else [])],
        "kinds": DataKind,
    }
    return render(request, "grid/upload.html", context)


@login_required
def settings_view(request):
    _require_role(request.user)
    current = services.grid_settings_get()
    can_edit = request.user.has_perm(CHANGE_GRID_SETTINGS)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.grid_settings_update(user=request.user, values=form.cleaned_data)
            except ApiError as exc:
                apply_api_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("grid:settings")
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "grid/settings.html", {"form": form, "can_edit": can_edit, "current": current})
