"""Parents' UPI payments matched (issue 13, item 6): a guardian on a phone reports a UPI
payment and the office confirms it with one keystroke; the office imports a bank
statement, records the matched lines, and the same file again records nothing. Every
page is checked by axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Student
from fees import selectors
from fees.models import Payment, StatementLine, UpiReport
from tests.browser.conftest import DESKTOP, PHONE, nav_to
from tests.browser.test_fee_desk_browser import families_with_dues, log_in

pytestmark = pytest.mark.dates


def test_guardian_reports_a_upi_payment_and_the_office_confirms_it(demo, make_page, a11y):
    phone = make_page(PHONE)
    log_in(phone, a11y, demo.url, "guardian@musicbeats.test")
    phone.goto(f"{demo.url}/fees/mine/")
    a11y.check(phone)
    phone.get_by_role("link", name="Report a UPI payment").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    for amount, utr in (("1500.00", "6335 1234 5678"), ("500.00", "633598765432")):
        phone.goto(f"{demo.url}/fees/mine/report/")
        a11y.check(phone)
        phone.get_by_label("Amount (₹)").fill(amount)
        phone.get_by_label("UPI reference (UTR)").fill(utr)
        phone.get_by_role("button", name="Report the payment").click()
        phone.wait_for_load_state("load")
        expect(phone.locator(f"[data-upi-report='{utr.replace(' ', '')}']")).to_contain_text(
            "Waiting for the office"
        )
        a11y.check(phone)

    desk = make_page(DESKTOP)
    log_in(desk, a11y, demo.url, "office@musicbeats.test")
    nav_to(desk, "Fees", "Reported UPI payments")
    desk.wait_for_load_state("load")
    a11y.check(desk)
    row = desk.locator("[data-upi-report='633512345678']")
    confirm = row.get_by_role("button", name="Confirm")
    expect(confirm).to_be_focused()  # autofocus: one keystroke
    desk.keyboard.press("Enter")
    expect(row).to_contain_text("Confirmed")
    # The focus moves to the next report: Enter again confirms it.
    second = desk.locator("[data-upi-report='633598765432']")
    expect(second.get_by_role("button", name="Confirm")).to_be_focused()
    desk.keyboard.press("Enter")
    expect(second).to_contain_text("Confirmed")
    a11y.check(desk)
    report = UpiReport.objects.get(reference="633512345678")
    assert report.status == "confirmed"
    # One payment, once: for the family's children that is one family payment (a share
    # per child under one receipt number).
    payments = Payment.objects.filter(reference="633512345678", method="upi")
    assert len({p.receipt_number for p in payments}) == 1
    assert len({p.student_id for p in payments}) == payments.count()

    phone.reload()
    expect(phone.locator("[data-upi-report='633512345678']")).to_contain_text("Confirmed")
    a11y.check(phone)


def _statement(tmp_path, rolls):
    when = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    rows = ["Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance"]
    for n, roll in enumerate(rolls):
        student = Student.objects.get(roll_number=roll)
        due = selectors.student_account(student.pk).outstanding
        rows.append(
            f"{when},UPI-PAYER-p@okhdfc-{70000000000 + n}-Fees {roll},"
            f"0000{700000000000 + n},{when},,{due},1000.00"
        )
    path = tmp_path / "hdfc-statement.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _import(desk, a11y, path):
    nav_to(desk, "Fees", "Import bank/UPI statement")
    desk.wait_for_load_state("load")
    a11y.check(desk)
    desk.get_by_label("Statement file (CSV or XLSX)").set_input_files(path)
    desk.get_by_role("button", name="Read the statement").click()
    desk.wait_for_load_state("load")
    a11y.check(desk)


def test_office_imports_a_statement_records_it_and_a_reimport_records_nothing(
    demo, make_page, a11y, tmp_path
):
    rolls = families_with_dues(2)
    path = _statement(tmp_path, rolls)
    desk = make_page(DESKTOP)
    log_in(desk, a11y, demo.url, "office@musicbeats.test")
    before = Payment.objects.count()

    _import(desk, a11y, path)
    for roll in rolls:
        expect(desk.locator("tbody")).to_contain_text(roll)
    expect(desk.get_by_role("checkbox", checked=True)).to_have_count(2)
    desk.get_by_role("button", name="Record the ticked lines").click()
    desk.wait_for_load_state("load")
    expect(desk.get_by_role("alert").or_(desk.locator(".alert"))).to_contain_text("Recorded 2")
    a11y.check(desk)
    assert Payment.objects.count() == before + 2
    assert StatementLine.objects.count() == 2

    _import(desk, a11y, path)
    expect(desk.locator("[data-kind='used']")).to_have_count(2)
    desk.get_by_role("button", name="Record the ticked lines").click()
    desk.wait_for_load_state("load")
    a11y.check(desk)
    assert Payment.objects.count() == before + 2
