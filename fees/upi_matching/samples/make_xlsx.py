"""Writes upi-business.xlsx from upi-business.csv (the XLSX sample):
`.venv/bin/python fees/upi_matching/samples/make_xlsx.py`."""

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent


def main():
    book = Workbook()
    sheet = book.active
    sheet.title = "Transactions"
    with open(HERE / "upi-business.csv", encoding="utf-8", newline="") as file:
        for row in csv.reader(file):
            sheet.append(row)
    book.save(HERE / "upi-business.xlsx")


if __name__ == "__main__":
    main()
