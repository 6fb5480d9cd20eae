"""Command centre pages: the scoreboard and the downloads of the numbers behind its charts."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import VIEW_PERSONAL_DATA
from powerexpress.command import selectors, services
from powerexpress.command.forms import ScoreboardFilterForm
from powerexpress.command.map_selectors import map_layers
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


@cache_control(max_age=86400, public=True)
def plotly_view(request):
    """The bundled plotly.min.js from the installed plotly package (no CDN)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return FileResponse(path.open("rb"), content_type="application/javascript")


@login_required
def map_view(request):
    if not selectors.can_see_scoreboard(request.user):
        raise PermissionDenied
    form = ScoreboardFilterForm(request.GET or None, user=request.user)
    context = {
        "form": form,
        "tile_url": getattr(settings, "MAP_TILE_URL", ""),
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
