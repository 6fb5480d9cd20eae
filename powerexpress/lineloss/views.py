"""Line-loss pages: the month's ranking, a district's trend and suspected households, the plan."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import ACT_ON_LINELOSS, CHANGE_LINELOSS_SETTINGS, USE_STAFF_PAGES
from powerexpress.core.errors import ApiError
from powerexpress.core.forms import apply_api_error
from powerexpress.core.scope import get_visible_or_404, visible
from powerexpress.lineloss import selectors, services
from powerexpress.lineloss.choices import LossClass
from powerexpress.lineloss.filters import LineLossFilterSet
from powerexpress.lineloss.forms import PlanForm, SettingsForm
from powerexpress.lineloss.models import LineLoss, LossSuspect, PlanItem
from powerexpress.registry.models import SupplyStation, TransformerDistrict


def _require_role(user):
    if not user.has_perm(USE_STAFF_PAGES):
        raise PermissionDenied


def _ranking_filters(request) -> LineLossFilterSet:
    """The ranking's FilterSet; without a month, the latest computed month the user sees."""
    data = request.GET.copy()
    if not data.get("month") and (latest := selectors.latest_month(request.user)):
        data["month"] = f"{latest:%Y-%m}"
    filterset = LineLossFilterSet(data, queryset=selectors.loss_list(request.user))
    form = filterset.form
    form.fields["month"].widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    stations = visible(request.user, SupplyStation.objects.order_by("code")).values_list("code", "name")
    form.fields["station"].widget = forms.Select(choices=[("", _("all")), *stations])
    return filterset


@login_required
def ranking_view(request):
    _require_role(request.user)
    filterset = _ranking_filters(request)
    month = filterset.form.cleaned_data.get("month") if filterset.is_valid() else None
    rows = filterset.qs if month else LineLoss.objects.none()
    all_rows = selectors.loss_rows(request.user, month) if month else LineLoss.objects.none()
    context = {
        "month": month,
        "filterset": filterset,
        "rows": rows[:500],
        "bureau": selectors.totals(all_rows),
        "stations": selectors.station_totals(request.user, month) if month else [],
        "counts": {c: all_rows.filter(loss_class=c).count() for c in LossClass.values},
        "bands": selectors.bands(),
    }
    return render(request, "lineloss/ranking.html", context)


@login_required
def district_view(request, code: str):
    _require_role(request.user)
    district = get_visible_or_404(
        request.user, TransformerDistrict.objects.select_related("station"), code=code
    )
    history = selectors.trend(request.user, district, 13)
    latest = history[-1] if history else None
    context = {
        "district": district,
        "history": history,
        "latest": latest,
        "suspects": selectors.open_suspects(request.user, district),
        "moves": selectors.moves(request.user, district)[:20],
        "form": PlanForm(),
        "can_act": request.user.has_perm(ACT_ON_LINELOSS),
        "lossy": latest is not None and latest.loss_class in (LossClass.HIGH, LossClass.NEGATIVE),
        "daily": selectors.district_daily(district, latest.month) if latest else [],
    }
    return render(request, "lineloss/district.html", context)


def _act(request, action, success: str, target: str):
    try:
        action()
    except ApiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return redirect(target)


@login_required
@require_POST
def suspect_confirm_view(request, pk: int):
    suspect = get_visible_or_404(request.user, LossSuspect.objects.select_related("transformer"), pk=pk)
    return _act(
        request,
        lambda: services.suspect_confirm(user=request.user, suspect=suspect),
        _("The household was moved to %(code)s.") % {"code": suspect.suggested.code},
        f"/lineloss/districts/{suspect.transformer.code}/",
    )


@login_required
@require_POST
def suspect_dismiss_view(request, pk: int):
    suspect = get_visible_or_404(request.user, LossSuspect.objects.select_related("transformer"), pk=pk)
    return _act(
        request,
        lambda: services.suspect_dismiss(user=request.user, suspect=suspect),
        _("The household stays where it is."),
        f"/lineloss/districts/{suspect.transformer.code}/",
    )


@login_required
@require_POST
def plan_add_view(request, code: str):
    district = get_visible_or_404(request.user, TransformerDistrict.objects.all(), code=code)
    loss = visible(request.user, LineLoss.objects.filter(transformer=district)).order_by("-month").first()
    form = PlanForm(request.POST)
    if loss is None or not form.is_valid():
        messages.error(request, _("Choose a cause."))
        return redirect("lineloss:district", code=code)
    return _act(
        request,
        lambda: services.plan_item_add(user=request.user, loss=loss, **form.cleaned_data),
        _("Added to the governance plan with a work order for the service team."),
        "/lineloss/plan/",
    )


@login_required
def plan_view(request):
    _require_role(request.user)
    items = list(selectors.plan_items(request.user))
    for item in items:
        item.after = selectors.effect_review(item)
    return render(
        request,
        "lineloss/plan.html",
        {"items": items, "can_act": request.user.has_perm(ACT_ON_LINELOSS)},
    )


@login_required
@require_POST
def plan_close_view(request, pk: int):
    item = get_visible_or_404(request.user, PlanItem.objects.all(), pk=pk)
    return _act(
        request,
        lambda: services.plan_item_close(user=request.user, item=item),
        _("Plan item closed."),
        "/lineloss/plan/",
    )


@login_required
def settings_view(request):
    _require_role(request.user)
    current = services.lineloss_settings_get()
    can_edit = request.user.has_perm(CHANGE_LINELOSS_SETTINGS)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.lineloss_settings_update(user=request.user, values=form.cleaned_data)
            except ApiError as exc:
                apply_api_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("lineloss:settings")
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "lineloss/settings.html", {"form": form, "can_edit": can_edit})
