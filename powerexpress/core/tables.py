"""Reading uploaded tables (CSV or Excel) into rows of header → value."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import load_workbook

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


def write_xlsx(header: list[str], rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(header: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
