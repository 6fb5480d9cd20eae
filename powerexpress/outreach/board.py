"""The village notice board (宣传园地) as printable A3 PDF pages and the QR code to the
fault-report page. Chinese renders through ReportLab's built-in CID font STSong-Light."""

import io
from xml.sax.saxutils import escape

import segno
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A3
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from powerexpress.core.pdf import CHINESE_FONT, chinese_font

FONT = CHINESE_FONT
BLUE = colors.HexColor("#0b5cab")
RED = colors.HexColor("#c0392b")


def _p(text, style) -> Paragraph:
    """An escaped paragraph, safe for the CID font (which has no glyph for the Latin middle dot)."""
    return Paragraph(escape(str(text)).replace("\u00b7", "\u3000"), style)


def qr_svg(url: str) -> str:
    """An inline SVG QR code (no external request, light for a cheap phone)."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=18, leading=27, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=40, leading=52, textColor=BLUE, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=22, leading=30, alignment=1),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontSize=24,
            leading=34,
            textColor=colors.white,
            backColor=BLUE,
            borderPadding=(4, 8, 4, 8),
            spaceBefore=14,
            spaceAfter=10,
        ),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=17, leading=24),
        "figure": ParagraphStyle("figure", parent=base, fontSize=26, leading=34, textColor=BLUE, alignment=1),
        "mark": ParagraphStyle("mark", parent=base, fontSize=15, textColor=RED),
        "hotline": ParagraphStyle("hotline", parent=base, fontSize=34, leading=44, textColor=RED),
        "small": ParagraphStyle("small", parent=base, fontSize=13, leading=18, textColor=colors.grey),
    }


def _tariff_block(tariff: dict | None, s) -> list:
    flow = [_p(_("Residential tiered tariff"), s["h2"])]
    if not tariff:
        return flow + [
            _p(_("Tariff not configured: ask the supply station for the current prices."), s["mark"])
        ]
    flow.append(
        _p(
            f"{tariff['name']}" + (f"　{tariff['cycle_label']}" if tariff.get("cycle_label") else ""),
            s["body"],
        )
    )
    rows = [
        [
            _p(_("Tier"), s["cell"]),
            _p(_("Consumption (kWh)"), s["cell"]),
            _p(_("Price (yuan/kWh)"), s["cell"]),
        ]
    ]
    for tier in tariff["tiers"]:
        rows.append(
            [
                _p(str(tier["tier"]), s["cell"]),
                _p(tier_range(tier), s["cell"]),
                _p(str(tier["price_yuan_per_kwh"]), s["cell"]),
            ]
        )
    table = Table(rows, colWidths=[40 * mm, 120 * mm, 90 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    flow.append(table)
    for who, kwh in tariff.get("free_lines", ()):
        flow.append(
            _p(_("%(who)s households: %(kwh)s kWh free each month.") % {"who": who, "kwh": kwh}, s["body"])
        )
    flow.append(_p(_("Prices as published by the price authority prevail."), s["body"]))
    return flow


def tier_range(tier: dict) -> str:
    if tier.get("up_to_kwh") in (None, ""):
        return _("above %(from)s") % {"from": tier["from_kwh"]}
    return f"{tier['from_kwh']} – {tier['up_to_kwh']}"


def _page(board: dict, report_url: str, s) -> list:
    village, station = board["village"], board["station"]
    flow = [
        _p(_("Power Express into the Villages · Notice board"), s["title"]),
        _p(f"{village.name}（{village.code}）　{station.name}", s["subtitle"]),
        Spacer(1, 6 * mm),
    ]
    flow += _tariff_block(board["tariff"], s)
    flow.append(_p(_("Safe use of electricity"), s["h2"]))
    flow += [_p(f"{number}. {tip}", s["body"]) for number, tip in enumerate(board["tips"], start=1)]
    flow.append(_p(_("What the programme has done in this village"), s["h2"]))
    rate = board["signup_rate"]
    figures = [
        (_("Activities this year"), board["activities_this_year"]),
        (_("People reached this year"), board["people_reached_this_year"]),
        (_("Auto-debit sign-up rate"), f"{rate}%" if rate is not None else "—"),
        (_("Hazards fixed"), board["hazards_fixed"]),
        (_("Care visits this year"), board["care_visits_this_year"]),
    ]
    table = Table(
        [
            [_p(str(label), s["cell"]) for label, _v in figures],
            [_p(value, s["figure"]) for _l, value in figures],
        ],
        colWidths=[54 * mm] * 5,
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    flow.append(table)
    flow.append(Spacer(1, 3 * mm))
    for activity in board["activities"][:6]:
        flow.append(
            _p(f"{activity.held_on:%Y-%m-%d} {activity.get_kind_display()}：{activity.title}", s["body"])
        )
    contact = [
        _p(_("Responsible person: %(name)s") % {"name": board["responsible_name"] or "—"}, s["body"]),
        _p(_("Phone: %(phone)s") % {"phone": board["responsible_phone"] or "—"}, s["body"]),
        _p(_("Fault and service hotline"), s["body"]),
        _p(board["hotline"], s["hotline"]),
        _p(_("Scan the code to report a fault in this village."), s["body"]),
        _p(report_url, s["small"]),
    ]
    qr = Image(io.BytesIO(qr_png(report_url)), width=70 * mm, height=70 * mm)
    box = Table([[contact, qr]], colWidths=[180 * mm, 80 * mm])
    box.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOX", (0, 0), (-1, -1), 1.5, BLUE)]))
    flow += [_p(_("Contact"), s["h2"]), box]
    return flow


def board_pdf(pages: list[tuple[dict, str]]) -> bytes:
    """One A3 page per (board, report URL) pair."""
    chinese_font()
    s = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A3,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=_("Notice board"),
        author="Power Express",
    )
    flow = []
    for index, (board, url) in enumerate(pages):
        if index:
            flow.append(PageBreak())
        # Shrink a crowded board rather than let it spill onto a second sheet.
        flow.append(KeepInFrame(doc.width, doc.height - 2 * mm, _page(board, url, s), mode="shrink"))
    doc.build(flow)
    return buffer.getvalue()
