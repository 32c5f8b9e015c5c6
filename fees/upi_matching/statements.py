"""Reading a bank or UPI-business statement (CSV or XLSX) into its credit lines.

Two layouts, told apart by their header row (searched in the first 30 rows, since bank
exports start with the account's details):

- `bank`: an account statement as HDFC, SBI or ICICI export it: Date, Narration (or
  Description / Particulars), Chq./Ref. No., Value Dt, Withdrawal Amt. (Debit),
  Deposit Amt. (Credit), Closing Balance. Lines with a deposit are credits.
- `upi`: a UPI-business app's transactions export (PhonePe, Paytm, GPay for business):
  Transaction ID or UTR, Date, Amount, Payer VPA / Payer Name, Note / Remarks, Status.
  Lines whose status is SUCCESS (or COMPLETED, CREDITED, PAID) are credits.

Refused, naming the line (nothing is stored): a file over MAX_BYTES, a binary file that is
not an XLSX workbook, a header row of neither layout, a formula in a cell (an XLSX formula,
or text starting with = + - @ that a spreadsheet would run: CSV injection), a date in
another format, an amount that is not a plain number.
"""

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from musicbeats.money import CENT

MAX_BYTES = 5 * 1024 * 1024  # a year of a busy account is well under 1 MB
MAX_LINES = 20000
HEADER_SEARCH_ROWS = 30
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d-%m-%y", "%d-%b-%Y", "%d %b %Y", "%Y-%m-%d")
DATE_FORMATS_SAID = (
    "DD/MM/YYYY, DD/MM/YY, DD-MM-YYYY, DD-MM-YY, 07-Dec-2026, 07 Dec 2026, YYYY-MM-DD"
)
SUCCESS = {"success", "successful", "completed", "credited", "paid"}

# Each layout: field -> header names it goes by (lower case, letters and digits only).
LAYOUTS = {
    "bank": {
        "date": ("date", "txndate", "transactiondate", "trandate"),
        "narration": ("narration", "description", "particulars", "remarks"),
        "reference": ("chqrefno", "refno", "refnochequeno", "chequenorefno", "chqno", "refchqno"),
        "credit": ("depositamt", "deposit", "credit", "creditamt", "depositamount", "creditamount"),
        "debit": ("withdrawalamt", "withdrawal", "debit", "debitamt", "withdrawalamount"),
        "balance": ("closingbalance", "balance"),
    },
    "upi": {
        "reference": ("utr", "utrno", "upirefno", "rrn", "upitransactionid", "transactionid"),
        "date": ("date", "transactiondate", "datetime", "transactiondatetime"),
        "credit": ("amount", "transactionamount", "amountinr", "amountrs"),
        "payer": ("payervpa", "payername", "payer", "customervpa", "fromvpa"),
        "narration": ("note", "remarks", "message", "transactionnote"),
        "status": ("status", "transactionstatus"),
    },
}
LAYOUT_NAMES = {"bank": "bank account statement", "upi": "UPI business app transactions"}


class StatementError(Exception):
    """The file is not a statement this page reads; the message names the line."""


@dataclass(frozen=True)
class Credit:
    line: int  # the line (row) number in the file, as a spreadsheet shows it
    posted_on: date
    amount: Decimal
    reference: str
    narration: str

    @property
    def key(self) -> str:
        """The line's unique key: its bank reference/UTR, else a hash of the line."""
        if self.reference:
            return f"ref:{self.reference.upper()}"
        text = f"{self.posted_on.isoformat()}|{self.amount}|{' '.join(self.narration.split())}"
        return "hash:" + hashlib.sha256(text.encode()).hexdigest()[:40]

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "posted_on": self.posted_on.isoformat(),
            "amount": str(self.amount),
            "reference": self.reference,
            "narration": self.narration,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Credit":
        return cls(
            line=data["line"],
            posted_on=date.fromisoformat(data["posted_on"]),
            amount=Decimal(data["amount"]),
            reference=data["reference"],
            narration=data["narration"],
        )


def _rows(raw: bytes):
    """(line number, list of cell values) for each row of a CSV or XLSX file."""
    if raw.startswith(b"PK\x03\x04"):
        return _xlsx_rows(raw)
    if b"\x00" in raw[:8192]:
        raise StatementError("This is not a statement: the file is binary (not CSV or XLSX).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise StatementError(
            f"Line {line}: the file is not UTF-8 text (save it as CSV UTF-8 or XLSX)."
        ) from None
    return (
        (number, row) for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1)
    )


def _xlsx_rows(raw: bytes):
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula must be seen (and refused), not its cached value.
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise StatementError(
            "This is not a statement: the file is not a readable XLSX workbook."
        ) from None
    sheet = book.worksheets[0]

    def rows():
        try:
            for number, row in enumerate(sheet.iter_rows(), 1):
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        raise StatementError(
                            f"Line {number}: cell {cell.coordinate} holds a formula; "
                            "statements are plain values. Nothing was read."
                        )
                yield number, [cell.value for cell in row]
        finally:
            book.close()

    return rows()


def _norm(value) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value or "").lower())


def _detect(row) -> tuple[str, dict] | None:
    names = [_norm(cell) for cell in row]
    for layout, fields in LAYOUTS.items():
        columns = {}
        for field, aliases in fields.items():
            # The first alias found wins (a UTR column before a transaction id).
            for alias in aliases:
                if alias in names and field not in columns:
                    columns[field] = names.index(alias)
        needed = {"date", "credit", "reference", "narration"}
        if layout == "upi":
            needed.add("status")
        if needed <= columns.keys():
            return layout, columns
    return None


def _cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def _check_injection(number: int, row) -> None:
    for index, value in enumerate(row):
        if not isinstance(value, str):
            continue
        text = value.lstrip(" \t\r\n")
        if text[:1] in ("=", "+", "@") or (
            text[:1] == "-" and not re.fullmatch(r"-[\d,]+(\.\d+)?", text)
        ):
            raise StatementError(
                f"Line {number}, column {index + 1}: “{text[:30]}” starts with "
                f"“{text[0]}”, which a spreadsheet runs as a formula. Nothing was read."
            )


def parse_date(value, number: int) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    # "07/12/2026 10:15:33" and "2026-12-07T10:15": the day is enough.
    text = re.split(r"[ T](?=\d{1,2}:\d{2})", text, maxsplit=1)[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise StatementError(
        f"Line {number}: the date “{text[:20]}” is in a format this page does not read. "
        f"Accepted: {DATE_FORMATS_SAID} (day before month)."
    )


def parse_amount(value, number: int) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value)).quantize(CENT)
    text = _cell_text(value).replace(",", "").replace("₹", "").replace("INR", "").strip()
    text = re.sub(r"\s*(CR|Cr|cr)$", "", text)
    if text in ("", "-", "0", "0.00"):
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT):
        raise StatementError(f"Line {number}: the amount “{text[:20]}” is not a plain number.")
    return amount


def read_statement(raw: bytes) -> tuple[str, list[Credit]]:
    """The layout and the credit lines of a statement file; StatementError if it is not
    one (the message names the line)."""
    if len(raw) > MAX_BYTES:
        raise StatementError(f"The file is over {MAX_BYTES // 1024 // 1024} MB.")
    if not raw.strip():
        raise StatementError("The file is empty.")
    found = None
    credits = []
    for number, row in _rows(raw):
        _check_injection(number, row)
        if found is None:
            found = _detect(row)
            if found is None and number >= HEADER_SEARCH_ROWS:
                break
            continue
        credit = _credit(number, row, *found)
        if credit is not None:
            credits.append(credit)
            if len(credits) > MAX_LINES:
                raise StatementError(f"Line {number}: more than {MAX_LINES:,} credits; split it.")
    if found is None:
        raise StatementError(
            "Line 1: no header row of a known layout in the first "
            f"{HEADER_SEARCH_ROWS} lines. This page reads a bank account statement (Date, "
            "Narration, Chq./Ref. No., Value Dt, Withdrawal Amt., Deposit Amt., Closing "
            "Balance) or a UPI business app export (Transaction ID/UTR, Date, Amount, "
            "Payer VPA, Note, Status)."
        )
    return found[0], credits


def _credit(number, row, layout, columns) -> Credit | None:
    def cell(field):
        index = columns.get(field)
        return row[index] if index is not None and index < len(row) else None

    if not any(_cell_text(value) for value in row):
        return None
    raw_date = cell("date")
    amount = parse_amount(cell("credit"), number)
    if amount is None and not re.search(r"[0-9]", _cell_text(raw_date)):
        return None  # a footer or a note line ("*** end of statement ***")
    posted_on = parse_date(raw_date, number)
    if amount is None or amount <= 0:
        return None  # a withdrawal, or nothing credited
    if layout == "upi" and _cell_text(cell("status")).lower() not in SUCCESS:
        return None
    narration = " ".join(
        part for part in (_cell_text(cell("narration")), _cell_text(cell("payer"))) if part
    )
    reference = re.sub(r"[^A-Za-z0-9]", "", _cell_text(cell("reference")))
    if reference.isdigit():
        reference = reference.lstrip("0")  # banks pad a UTR to 16 digits, or print zeros
    return Credit(number, posted_on, amount, reference[:40], narration[:300])
