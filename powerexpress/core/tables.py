"""Reading uploaded tables (CSV or Excel) into rows of header → value."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from powerexpress.core.errors import ApiError


def read_table(file_name: str, content: bytes) -> list[tuple[int, dict]]:
    """Rows as (spreadsheet row number, {header: value}); blank rows are skipped.

    CSV is read as UTF-8 (with or without BOM) or, failing that, GB18030 as Excel in China saves it.
    """
    name = file_name.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif name.endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise ApiError(_("Upload a .csv or .xlsx file."), status=422, code="unsupported_file")
    if not rows:
        raise ApiError(_("The file is empty."), status=422, code="empty_file")
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    result = []
    for offset, row in enumerate(rows[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue
        result.append((offset, {header[i]: row[i] for i in range(min(len(header), len(row))) if header[i]}))
    return result


def _csv_rows(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ApiError(_("The CSV file is neither UTF-8 nor GB18030 text."), status=422, code="bad_encoding")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(content: bytes) -> list[list]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ApiError(
            _("The Excel file cannot be read: %(error)s") % {"error": exc}, status=422, code="bad_file"
        ) from exc
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _clean_text(value):
    """A string without the control characters Excel files cannot hold; other values as they are."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _xlsx_cell(sheet, value):
    """One cell: text that looks like a formula is stored as text (never run by Excel) and keeps its
    exact value, so an export re-imports unchanged."""
    value = _clean_text(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def _csv_cell(value):
    """One CSV field: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    value = _clean_text(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_xlsx(header: list[str], rows) -> bytes:
    """An .xlsx file of ``header`` and ``rows``; ``rows`` (a generator over a database cursor) is
    always closed, even when writing fails, so no cursor is left open on a persistent connection."""
    try:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([_xlsx_cell(sheet, value) for value in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    finally:
        _close(rows)


def write_csv(header: list[str], rows) -> bytes:
    """A UTF-8 (with BOM, for Excel) CSV file; ``rows`` is always closed, like ``write_xlsx``."""
    try:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_csv_cell(value) for value in header])
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
        return buffer.getvalue().encode("utf-8-sig")
    finally:
        _close(rows)


def _close(rows) -> None:
    close = getattr(rows, "close", None)
    if close is not None:
        close()
