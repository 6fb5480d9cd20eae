"""Command centre pages: the scoreboard and the downloads of the numbers behind its charts."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import VIEW_PERSONAL_DATA
from powerexpress.command import score_selectors, selectors, services
from powerexpress.command.choices import ReportStatus
from powerexpress.command.forms import KpiForm, MonthForm, ScoreboardFilterForm
from powerexpress.command.map_selectors import map_layers
from powerexpress.command.models import Kpi
from powerexpress.core.scope import get_visible_or_404
from powerexpress.core.tables import write_csv, write_xlsx

LEAFLET_ASSETS = {"leaflet.js": "application/javascript", "leaflet.css": "text/css"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _scoreboard(request):
    if not selectors.can_see_scoreboard(request.user):
        raise PermissionDenied
    form = ScoreboardFilterForm(request.GET or None, user=request.user)
    return form, selectors.scoreboard(request.user, form.filters())


@login_required
def scoreboard_view(request):
    form, sections = _scoreboard(request)
    figures = {t.key: t.figure() for s in sections for t in s.tables if t.figure()}
    context = {"form": form, "sections": sections, "figures": figures, "query": request.GET.urlencode()}
    return render(request, "command/scoreboard.html", context)


@login_required
def export_view(request, key: str, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404(fmt)
    _form, sections = _scoreboard(request)
    table = selectors.table_find(sections, key)
    if table is None:
        raise Http404(key)
    header = [str(head) for head in table.header]
    rows = [[_cell(cell) for cell in row] for row in table.rows]
    content = write_csv(header, rows) if fmt == "csv" else write_xlsx(header, rows)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{key}.{fmt}"'
    return response


def _cell(value):
    if value is None:
        return ""
    return value if isinstance(value, int | float | str) else str(value)


@login_required
def map_view(request):
    if not selectors.can_see_scoreboard(request.user):
        raise PermissionDenied
    form = ScoreboardFilterForm(request.GET or None, user=request.user)
    context = {
        "form": form,
        "tile_url": settings.MAP_TILE_URL,
        "can_reveal": request.user.has_perm(VIEW_PERSONAL_DATA),
        "query": request.GET.urlencode(),
    }
    return render(request, "command/map.html", context)


@login_required
def map_data_view(request):
    if not selectors.can_see_scoreboard(request.user):
        raise PermissionDenied
    form = ScoreboardFilterForm(request.GET or None, user=request.user)
    return JsonResponse(map_layers(request.user, form.filters().station_id))


@login_required
@require_POST
def map_reveal_view(request, kind: str, code: str):
    phone = services.map_contact_reveal(user=request.user, kind=kind, code=code, request=request)
    return JsonResponse({"phone": phone})


@cache_control(max_age=86400, public=True)
def leaflet_asset_view(request, name: str):
    """leaflet.js / leaflet.css from the installed django-leaflet package (no CDN)."""
    import leaflet

    if name not in LEAFLET_ASSETS:
        raise Http404(name)
    path = Path(leaflet.__file__).parent / "static" / "leaflet" / name
    return FileResponse(path.open("rb"), content_type=LEAFLET_ASSETS[name])


def _require_viewer(user) -> None:
    if not selectors.can_see_scoreboard(user):
        raise PermissionDenied


@login_required
def scores_view(request):
    _require_viewer(request.user)
    month = score_selectors.parse_month(request.GET.get("month", "")) or score_selectors.last_complete_month()
    rows, frozen = score_selectors.month_scores(request.user, month, with_items=False)
    stations, people = score_selectors.ranking(rows)
    context = {"month": month, "frozen": frozen, "stations": stations, "people": people}
    return render(request, "command/scores.html", context)


@login_required
def score_detail_view(request, month: str, station: str):
    _require_viewer(request.user)
    parsed = score_selectors.parse_month(month)
    if parsed is None:
        raise Http404(month)
    rows, frozen = score_selectors.month_scores(request.user, parsed, station_code=station)
    person = request.GET.get("person", "")
    detail = score_selectors.score_detail(rows, station, person)
    if not detail:
        raise Http404(station)
    context = {
        "month": parsed,
        "frozen": frozen,
        "rows": detail,
        "station": detail[0]["station"],
        "person": person,
    }
    return render(request, "command/score_detail.html", context)


@login_required
def kpis_view(request):
    _require_viewer(request.user)
    can_edit = services.can_edit_kpis(request.user)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        added = services.kpi_registry_seed(user=request.user)
        messages.success(request, _("%(n)s default KPIs added.") % {"n": added})
        return redirect("command:kpis")
    context = {"kpis": score_selectors.kpis_all(), "can_edit": can_edit}
    return render(request, "command/kpis.html", context)


@login_required
def kpi_edit_view(request, pk: int | None = None):
    if not services.can_edit_kpis(request.user):
        raise PermissionDenied
    kpi = get_object_or_404(Kpi, pk=pk) if pk else None
    form = KpiForm(request.POST or None, instance=kpi)
    if request.method == "POST" and form.is_valid():
        services.kpi_save(user=request.user, form=form)
        messages.success(request, _("Saved."))
        return redirect("command:kpis")
    return render(request, "command/kpi_edit.html", {"form": form, "kpi": kpi})


@login_required
def reports_view(request):
    _require_viewer(request.user)
    can_run = services.can_edit_kpis(request.user)
    form = MonthForm(request.POST or None, initial={"month": score_selectors.last_complete_month()})
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if form.is_valid():
            score_month = services.score_month_freeze(month=form.cleaned_data["month"], user=request.user)
            services.monthly_reports_create(score_month=score_month)
            messages.success(
                request, _("The reports of %(month)s are written.") % {"month": f"{score_month.month:%Y-%m}"}
            )
            return redirect("command:reports")
    context = {"months": score_selectors.reports_by_month(request.user), "form": form, "can_run": can_run}
    return render(request, "command/reports.html", context)


@login_required
def report_download_view(request, pk: int):
    _require_viewer(request.user)
    report = get_visible_or_404(request.user, score_selectors.reports_visible(request.user), pk=pk)
    if report.status != ReportStatus.READY or not report.file:
        raise Http404(str(pk))
    name = (
        f"{report.score_month.month:%Y-%m}-{report.station.code if report.station else 'bureau'}.{report.fmt}"
    )
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=name)
