"""Bank batch-debit file formats. No national standard exists, so each bank's layout is one
class with ``render`` (our batch → the file we send) and ``parse_return`` (the bank's answer →
lines). The default, ``PXD1``, is documented in docs/billing.md:

Debit file (UTF-8, one record a line, fields separated by ``|``)::

    H|<batch_no>|<station code>|<YYYYMM>|<record count>|<total fen>
    D|<line no>|<bill ref>|<account no>|<bank account>|<payer name>|<amount fen>
    T|<checksum>

Return file::

    H|<batch_no>|<record count>|<total fen>
    R|<line no>|<bill ref>|<account no>|<amount fen>|<result code>
    T|<checksum>

Result codes: ``00`` debited, ``51`` insufficient balance, ``14`` account closed, ``12`` invalid
account. The checksum is the CRC-32 (8 upper-case hex digits) of every line before the trailer,
each followed by ``\\n``.
"""

import zlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from powerexpress.billing.choices import DebitResult


class DebitFileError(ValueError):
    """A file that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class DebitLine:
    line_no: int
    bill_ref: str
    account_no: str
    bank_account: str
    payer_name: str
    amount_fen: int


@dataclass(frozen=True)
class ReturnLine:
    line_no: int
    bill_ref: str
    account_no: str
    amount_fen: int
    result: str


@dataclass(frozen=True)
class ReturnFile:
    batch_no: str
    record_count: int
    total_fen: int
    lines: tuple[ReturnLine, ...]


def checksum(lines: list[str]) -> str:
    return f"{zlib.crc32(''.join(line + chr(10) for line in lines).encode('utf-8')):08X}"


class Pxd1Format:
    """The default layout (see the module docstring)."""

    code = "PXD1"
    name = "Power Express default (PXD1)"
    RESULTS = {
        "00": DebitResult.SUCCESS,
        "51": DebitResult.INSUFFICIENT,
        "14": DebitResult.CLOSED,
        "12": DebitResult.INVALID,
    }

    def render(self, *, batch_no: str, station_code: str, month: str, lines: list[DebitLine]) -> str:
        body = [f"H|{batch_no}|{station_code}|{month}|{len(lines)}|{sum(line.amount_fen for line in lines)}"]
        body += [
            f"D|{line.line_no}|{line.bill_ref}|{line.account_no}|{line.bank_account}|"
            f"{line.payer_name.replace('|', ' ')}|{line.amount_fen}"
            for line in lines
        ]
        return "\n".join(body + [f"T|{checksum(body)}"]) + "\n"

    def parse_return(self, text: str) -> ReturnFile:
        rows = [row.strip() for row in text.strip().splitlines() if row.strip()]
        if len(rows) < 2 or not rows[0].startswith("H|") or not rows[-1].startswith("T|"):
            raise DebitFileError(_("The file needs a header line (H|…) first and a trailer line (T|…) last."))
        if rows[-1][2:] != checksum(rows[:-1]):
            raise DebitFileError(_("The checksum in the trailer does not match the file's content."))
        header = rows[0].split("|")
        if len(header) != 4 or not header[2].isdigit() or not header[3].lstrip("-").isdigit():
            raise DebitFileError(_("The header must be H|batch number|record count|total fen."))
        lines = []
        for number, row in enumerate(rows[1:-1], start=2):
            parts = row.split("|")
            if (
                len(parts) != 6
                or parts[0] != "R"
                or not parts[1].isdigit()
                or not parts[4].lstrip("-").isdigit()
            ):
                raise DebitFileError(
                    _("Line %(n)s is not a result line R|line|bill|account|fen|code.") % {"n": number}
                )
            if parts[5] not in self.RESULTS:
                raise DebitFileError(
                    _("Line %(n)s has an unknown result code %(code)s.") % {"n": number, "code": parts[5]}
                )
            lines.append(ReturnLine(int(parts[1]), parts[2], parts[3], int(parts[4]), self.RESULTS[parts[5]]))
        return ReturnFile(header[1], int(header[2]), int(header[3]), tuple(lines))

    def render_return(self, *, batch_no: str, lines: list[ReturnLine]) -> str:
        """A bank's answer in this layout (for tests, demos and the bank's own testing)."""
        codes = {result: code for code, result in self.RESULTS.items()}
        body = [f"H|{batch_no}|{len(lines)}|{sum(line.amount_fen for line in lines)}"]
        body += [
            f"R|{line.line_no}|{line.bill_ref}|{line.account_no}|{line.amount_fen}|{codes[line.result]}"
            for line in lines
        ]
        return "\n".join(body + [f"T|{checksum(body)}"]) + "\n"


FORMATS = {Pxd1Format.code: Pxd1Format}
DEFAULT_FORMAT = Pxd1Format.code


def debit_format(code: str = DEFAULT_FORMAT):
    return FORMATS[code]()
