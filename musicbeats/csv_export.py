"""The one CSV writer: every export (people, batches, attendance reports, the ledger,
fee summaries and statements, the import's sample file) writes through it.

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a
formula: a student named `=HYPERLINK("http://x","y")` would become a live link. Every
text cell starting so gets a leading apostrophe, which spreadsheets show as text.
Phone numbers (only digits, spaces, brackets, + and -) stay as they are: they start
with + but cannot call a function, and the office reads them back as typed.

Values: None is empty, Decimal has two places (money as numbers a spreadsheet adds
up), dates and datetimes are ISO 8601, numbers pass through.
"""

import csv
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"^[+-]?[\d ()-]*$")
# A byte-order mark lets Excel read UTF-8 (₹, names in Indian scripts).
BOM = "\ufeff"


def neutralise(value):
    """Text a spreadsheet will not run as a formula; other values as they are."""
    formula = isinstance(value, str) and value.startswith(FORMULA_STARTS)
    return "'" + value if formula and not _PHONE_LIKE.match(value) else value


def cell(value):
    """One CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


class _Echo:
    def write(self, value):
        return value


class SafeWriter:
    """`csv.writer` whose every cell goes through `cell`. Without `out`, `writerow`
    returns the line (for streaming)."""

    def __init__(self, out=None, **fmtparams):
        self._writer = csv.writer(out if out is not None else _Echo(), **fmtparams)

    def writerow(self, row: Iterable):
        return self._writer.writerow([cell(value) for value in row])


def csv_response(
    filename: str, header: list, rows: Iterable[Iterable], *, stream: bool = True
) -> HttpResponse | StreamingHttpResponse:
    """`rows` under `header` as the download `filename` (UTF-8 with a BOM); streamed
    (long lists: memory stays flat) unless `stream=False`."""
    writer = SafeWriter()

    def lines():
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    content_type = "text/csv; charset=utf-8"
    if stream:
        response = StreamingHttpResponse(lines(), content_type=content_type)
    else:
        response = HttpResponse("".join(lines()), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def dated(stem: str) -> str:
    """`students` → `students-2026-11-18.csv` (today in the institute's zone)."""
    return f"{stem}-{timezone.localdate().isoformat()}.csv"
