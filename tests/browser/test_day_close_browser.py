"""The office closes the day at the desk's size: counts, sees the differences, closes;
a later payment dated on that day is refused for the office on the fee desk. axe checks
every page visited (issue 13, item 5)."""

import uuid
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Student, User
from fees.models import DayClose, Payment
from fees.reports.cash_close import totals_by_method
from fees.services import record_payment
from musicbeats.money import format_money
from tests.browser.conftest import DESKTOP, nav_to
from tests.browser.test_login_browser import log_in


def test_office_closes_the_day_and_a_later_payment_is_refused(demo, make_page, a11y):
    today = timezone.localdate()
    office = User.objects.get(email="office@musicbeats.test")
    kavya = Student.objects.select_related("user").get(user__email="student@musicbeats.test")
    record_payment(
        student=kavya,
        amount=Decimal("700.00"),
        method="cash",
        recorded_by=office,
        idempotency_key=uuid.uuid4(),
    )
    cash = totals_by_method(today)["cash"].amount
    counted = cash - Decimal("50.00")

    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    nav_to(page, "Fees", "Cash close")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cash close")
    a11y.check(page)

    # Count 50 short, check: the difference shows and nothing is closed yet.
    page.get_by_label("Cash counted").fill(str(counted))
    page.get_by_role("button", name="Check the differences").click()
    expect(page.locator('[data-difference="cash"]')).to_have_text(format_money(Decimal("-50.00")))
    assert not DayClose.objects.exists()
    a11y.check(page)

    # A bad count is refused on the page.
    page.get_by_label("Cash counted").fill("-5")
    page.get_by_role("button", name="Check the differences").click()
    expect(page.get_by_text("cannot be negative")).to_be_visible()
    a11y.check(page)

    # Close with a note.
    page.get_by_label("Cash counted").fill(str(counted))
    page.get_by_label("Note").fill("Short by fifty, to check tomorrow")
    page.get_by_role("button", name="Close the day").click()
    expect(page.get_by_text("is closed (difference")).to_be_visible()
    expect(page.locator("[data-day-closed]")).to_contain_text(office.full_name)
    a11y.check(page)

    # The closed days list shows it with who closed it.
    nav_to(page, "Fees", "Closed days")
    expect(page.get_by_role("heading", level=1)).to_have_text("Closed days")
    expect(page.get_by_role("row").filter(has_text="Short by fifty")).to_contain_text(
        format_money(Decimal("-50.00"))
    )
    a11y.check(page)

    # A later payment dated on the closed day: the desk refuses it for the office.
    before = Payment.objects.count()
    page.goto(f"{demo.url}/fees/payments/new/?student={kavya.pk}")
    page.get_by_label("Amount (₹)").fill("300")
    page.get_by_role("button", name="Save payment").click()
    expect(page.get_by_role("alert").filter(has_text="only the admin")).to_be_visible()
    assert Payment.objects.count() == before
    a11y.check(page)
