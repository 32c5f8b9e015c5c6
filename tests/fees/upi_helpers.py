"""Statement files for the UPI matching tests and the bench (built from the suite's day)."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

BANK_HEADER = "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance"
UPI_HEADER = ["Transaction ID", "Date", "Amount", "Payer VPA", "Note", "Status"]


def day(back=1):
    return timezone.localdate() - timedelta(days=back)


def bank_csv(lines, *, preamble=True) -> bytes:
    """`lines`: (reference, amount, note) credits, dated yesterday (DD/MM/YY)."""
    rows = ["HDFC BANK Ltd.,,,,,,", "Account No : 50100123456789,,,,,,"] if preamble else []
    rows.append(BANK_HEADER)
    when = day().strftime("%d/%m/%y")
    for reference, amount, note in lines:
        rows.append(f'{when},UPI-PAYER-payer@okhdfc-{note},{reference},{when},,"{amount}",9999.00')
    rows.append(f'{when},ATM WITHDRAWAL,0000000000000000,{when},"500.00",,9499.00')
    rows.append("*** End of the statement ***,,,,,,")
    return ("\n".join(rows) + "\n").encode()


def upi_xlsx(lines, *, formula=False) -> bytes:
    """The UPI-business layout as an XLSX workbook with real date and number cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(UPI_HEADER)
    when = timezone.localtime().replace(tzinfo=None) - timedelta(days=1)
    for reference, amount, note in lines:
        sheet.append([reference, when, float(amount), "payer@ybl", note, "SUCCESS"])
    sheet.append(["T000FAILED00001", when, 99.0, "payer@ybl", "Fees", "FAILED"])
    if formula:
        sheet["E3"] = '=HYPERLINK("http://evil.example","Fees")'
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name="statement.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")
