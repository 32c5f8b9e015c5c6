"""Tables to files for the accountant: CSV always, XLSX through openpyxl.

A `Table` is a title, column headings and rows of plain values (str, int, Decimal,
date). Money goes out as numbers with two decimals, never as "₹1,00,000.00" text, so a
spreadsheet can add it up. Text that a spreadsheet would run as a formula (a name that
starts with "=", "+", "-" or "@") is prefixed with an apostrophe, by the project's one
CSV writer (musicbeats/csv_export.py), in CSV and XLSX alike.
"""

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import HttpResponse

from musicbeats.csv_export import BOM, SafeWriter, neutralise

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Table:
    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence]


def csv_bytes(tables: Sequence[Table]) -> bytes:
    """One CSV file. Several tables are written one after another, each under its title
    and separated by an empty line (one table is written without a title row)."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    for index, table in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.headings)
        for row in table.rows:
            writer.writerow(row)
    return (BOM + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = SHEET_TITLE_BAD.sub(" ", title)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """One workbook, one sheet per table (write-only mode: memory stays flat)."""
    # Imported here: openpyxl was a sixth of a web worker's start-up, paid on every
    # restart (issue 12, fast restarts).
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        header = []
        for heading in table.headings:
            cell = WriteOnlyCell(sheet, value=heading)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=neutralise(value))
                if isinstance(value, Decimal):
                    cell.number_format = MONEY_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                cells.append(cell)
            sheet.append(cells)
    if not used:
        workbook.create_sheet("Empty")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(tables: Sequence[Table], *, filename: str, fmt: str) -> HttpResponse:
    """An attachment download of `tables` as `filename`.csv or .xlsx."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    if fmt == "csv":
        response = HttpResponse(csv_bytes(tables), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(tables), content_type=XLSX_TYPE)
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.{fmt}"'
    return response
