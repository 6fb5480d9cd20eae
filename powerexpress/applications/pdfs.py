"""PDFs for the counter and the applicant (ReportLab, built-in Chinese CID font, no font files):
the filled application, the receipt with a QR code of the status page, and blank forms per kind."""

import io
from decimal import Decimal

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from powerexpress.applications.choices import KIND_DOCUMENTS, KIND_EXAMPLES, KIND_FIELDS, ApplicationKind
from powerexpress.applications.selectors import time_limit_for
from powerexpress.applications.validation import format_kw
from powerexpress.core.masking import mask_id_number, mask_phone
from powerexpress.core.pdf import chinese_font

FONT = chinese_font()
GREY = Color(0.45, 0.45, 0.45)
WIDTH, HEIGHT = A4
LEFT, RIGHT = 20 * mm, WIDTH - 20 * mm


def _extra_labels() -> dict:
    return {
        "business_name": _("Shop or workshop name"),
        "purpose": _("Purpose"),
        "supply_until": _("Supply needed until"),
        "account_no": _("Existing account number"),
    }


class _Page:
    """A small writer that moves down the page as lines are written."""

    def __init__(self, title: str):
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4)
        self.canvas.setTitle(title)
        self.y = HEIGHT - 20 * mm
        self.canvas.setFont(FONT, 16)
        self.canvas.drawCentredString(WIDTH / 2, self.y, title)
        self.y -= 6 * mm
        self.canvas.setFont(FONT, 9)
        self.canvas.drawCentredString(
            WIDTH / 2, self.y, _("Power Express into the Villages | Service hotline 95598")
        )
        self.y -= 10 * mm

    def text(self, text: str, size: int = 11, x: float = LEFT, color=black, step: float = 7 * mm) -> None:
        self.need(step)
        self.canvas.setFillColor(color)
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(x, self.y, text)
        self.canvas.setFillColor(black)
        self.y -= step

    def field(self, label: str, value: str, box: bool = False) -> None:
        self.need(9 * mm)
        self.canvas.setFont(FONT, 11)
        self.canvas.drawString(LEFT, self.y, label)
        if box:
            self.canvas.rect(LEFT + 45 * mm, self.y - 2 * mm, RIGHT - LEFT - 45 * mm, 7 * mm)
        self.canvas.drawString(LEFT + 47 * mm, self.y, value)
        self.y -= 9 * mm

    def checkbox(self, label: str, ticked: bool) -> None:
        self.need(7 * mm)
        self.canvas.rect(LEFT, self.y - 0.5 * mm, 3.5 * mm, 3.5 * mm)
        if ticked:
            self.canvas.setFont(FONT, 11)
            self.canvas.drawString(LEFT + 0.4 * mm, self.y, "√")
        self.canvas.setFont(FONT, 10)
        self.canvas.drawString(LEFT + 6 * mm, self.y, label)
        self.y -= 6.5 * mm

    def table(
        self, header: list[str], rows: list[list[str]], widths: list[float], grey_rows: int = 0
    ) -> None:
        row_height = 7 * mm
        self.need(row_height * (len(rows) + 1))
        top = self.y + 5 * mm
        for index, row in enumerate([header, *rows]):
            x = LEFT
            self.canvas.setFont(FONT, 10)
            self.canvas.setFillColor(GREY if 0 < index <= grey_rows else black)
            for cell, width in zip(row, widths, strict=True):
                self.canvas.rect(x, top - row_height * (index + 1), width, row_height)
                self.canvas.drawString(x + 1.5 * mm, top - row_height * (index + 1) + 2 * mm, cell)
                x += width
            self.canvas.setFillColor(black)
        self.y = top - row_height * (len(rows) + 1) - 8 * mm

    def qr(self, data: str, size: float) -> None:
        code = segno.make(data, error="m")
        matrix = code.matrix
        cell = size / len(matrix)
        x0, y0 = RIGHT - size, self.y - size
        self.canvas.setFillColor(black)
        for row_index, row in enumerate(matrix):
            for col_index, dark in enumerate(row):
                if dark:
                    self.canvas.rect(
                        x0 + col_index * cell,
                        y0 + (len(matrix) - row_index - 1) * cell,
                        cell,
                        cell,
                        stroke=0,
                        fill=1,
                    )

    def need(self, height: float) -> None:
        if self.y - height < 20 * mm:
            self.canvas.showPage()
            self.y = HEIGHT - 20 * mm

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _widths() -> list[float]:
    return [75 * mm, 30 * mm, 30 * mm, 35 * mm]


def _appliance_header() -> list[str]:
    return [_("Appliance"), _("Quantity"), _("kW each"), _("kW total")]


def application_pdf(application) -> bytes:
    """The filled application as printed for the applicant's signature (personal data masked)."""
    page = _Page(_("Application for electricity supply"))
    page.text(_("Tracking number: %(no)s") % {"no": application.tracking_no}, size=12)
    page.text(
        _("Received: %(at)s") % {"at": timezone.localtime(application.received_at).strftime("%Y-%m-%d %H:%M")}
    )
    page.field(_("Kind"), str(application.get_kind_display()))
    page.field(_("Applicant"), application.applicant_name)
    page.field(_("Resident ID number"), mask_id_number(application.id_number))
    page.field(_("Mobile"), mask_phone(application.phone))
    page.field(_("Village"), f"{application.village.code} {application.village.name}")
    page.field(_("Address"), application.address)
    labels = _extra_labels()
    for name in KIND_FIELDS[application.kind]:
        value = getattr(application, name)
        page.field(labels[name], value.isoformat() if hasattr(value, "isoformat") else str(value or ""))
    page.field(_("Requested capacity"), f"{format_kw(application.requested_kw)} kW")
    rows = [
        [line.name, str(line.quantity), format_kw(line.kw_each), format_kw(line.total_kw)]
        for line in application.appliances.all()
    ]
    rows.append([_("Total connected load"), "", "", format_kw(application.connected_kw)])
    page.text(_("Appliances"), size=12)
    page.table(_appliance_header(), rows, _widths())
    page.text(_("Documents"), size=12)
    for doc in KIND_DOCUMENTS[application.kind]:
        page.checkbox(str(doc.label), str(doc.value) in application.documents)
    page.text(
        _("Supply plan reply due by %(plan)s; connection due by %(connect)s (working days).")
        % {"plan": application.plan_due_on.isoformat(), "connect": application.connect_due_on.isoformat()},
        size=10,
    )
    page.text(_("Applicant's signature: ____________    Date: ____________"), size=11, step=12 * mm)
    return page.finish()


def receipt_pdf(application, status_url: str) -> bytes:
    """The receipt: tracking number, due dates and a QR code of the public status page."""
    page = _Page(_("Receipt of your application"))
    top = page.y
    page.qr(status_url, 45 * mm)
    page.text(_("Tracking number"), size=11)
    page.text(application.tracking_no, size=20, step=11 * mm)
    page.text(str(application.get_kind_display()), size=11)
    page.text(
        _("Applicant: %(name)s  Mobile: %(phone)s")
        % {"name": application.applicant_name, "phone": mask_phone(application.phone)}
    )
    page.text(
        _("Received: %(at)s") % {"at": timezone.localtime(application.received_at).strftime("%Y-%m-%d %H:%M")}
    )
    page.text(_("Supply plan reply due by: %(date)s") % {"date": application.plan_due_on.isoformat()})
    page.text(_("Connection due by: %(date)s") % {"date": application.connect_due_on.isoformat()})
    page.y = min(page.y, top - 50 * mm)
    page.text(_("Scan the code or open this address to follow your application:"), size=10)
    page.text(status_url, size=9, color=GREY)
    page.text(_("Keep this receipt. Questions: call 95598 or your village's responsible person."), size=10)
    return page.finish()


def blank_pdf(kind: str) -> bytes:
    """The blank form of one kind for the counter, with examples in grey."""
    limit = time_limit_for(kind)
    page = _Page(_("Application for electricity supply") + " - " + str(ApplicationKind(kind).label))
    page.text(
        _("Fill in the boxes. Examples in grey. Bring the documents ticked below."), size=10, color=GREY
    )
    page.field(_("Applicant"), "", box=True)
    page.field(_("Resident ID number"), "", box=True)
    page.text(
        _("18 characters, the last may be X (e.g. 52222319900101123X)"),
        size=9,
        color=GREY,
        x=LEFT + 47 * mm,
        step=6 * mm,
    )
    page.field(_("Mobile"), "", box=True)
    page.field(_("Village"), "", box=True)
    page.field(_("Address"), "", box=True)
    labels = _extra_labels()
    for name in KIND_FIELDS[kind]:
        page.field(labels[name], "", box=True)
    page.field(_("Requested capacity"), "", box=True)
    page.text(_("Appliances"), size=12)
    examples = [
        [str(name), str(quantity), kw, format_kw(quantity * Decimal(kw))]
        for name, quantity, kw in KIND_EXAMPLES[kind]
    ]
    page.table(_appliance_header(), examples + [["", "", "", ""]] * 6, _widths(), grey_rows=len(examples))
    page.text(_("Documents"), size=12)
    for doc in KIND_DOCUMENTS[kind]:
        page.checkbox(str(doc.label), False)
    page.text(
        _(
            "We reply a supply plan within %(plan)s working days and connect within %(install)s working days "
            "after the formalities."
        )
        % {"plan": limit.plan_reply_days, "install": limit.install_days},
        size=10,
    )
    page.text(_("Applicant's signature: ____________    Date: ____________"), size=11, step=12 * mm)
    return page.finish()
