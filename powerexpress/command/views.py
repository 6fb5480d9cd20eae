"""Command centre pages: the scoreboard and the downloads of the numbers behind its charts."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from powerexpress.command import selectors
from powerexpress.command.forms import ScoreboardFilterForm
from powerexpress.core.tables import write_csv, write_xlsx

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
