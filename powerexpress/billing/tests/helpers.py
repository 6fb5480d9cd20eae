"""Small builders shared by the billing tests."""

import datetime

from powerexpress.billing.services import readings_import


def readings_csv(rows) -> bytes:
    lines = ["account_no,read_on,register_kwh,estimated"]
    lines += [",".join(str(cell) for cell in row) + ("" if len(row) == 4 else ",") for row in rows]
    return ("\n".join(lines) + "\n").encode()


def import_readings(user, rows):
    return readings_import(user=user, file_name="readings.csv", content=readings_csv(rows))


def month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)
