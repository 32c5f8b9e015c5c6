"""The office takes one payment for two children of a guardian at desktop size: from the
fee desk to "Pay for the family", a total split across the children, one receipt
listing each child's lines. Every page is checked by axe."""

import re
from decimal import Decimal

from django.db.models import Count, Q
from playwright.sync_api import expect

from accounts.models import Role, User
from fees import selectors
from fees.family import family_children
from fees.models import Payment, PaymentGroup
from tests.browser.conftest import DESKTOP
from tests.browser.test_fee_desk_browser import log_in


def a_family_of_two_or_more():
    guardians = (
        User.objects.filter(role=Role.GUARDIAN)
        .annotate(n=Count("wards", filter=Q(wards__user__is_active=True)))
        .filter(n__gte=2)
        .order_by("pk")
    )
    for guardian in guardians:
        children = family_children(guardian)
        if all(selectors.student_account(c.pk).outstanding > 0 for c in children):
            return guardian, children
    guardian = guardians.first()
    assert guardian is not None, "the demo has no guardian with two active children"
    return guardian, family_children(guardian)


def test_office_records_one_family_payment_for_two_children(demo, make_page, a11y):
    guardian, children = a_family_of_two_or_more()
    owed = sum((selectors.student_account(c.pk).outstanding for c in children), Decimal(0))
    total = owed + Decimal("100.00")  # a little more: credit on the eldest
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test")
    page.goto(f"{demo.url}/fees/payments/new/?student={children[0].pk}")
    a11y.check(page)
    page.locator("[data-family-link]").first.click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Family payment")
    a11y.check(page)
    # Ticks follow the single desk: unticking a child's oldest due unticks the rest and
    # clears the amount; ticking it sets the amount to that due.
    first_amount = page.get_by_label(f"{children[0].user.full_name} (₹)")
    expect(first_amount).to_be_focused()
    boxes = page.locator(f'[data-family-child="{children[0].pk}"] [data-family-due]')
    if boxes.count():
        boxes.first.uncheck()
        expect(first_amount).to_have_value("")
        boxes.first.check()
        expect(first_amount).to_have_value(boxes.first.get_attribute("data-family-due"))
    # The office types the total and splits it: the amounts show before anything is saved.
    page.get_by_label("Total (₹)").fill(f"{total:.2f}")
    page.get_by_role("button", name="Split total").click()
    page.wait_for_load_state("load")
    assert not Payment.objects.filter(student__in=children).filter(group__isnull=False).exists()
    shares = [
        Decimal(page.get_by_label(f"{c.user.full_name} (₹)").input_value() or "0") for c in children
    ]
    assert sum(shares) == total
    a11y.check(page)
    page.get_by_role("button", name="Save family payment").click()
    page.wait_for_load_state("load")
    expect(page).to_have_url(re.compile(r"/fees/payments/\d+/$"))
    group = PaymentGroup.objects.get(payer=guardian)
    expect(page.locator(".receipt-number")).to_have_text(group.receipt_number)
    for child in children:
        expect(page.locator(".receipt")).to_contain_text(child.user.full_name)
    expect(page.locator(".receipt-total")).to_contain_text(f"{total:,.2f}")
    a11y.check(page)
    assert group.payments.count() == len([s for s in shares if s > 0])
    assert len(set(group.payments.values_list("receipt_number", flat=True))) == 1
