"""The monthly report files, built only from a frozen month: Excel (one sheet per table, Chinese
headers) and PDF (Chinese font from ``core/pdf.py``, charts drawn with ReportLab graphics)."""

import io
import re
from collections import defaultdict
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from powerexpress.command.choices import ReportFormat
from powerexpress.command.models import FrozenTable, MonthlyReport, Score

REPORT_LANGUAGE = "zh-hans"
PDF_MAX_ROWS = 40


def report_tables(report: MonthlyReport) -> list[dict]:
    """The report's tables: the scores first, then the month's frozen figures."""
    scores = Score.objects.filter(score_month=report.score_month).select_related("station")
    if report.station_id:
        scores = scores.filter(station_id=report.station_id)
    tables = _score_tables(list(scores), bureau=report.station_id is None)
    frozen = FrozenTable.objects.filter(score_month=report.score_month, station_id=report.station_id)
    tables += [{"key": t.key, "title": t.title, "header": t.header, "rows": t.rows} for t in frozen]
    return tables


def _score_tables(scores: list[Score], *, bureau: bool) -> list[dict]:
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    for score in scores:
        totals[(score.station.name, score.responsible)] += score.score_points
    stations = sorted(
        ((name, total) for (name, person), total in totals.items() if not person), key=lambda r: -r[1]
    )
    people = sorted(
        ((name, person, total) for (name, person), total in totals.items() if person),
        key=lambda r: (-r[2], r[0]),
    )
    tables = [
        {
            "key": "ranking",
            "title": _("Station ranking") if bureau else _("Station score"),
            "header": [_("Rank"), _("Station"), _("Score (points)")],
            "rows": [[rank, name, float(total)] for rank, (name, total) in enumerate(stations, start=1)],
        },
        {
            "key": "kpi_scores",
            "title": _("Scores per KPI"),
            "header": [
                _("Station"),
                _("KPI"),
                _("Value"),
                _("Target"),
                _("Weight (points)"),
                _("Points deducted"),
                _("Score (points)"),
            ],
            "rows": [
                [
                    s.station.name,
                    s.kpi_name,
                    _num(s.value),
                    _num(s.target),
                    _num(s.weight_points),
                    _num(s.deducted_points),
                    _num(s.score_points),
                ]
                for s in scores
                if not s.responsible
            ],
        },
        {
            "key": "people",
            "title": _("Responsible persons ranking"),
            "header": [_("Rank"), _("Station"), _("Responsible person"), _("Score (points)")],
            "rows": [
                [rank, name, person, float(total)]
                for rank, (name, person, total) in enumerate(people, start=1)
            ],
        },
    ]
    return tables


def _num(value) -> float | None:
    return None if value is None else float(value)


def report_title(report: MonthlyReport) -> str:
    where = report.station.name if report.station else _("Bureau")
    return _("%(where)s monthly report, %(month)s") % {
        "where": where,
        "month": f"{report.score_month.month:%Y-%m}",
    }


def report_content(report: MonthlyReport) -> bytes:
    with translation.override(REPORT_LANGUAGE):
        tables = report_tables(report)
        if report.fmt == ReportFormat.XLSX:
            return xlsx_content(tables)
        return pdf_content(report_title(report), tables)


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}-{n}", n + 1
    used.add(name)
    return name


def xlsx_content(tables: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table["title"], used))
        sheet.append(table["header"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table["rows"]:
            sheet.append(["" if cell is None else cell for cell in row])
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_content(title: str, tables: list[dict]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from powerexpress.core.pdf import chinese_font

    font = chinese_font()
    h1 = ParagraphStyle("h1", fontName=font, fontSize=18, leading=24, spaceAfter=8)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    story = [Paragraph(title, h1)]
    by_key = {t["key"]: t for t in tables}
    for chart in (_ranking_chart(by_key.get("ranking"), font), _signup_chart(by_key.get("signup"), font)):
        if chart is not None:
            story += [chart, Spacer(1, 4 * mm)]
    for table in tables:
        story.append(Paragraph(table["title"], h2))
        if not table["rows"]:
            story.append(Paragraph(_("No data for this month."), cell_style))
            continue
        rows = table["rows"][:PDF_MAX_ROWS]
        data = [[Paragraph(str(h), cell_style) for h in table["header"]]]
        data += [[Paragraph("—" if c is None else str(c), cell_style) for c in row] for row in rows]
        grid = Table(data, repeatRows=1, hAlign="LEFT")
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(grid)
        if len(table["rows"]) > PDF_MAX_ROWS:
            story.append(
                Paragraph(
                    _("First %(n)s rows; the Excel report has them all.") % {"n": PDF_MAX_ROWS}, cell_style
                )
            )
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm).build(story)
    return buffer.getvalue()


def _ranking_chart(table: dict | None, font: str):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    if not table or not table["rows"]:
        return None
    drawing = Drawing(480, 200)
    drawing.add(String(0, 188, table["title"], fontName=font, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, 420, 145
    chart.data = [[row[2] for row in table["rows"]]]
    chart.categoryAxis.categoryNames = [row[1] for row in table["rows"]]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2b6cb0")
    drawing.add(chart)
    return drawing


def _signup_chart(table: dict | None, font: str):
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors

    if not table or not table["rows"]:
        return None
    months = sorted({row[0] for row in table["rows"]})
    series: dict[str, dict] = defaultdict(dict)
    for month, station, _households, _signed, rate in table["rows"]:
        if rate is not None:
            series[station][months.index(month)] = rate
    palette = [colors.HexColor(c) for c in ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")]
    drawing = Drawing(480, 220)
    drawing.add(String(0, 208, table["title"], fontName=font, fontSize=10))
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 40, 50, 420, 145
    plot.data = [sorted(points.items()) for points in series.values()]
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 100
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0, max(len(months) - 1, 1)
    plot.xValueAxis.valueSteps = list(range(len(months)))
    plot.xValueAxis.labelTextFormat = lambda i: months[int(i)][2:] if 0 <= int(i) < len(months) else ""
    plot.xValueAxis.labels.fontSize = 7
    for index in range(len(plot.data)):
        plot.lines[index].strokeColor = palette[index % len(palette)]
    drawing.add(plot)
    target_y = plot.y + plot.height * 0.8
    drawing.add(
        Line(plot.x, target_y, plot.x + plot.width, target_y, strokeColor=colors.red, strokeDashArray=[3, 2])
    )
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 40, 18, font, 7
    legend.columnMaximum, legend.dx, legend.deltax = 1, 8, 70
    legend.colorNamePairs = [(palette[i % len(palette)], name) for i, name in enumerate(series)]
    drawing.add(legend)
    return drawing
