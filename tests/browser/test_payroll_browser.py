"""Teacher pay (issue 15, part 4): the office on a desktop reviews last month, approves a
teacher's statement and adds an adjustment; the teacher on a tablet reads their own
statement. Every page is checked by axe."""

import pytest
from playwright.sync_api import expect

from fees.payroll.models import PayAdjustment, PayStatement
from tests.browser.conftest import DESKTOP, TABLET, nav_to
from tests.browser.test_fee_desk_browser import log_in
from tests.fees.payroll.helpers import last_month

pytestmark = pytest.mark.dates


def test_office_approves_and_adjusts_and_the_teacher_reads_it(demo, make_page, a11y):
    month = last_month()
    desk = make_page(DESKTOP)
    log_in(desk, a11y, demo.url, "office@musicbeats.test")
    nav_to(desk, "Fees", "Teacher pay")
    desk.wait_for_load_state("load")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Teacher pay")
    a11y.check(desk)
    row = desk.locator("tr[data-teacher]").filter(has_text="Draft").first
    name = row.get_by_role("rowheader").inner_text()
    row.get_by_role("link", name=name, exact=True).click()
    desk.wait_for_load_state("load")
    a11y.check(desk)
    desk.get_by_role("button", name=f"Approve {month:%B %Y}").click()
    desk.wait_for_load_state("load")
    expect(desk.locator("[data-status]")).to_have_text("Approved")
    a11y.check(desk)
    total = desk.locator("[data-total]").inner_text()
    desk.get_by_label("Amount (₹, minus to deduct)").fill("500")
    desk.get_by_label("Reason (the teacher sees it)").fill("Covered the exam rehearsal")
    desk.get_by_role("button", name="Add adjustment").click()
    expect(desk.locator("#pay-adjustments")).to_contain_text("Covered the exam rehearsal")
    expect(desk.locator("[data-total]")).not_to_have_text(total)
    a11y.check(desk)
    statement = PayStatement.objects.get(teacher__full_name=name, month=month)
    assert statement.status == "approved"
    assert PayAdjustment.objects.filter(statement=statement).count() == 1

    tablet = make_page(TABLET)
    log_in(tablet, a11y, demo.url, "teacher@musicbeats.test")
    nav = tablet.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Pay", exact=True).click()
    tablet.wait_for_load_state("load")
    a11y.check(tablet)
    assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    tablet.get_by_role("link", name=f"{month:%B %Y}").first.click()
    tablet.wait_for_load_state("load")
    expect(tablet.get_by_role("heading", level=1)).to_contain_text(f"{month:%B %Y}")
    expect(tablet.locator("#pay-adjustments")).to_contain_text("annual concert")
    expect(tablet.get_by_role("button", name="Add adjustment")).to_have_count(0)
    assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    a11y.check(tablet)
