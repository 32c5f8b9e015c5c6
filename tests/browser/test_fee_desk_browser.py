"""The office at the fee desk, keyboard only: three families pay, a receipt is printed,
one payment is voided with a reason. Every page is checked by axe."""

import re

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Student
from fees import selectors
from fees.models import Charge, Payment
from tests.browser.conftest import DESKTOP, PHONE, TABLET, nav_to


def log_in(page, a11y, base_url, email):
    page.goto(f"{base_url}/accounts/login/")
    a11y.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    a11y.check(page)


def families_with_dues(count):
    """Roll numbers of students with something due, one per family."""
    seen, rolls = set(), []
    students = Student.objects.filter(user__is_active=True).prefetch_related("guardians")
    for student in students.order_by("roll_number"):
        family = frozenset(g.pk for g in student.guardians.all()) or {student.pk}
        if family & seen:
            continue
        if selectors.student_account(student.pk).outstanding > 0:
            seen |= family
            rolls.append(student.roll_number)
        if len(rolls) == count:
            return rolls
    raise AssertionError("the demo has too few families with dues")


def _print_the_receipt(page, a11y, receipt):
    # Print the last receipt: its page, the browser's print.
    page.locator("[data-receipt-link]").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page.locator(".receipt-number")).to_have_text(receipt)
    a11y.check(page)
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") is True
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("link", name="Void this payment…")).to_be_hidden()
    expect(page.locator(".receipt")).to_be_visible()
    page.emulate_media(media="screen")


def test_office_records_three_payments_with_the_keyboard_prints_and_voids(demo, make_page, a11y):
    rolls = families_with_dues(3)
    before = Payment.objects.count()
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test")
    nav_to(page, "Fees", "New payment")
    expect(page.get_by_role("heading", level=1)).to_have_text("New payment")
    search = page.get_by_label("Student: name, roll number or phone")
    expect(search).to_be_focused()
    a11y.check(page)
    receipts = []
    for roll in rolls:
        page.keyboard.type(roll.lower())
        result = page.locator("[data-fee-result]").first
        expect(result).to_contain_text(roll)
        page.keyboard.press("ArrowDown")
        expect(result).to_be_focused()
        page.keyboard.press("Enter")
        amount = page.get_by_label("Amount (₹)")
        expect(amount).to_be_focused()
        due = page.locator("[data-outstanding]").inner_text()
        assert amount.input_value() not in ("", "0")
        a11y.check(page)  # every state the address bar shows is checked
        page.keyboard.press("Enter")
        saved = page.locator("[data-saved]")
        expect(saved).to_contain_text("Payment saved")
        expect(saved).to_contain_text(due)
        expect(search).to_be_focused()
        expect(search).to_have_value("")
        receipts.append(re.search(r"MB/\d{4}-\d{2}/\d{6}", saved.inner_text()).group(0))
        a11y.check(page)
    assert Payment.objects.count() == before + 3
    numbers = [int(r.rsplit("/", 1)[1]) for r in receipts]
    assert numbers == list(range(numbers[0], numbers[0] + 3))

    _print_the_receipt(page, a11y, receipts[-1])

    # Void it with a reason, after the confirmation step.
    page.get_by_role("link", name="Void this payment…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(receipts[-1])
    a11y.check(page)
    page.get_by_label("Reason for voiding").fill("Family paid twice by mistake")
    page.get_by_role("button", name=f"Void receipt {receipts[-1]}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("VOID")
    expect(page.get_by_text("Family paid twice by mistake")).to_be_visible()
    a11y.check(page)
    voided = Payment.objects.select_related("voided_by").get(receipt_number=receipts[-1])
    assert voided.is_void and voided.voided_by.email == "office@musicbeats.test"

    page.get_by_role("link", name="The ledger").click()
    row = page.get_by_role("row").filter(has_text=receipts[-1])
    expect(row).to_have_class(re.compile("ledger-void"))
    expect(row).to_contain_text("Void")
    a11y.check(page)


def test_fee_pages_pass_axe_at_every_size(demo, make_page, a11y):
    payment = Payment.objects.filter(voided_at__isnull=True).order_by("pk").first()
    charge = Charge.objects.order_by("pk").first()
    student = Student.objects.order_by("roll_number").first()
    paths = [
        "/fees/payments/",
        f"/fees/payments/new/?student={student.pk}",
        "/fees/payments/new/?q=nair",
        f"/fees/payments/{payment.pk}/",
        f"/fees/payments/{payment.pk}/?format=thermal",
        "/fees/dues/generate/",
        "/fees/dues/late-fees/",
        f"/fees/charges/new/?student={student.pk}",
        "/fees/charges/new/?q=a",
        f"/fees/charges/{charge.pk}/concession/",
    ]
    for viewport in (DESKTOP, TABLET, PHONE):
        page = make_page(viewport)
        log_in(page, a11y, demo.url, "admin@musicbeats.test")
        for path in paths:
            page.goto(demo.url + path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
            a11y.check(page)


@pytest.mark.parametrize("email", ["student@musicbeats.test", "guardian@musicbeats.test"])
def test_family_opens_its_own_receipt(demo, make_page, a11y, email):
    kavya = Student.objects.get(user__email="student@musicbeats.test")
    payment = Payment.objects.filter(student=kavya).order_by("-pk").first()
    page = make_page(PHONE)
    log_in(page, a11y, demo.url, email)
    page.goto(f"{demo.url}/fees/payments/{payment.pk}/")
    expect(page.locator(".receipt-number")).to_have_text(payment.receipt_number)
    expect(page.get_by_role("link", name="Void this payment…")).to_have_count(0)
    a11y.check(page)
