"""The office reads the fee summary (range changed without a reload), a student's
statement, the cash close; the student's /fees/mine/ agrees with them. axe checks every
page, the SVG chart and the UPI QR code included."""

import re
import uuid
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Student, User
from fees.models import Payment
from fees.selectors import balance
from fees.services import record_payment, void_payment
from musicbeats.money import format_money
from tests.browser.conftest import DESKTOP, PHONE, nav_to
from tests.browser.test_login_browser import log_in


def settled(page):
    """Wait until htmx has finished its request, swap and settle."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def pay(student, amount, office, method="cash", reference=""):
    payment, _ = record_payment(
        student=student,
        amount=Decimal(amount),
        method=method,
        reference=reference,
        recorded_by=office,
        idempotency_key=uuid.uuid4(),
    )
    return payment


def _change_the_range_in_place(page, a11y, today, collected_today):
    # Change the range to today alone: the figures change, the page does not reload.
    page.evaluate("window.notReloaded = true")
    with page.expect_response(re.compile(r"/fees/summary/\?")):
        page.get_by_label("From", exact=True).fill(today.isoformat())
    settled(page)
    a11y.check(page)
    with page.expect_response(re.compile(rf"/fees/summary/\?from={today}&to={today}")):
        page.get_by_label("To", exact=True).fill(today.isoformat())
    settled(page)
    expect(page.locator('[data-figure="collected"]')).to_have_text(format_money(collected_today))
    assert page.evaluate("window.notReloaded") is True
    expect(page).to_have_url(re.compile(rf"from={today}&to={today}"))
    expect(page.get_by_role("status")).to_contain_text("Showing")
    a11y.check(page)

    # A bad range says so, in place.
    with page.expect_response(re.compile(r"/fees/summary/\?")):
        page.get_by_label("From", exact=True).fill(f"{today.year + 1}-01-01")
    settled(page)
    expect(page.get_by_role("alert")).to_contain_text("is after the end date")
    assert page.evaluate("window.notReloaded") is True
    a11y.check(page)


def _kavya_sees_the_same_on_her_phone(demo, make_page, a11y, kavya, kavya_payment, owed):
    # Kavya, on her phone, sees the same payment and the same amount due, with a QR code.
    phone = make_page(PHONE)
    log_in(phone, a11y, demo.url, "student@musicbeats.test", DEMO_PASSWORD)
    a11y.check(phone)
    phone.goto(f"{demo.url}/fees/mine/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Fees")
    card = phone.locator(f'[data-student="{kavya.pk}"]')
    expect(card.locator('[data-figure="due"]')).to_have_text(format_money(max(owed, 0)))
    expect(card.get_by_role("row").filter(has_text=kavya_payment.receipt_number)).to_contain_text(
        "₹700.00"
    )
    if owed > 0:
        qr = card.get_by_role("img", name=re.compile("UPI QR code"))
        expect(qr).to_be_visible()
        link = card.get_by_role("link", name=re.compile("open your UPI app"))
        href = link.get_attribute("href")
        assert href.startswith("upi://pay?pa=") and f"am={owed:.2f}" in href
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check(phone)

    # The receipt link opens fees_core's receipt page.
    card.get_by_role("link", name=kavya_payment.receipt_number).click()
    expect(phone.get_by_text(kavya_payment.receipt_number).first).to_be_visible()
    a11y.check(phone)


def test_summary_and_mine_agree(demo, make_page, a11y):
    today = timezone.localdate()
    office = User.objects.get(email="office@musicbeats.test")
    kavya = Student.objects.select_related("user").get(user__email="student@musicbeats.test")
    others = list(
        Student.objects.exclude(guardianships__guardian__email="guardian@musicbeats.test")
        .filter(user__is_active=True)
        .order_by("roll_number")[:2]
    )
    kavya_payment = pay(kavya, "700.00", office)
    pay(others[0], "1250.50", office, method="upi", reference="UPI-BROWSER-1")
    wrong = pay(others[1], "9999.00", office)
    void_payment(payment=wrong, by=office, reason="Entered twice")
    collected_today = Payment.objects.valid().filter(paid_on=today).aggregate(t=Sum("amount"))["t"]

    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    expect(page.get_by_text("Collected today")).to_be_visible()
    a11y.check(page)
    nav_to(page, "Fees", "Summary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fee summary")
    expect(page.locator("svg.chart")).to_be_visible()
    a11y.check(page)

    _change_the_range_in_place(page, a11y, today, collected_today)

    # The cash close for today holds the same payments.
    page.goto(f"{demo.url}/fees/cash-close/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cash close")
    expect(page.get_by_text(kavya_payment.receipt_number)).to_be_visible()
    a11y.check(page)

    # Kavya's statement for this financial year, as the office sees it.
    page.goto(f"{demo.url}/fees/students/{kavya.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fee statement")
    owed = balance(kavya.pk)
    closing = page.locator(".stat-value").nth(3)
    if owed > 0:
        expect(closing).to_have_text(f"{format_money(owed)} due")
    row = page.get_by_role("row").filter(has_text=kavya_payment.receipt_number)
    expect(row).to_contain_text(format_money(Decimal("700.00")))
    a11y.check(page)

    _kavya_sees_the_same_on_her_phone(demo, make_page, a11y, kavya, kavya_payment, owed)


def test_guardian_sees_both_children_and_their_statements(demo, make_page, a11y):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "guardian@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Fees").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Kavya Nair"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("Aditya Nair"))).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Full statement for Aditya Nair").click()
    expect(page.get_by_text("Aditya Nair · roll number")).to_be_visible()
    a11y.check(page)


def test_admin_dashboard_and_institute_settings(demo, make_page, a11y):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "admin@musicbeats.test", DEMO_PASSWORD)
    expect(page.get_by_text("dues paid so far")).to_be_visible()
    a11y.check(page)
    nav_to(page, "Settings", "Institute settings")
    a11y.check(page)
    page.get_by_label("Defaulter days").fill("45")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Institute settings saved.")).to_be_visible()
    a11y.check(page)
