"""The office enrols demo students from a batch page with the keyboard, and from a
student's side on a phone; a full batch refuses with a clear message. axe on every page."""

import re

from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Student
from attendance.models import Batch, Enrollment
from attendance.selectors import roster
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_browser import log_in

BATCH = "Keyboard Intermediate · Sun"


def leave_one_seat(django_db_blocker, name):
    """Arrange the demo batch to have exactly one free seat, and no Kavya or Aditya."""
    with django_db_blocker.unblock():
        batch = Batch.objects.get(name=name)
        Enrollment.objects.filter(
            batch=batch, student__user__full_name__in=["Kavya Nair", "Aditya Nair"]
        ).delete()
        batch.capacity = len(roster(batch)) + 1
        batch.save(update_fields=["capacity"])
        return batch


def choose_student_with_keyboard(page, query, name):
    search = page.get_by_label("Find an active student")
    search.focus()
    page.keyboard.type(query)
    option = page.get_by_role("radio", name=name)
    expect(option).to_be_visible()
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # into the list of matches
    expect(option).to_be_focused()
    page.keyboard.press("Space")
    expect(option).to_be_checked()


def test_office_enrols_from_the_batch_page_with_the_keyboard(
    demo, make_page, a11y, django_db_blocker
):
    batch = leave_one_seat(django_db_blocker, BATCH)
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)

    page.get_by_role("link", name="Batches").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Batches")
    a11y.check(page)
    page.get_by_label("Search").fill("keyboard")
    expect(page.locator("#batch-results")).to_contain_text("2 batches matching “keyboard”")
    expect(page).to_have_url(re.compile(r"/classes/batches/\?q=keyboard"))
    a11y.check(page)
    page.get_by_role("link", name=BATCH).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(BATCH)
    expect(page.locator("#seats")).to_contain_text("1 free")
    a11y.check(page)

    choose_student_with_keyboard(page, "kavya", "Kavya Nair · MB-")
    fee = page.get_by_label("Monthly fee (₹)")
    for _ in range(6):  # through the joining date's fields and calendar button (today)
        page.keyboard.press("Tab")
        if fee.evaluate("element => element === document.activeElement"):
            break
    expect(fee).to_be_focused()
    page.keyboard.type("1200")
    page.keyboard.press("Enter")

    done = page.get_by_role("status").filter(has_text="Kavya Nair enrolled in")
    expect(done).to_contain_text("at ₹1,200.00 a month")
    expect(done).to_be_focused()
    expect(page.locator("table.roster")).to_contain_text("Kavya Nair")
    expect(page.locator("#seats")).to_contain_text("Full")
    a11y.check(page)

    choose_student_with_keyboard(page, "aditya", "Aditya Nair · MB-")
    page.keyboard.press("Enter")  # submits from the radio button
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(f"{batch.name} is full")
    expect(refusal).to_contain_text("End an enrolment or raise the capacity first.")
    expect(refusal).to_be_focused()
    expect(page.locator("table.roster")).not_to_contain_text("Aditya Nair")
    a11y.check(page)

    with django_db_blocker.unblock():
        names = [e.student.user.full_name for e in roster(batch)]
    assert "Kavya Nair" in names
    assert "Aditya Nair" not in names


def test_office_enrols_a_student_from_their_side_on_a_phone(
    demo, make_page, a11y, django_db_blocker
):
    with django_db_blocker.unblock():
        kavya = Student.objects.select_related("user").get(user__full_name="Kavya Nair")
        target = Batch.objects.get(name="Drums Beginners · Sat")
        Enrollment.objects.filter(student=kavya, batch=target).delete()
    page = make_page(PHONE)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    page.goto(f"{demo.url}/classes/enrol/?student={kavya.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol Kavya Nair in a batch")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check(page)
    batch_picker = page.get_by_label("Batch")
    option = batch_picker.locator("option", has_text=target.name)
    batch_picker.select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Enrol").click()
    expect(page).to_have_url(f"{demo.url}/classes/batches/{target.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Kavya Nair enrolled in Drums Beginners")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check(page)
