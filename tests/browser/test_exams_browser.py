"""Grade exams in the browser: the office on a desktop adds a session, enters a student
found by the live search and records the result in the entry's row; the guardian on a
phone sees the entry and the result. axe on every page."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from attendance.teaching.exams.models import ExamEntry
from tests.browser.conftest import DESKTOP, PHONE, nav_to
from tests.browser.test_login_browser import log_in

SESSION = "Trinity exams at the institute"


def test_office_adds_a_session_enters_a_student_and_records_the_result(
    demo, make_page, a11y, django_db_blocker
):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    nav_to(page, "Classes", "Exams")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exam sessions")
    a11y.check(page)

    page.get_by_role("link", name="Add a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an exam session")
    a11y.check(page)
    today = timezone.localdate().isoformat()
    page.get_by_label("Board").select_option(label="Trinity College London")
    page.get_by_label("Session").fill(SESSION)
    page.get_by_label("First exam day").fill(today)  # exams today: entries close today
    page.get_by_label("Last exam day").fill(today)
    page.get_by_label("Entries close on").fill(today)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SESSION)
    a11y.check(page)

    page.get_by_label("Find an active student").fill("aditya")
    option = page.get_by_role("radio", name=re.compile(r"^Aditya Nair · MB-"))
    expect(option).to_be_visible()
    option.check()
    page.get_by_label("Grade").select_option(label="Grade 1 (Keyboard) · ₹3,300.00")
    page.get_by_role("button", name="Enter", exact=True).click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "Aditya Nair entered for Grade 1"
    )
    a11y.check(page)

    row = page.locator("tr", has_text="Aditya Nair")
    row.get_by_role("link", name="Record result of Aditya Nair").click()
    row = page.locator("tr", has_text="Aditya Nair")
    row.get_by_label("Result").select_option("distinction")
    row.get_by_label("Marks").fill("91")
    row.get_by_label("Certificate no.").fill("TCL-0091")
    a11y.check(page)
    row.get_by_role("button", name="Save result of Aditya Nair").click()
    expect(row).to_contain_text("Distinction · 91/100")
    expect(row).to_contain_text("Certificate TCL-0091")
    a11y.check(page)
    with django_db_blocker.unblock():
        entry = ExamEntry.objects.get(session__name=SESSION)
        assert (entry.band, entry.marks, entry.charge_id is not None) == ("distinction", 91, True)


def test_the_guardian_sees_entry_and_result_on_a_phone(demo, make_page, a11y):
    page = make_page(PHONE)
    log_in(page, a11y, demo.url, "guardian@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    page.get_by_role("button", name="Show navigation").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My children's exams")
    kavya = page.locator("section", has=page.get_by_role("heading", name="Kavya Nair"))
    expect(kavya).to_contain_text("Merit · 79 of 100")
    expect(kavya).to_contain_text("Grade 3")
    expect(kavya).to_contain_text("the result comes after the exam")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check(page)
