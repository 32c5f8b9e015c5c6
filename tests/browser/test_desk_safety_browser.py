"""The safe fee desk in the browser at desktop size (issue 13, item 1): an overpayment
asks first, a duplicate UPI reference is refused, ticks and amount follow each other,
the cursor goes to the field in error, a void asks first and offers "record again".
axe checks every page and state."""

import re
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from fees.models import Payment
from fees.services import record_payment
from tests.browser.conftest import DESKTOP
from tests.browser.test_login_browser import log_in
from tests.factories import ChargeFactory, StudentFactory

OFFICE = "office@musicbeats.test"


@pytest.fixture
def asha(demo):
    student = StudentFactory(user__full_name="Asha Rao Desk")
    today = timezone.localdate()
    for description, amount in (("First fee", "1500.00"), ("Second fee", "1700.00")):
        ChargeFactory(student=student, amount=Decimal(amount), description=description)
    ChargeFactory(student=student, amount=Decimal("1700.00"), description="Third fee", due_on=today)
    return student


def settled(page):
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def open_desk(make_page, a11y, demo, student):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, OFFICE, DEMO_PASSWORD)
    a11y.check(page)
    page.goto(f"{demo.url}/fees/payments/new/?student={student.pk}")
    amount = page.get_by_label("Amount (₹)")
    expect(amount).to_be_focused()
    a11y.check(page)
    return page, amount


def test_an_overpayment_asks_first_naming_the_credit(demo, asha, make_page, a11y):
    page, amount = open_desk(make_page, a11y, demo, asha)
    amount.fill("49000")
    amount.press("Enter")
    settled(page)
    question = page.locator("[data-desk-confirm]")
    expect(question).to_contain_text("₹44,100.00 will be kept as credit for Asha Rao Desk")
    expect(question).to_be_focused()
    assert not Payment.objects.filter(student=asha).exists()
    a11y.check(page)
    page.get_by_role("link", name="No, change the amount or date").click()
    expect(amount).to_be_focused()
    page.get_by_role("button", name="Yes, record ₹49,000.00").click()
    settled(page)
    expect(page.locator("[data-saved]")).to_contain_text("Payment saved")
    a11y.check(page)
    assert Payment.objects.get(student=asha).amount == Decimal("49000.00")


def test_a_duplicate_upi_reference_is_refused_with_a_link(demo, asha, make_page, a11y):
    other = StudentFactory(user__full_name="Ravi Other")
    office = User.objects.filter(role=Role.OFFICE).first()
    first, _ = record_payment(
        student=other,
        amount=Decimal("700.00"),
        method="upi",
        reference="UTR-DUP-4242",
        recorded_by=office,
        idempotency_key=uuid.uuid4(),
    )
    page, _amount = open_desk(make_page, a11y, demo, asha)
    page.get_by_label("Method").select_option("upi")
    reference = page.get_by_label("Reference")
    reference.fill("  utr-dup-4242 ")
    reference.press("Enter")
    settled(page)
    alert = page.locator("[data-duplicate-of]")
    expect(alert).to_contain_text(first.receipt_number)
    expect(alert.get_by_role("link", name=first.receipt_number)).to_have_attribute(
        "href", f"/fees/payments/{first.pk}/"
    )
    expect(page.get_by_label("Reference")).to_be_focused()
    a11y.check(page)
    assert not Payment.objects.filter(student=asha).exists()


def test_ticks_and_amount_follow_each_other(demo, asha, make_page, a11y):
    page, amount = open_desk(make_page, a11y, demo, asha)
    boxes = page.locator("[data-due-amount]")
    expect(amount).to_have_value("4900.00")
    amount.fill("2000")
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).to_be_checked()
    expect(boxes.nth(2)).not_to_be_checked()
    assert boxes.nth(1).evaluate("b => b.indeterminate") is True
    expect(page.locator("[data-due-partial]").nth(1)).to_have_text("partial: ₹500.00")
    a11y.check(page)
    boxes.nth(0).uncheck()
    expect(amount).to_have_value("")
    for i in range(3):
        expect(boxes.nth(i)).not_to_be_checked()
    expect(page.locator("[data-due-partial]").nth(1)).to_be_hidden()
    boxes.nth(1).check()
    expect(amount).to_have_value("3200.00")
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(2)).not_to_be_checked()


def test_the_cursor_goes_to_reference_after_its_error(demo, asha, make_page, a11y):
    page, amount = open_desk(make_page, a11y, demo, asha)
    page.get_by_label("Method").select_option("upi")
    amount.focus()
    amount.press("Enter")
    settled(page)
    reference = page.get_by_label("Reference")
    expect(reference).to_be_focused()
    expect(page.locator("#desk")).to_contain_text("needs its reference")
    a11y.check(page)


def test_void_asks_first_then_records_again(demo, asha, make_page, a11y):
    office = User.objects.filter(role=Role.OFFICE).first()
    payment, _ = record_payment(
        student=asha,
        amount=Decimal("1500.00"),
        method="upi",
        reference="UTR-VOID-1",
        recorded_by=office,
        idempotency_key=uuid.uuid4(),
    )
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, OFFICE, DEMO_PASSWORD)
    a11y.check(page)
    page.goto(f"{demo.url}/fees/payments/{payment.pk}/")
    a11y.check(page)
    page.get_by_role("link", name="Void this payment…").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"Void receipt {payment.receipt_number}?")
    expect(page.locator("main")).to_contain_text("₹1,500.00 from Asha Rao Desk")
    a11y.check(page)
    payment.refresh_from_db()
    assert not payment.is_void
    page.get_by_role("button", name=f"Void receipt {payment.receipt_number}").click()
    expect(page.get_by_label("Reason for voiding")).to_be_focused()  # a reason is needed
    a11y.check(page)
    page.get_by_label("Reason for voiding").fill("Typed for the wrong family")
    page.get_by_role("button", name=f"Void receipt {payment.receipt_number}").click()
    again = page.get_by_role("link", name="Record again for Asha Rao Desk")
    expect(again).to_be_visible()
    a11y.check(page)
    payment.refresh_from_db()
    assert payment.is_void
    again.click()
    expect(page).to_have_url(re.compile(rf"student={asha.pk}"))
    expect(page.get_by_label("Amount (₹)")).to_have_value("1500.00")
    expect(page.get_by_label("Method")).to_have_value("upi")
    a11y.check(page)
