import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from fees.exports import Table, csv_bytes, export_response, xlsx_bytes

TABLE = Table(
    "By month: April/May",
    ["Month", "Amount", "Name"],
    [[date(2026, 4, 1), Decimal("100000.5"), "=HYPERLINK(evil)"], ["May", Decimal(0), "Ravi"]],
)


def test_csv_has_plain_numbers_and_no_formulas():
    text = csv_bytes([TABLE]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Month", "Amount", "Name"]
    assert rows[1] == ["2026-04-01", "100000.50", "'=HYPERLINK(evil)"]


def test_csv_of_several_tables_titles_each():
    text = csv_bytes([TABLE, Table("Other", ["A"], [[1]])]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["By month: April/May"]
    assert ["Other"] in rows


def test_xlsx_has_one_sheet_per_table_with_numbers():
    data = xlsx_bytes([TABLE, Table("By month: April/May", ["A"], [])])
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.sheetnames) == 2
    sheet = workbook.worksheets[0]
    assert sheet["B2"].value == 100000.5
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].value == "'=HYPERLINK(evil)"


def test_export_response_is_an_attachment():
    response = export_response([TABLE], filename="summary 2026/27", fmt="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="summary-2026-27.xlsx"'
