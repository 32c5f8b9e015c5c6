"""The office enrols demo students from a batch page with the keyboard, and from a
student's side on a phone; a full batch refuses with a clear message. axe on every page."""

import re

from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Student
from attendance.classes.selectors import roster
from attendance.models import Batch, Enrollment
from tests.browser.conftest import DESKTOP, PHONE, nav_to
from tests.browser.test_login_browser import log_in

BATCH = "Keyboard Intermediate · Sun"

DUPLICATE_IDS = """() => {
  const seen = new Set(), twice = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    (seen.has(el.id) ? twice : seen).add(el.id);
  }
  return [...twice];
}"""


def checked(page, a11y):
    """axe (which no longer looks for them) and no id used twice: a label pointing at a
    duplicated id names the wrong field."""
    a11y.check(page)
    assert page.evaluate(DUPLICATE_IDS) == [], page.url


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
    checked(page, a11y)

    nav_to(page, "Classes", "Batches")
    expect(page.get_by_role("heading", level=1)).to_have_text("Batches")
    checked(page, a11y)
    page.get_by_label("Search").fill("keyboard")
    expect(page.locator("#batch-results")).to_contain_text("2 batches matching “keyboard”")
    expect(page).to_have_url(re.compile(r"/classes/batches/\?q=keyboard"))
    checked(page, a11y)
    page.get_by_role("link", name=BATCH).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(BATCH)
    expect(page.locator("#seats")).to_contain_text("1 free")
    checked(page, a11y)

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
    checked(page, a11y)

    choose_student_with_keyboard(page, "aditya", "Aditya Nair · MB-")
    page.keyboard.press("Enter")  # submits from the radio button
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(f"{batch.name} is full")
    expect(refusal).to_contain_text("End an enrolment or raise the capacity first.")
    expect(refusal).to_be_focused()
    expect(page.locator("table.roster")).not_to_contain_text("Aditya Nair")
    checked(page, a11y)

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
    checked(page, a11y)
    page.goto(f"{demo.url}/classes/enrol/?student={kavya.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol Kavya Nair in a batch")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    checked(page, a11y)
    batch_picker = page.get_by_label("Batch")
    option = batch_picker.locator("option", has_text=target.name)
    batch_picker.select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Enrol").click()
    expect(page).to_have_url(f"{demo.url}/classes/batches/{target.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Kavya Nair enrolled in Drums Beginners")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    checked(page, a11y)


def _catalogue_levels_and_rooms(page, a11y):
    """The catalogue, Piano's levels (reordered and added by keyboard), its deactivation
    page, the rooms."""
    nav_to(page, "Classes", "Catalogue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue")
    checked(page, a11y)
    page.get_by_role("link", name="Piano").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Piano")
    checked(page, a11y)
    page.get_by_role("button", name="Move Grade 1 up").click()
    expect(page.locator("#levels")).to_contain_text("Level Grade 1 moved up.")
    # Now first, its "up" button is disabled: the focus stays on the level, on "down".
    expect(page.get_by_role("button", name="Move Grade 1 down")).to_be_focused()
    page.get_by_label("New level").fill("Grade 4")
    page.get_by_label("New level").press("Enter")
    expect(page.locator("#levels")).to_contain_text("Level Grade 4 added.")
    expect(page.get_by_label("New level")).to_be_focused()
    checked(page, a11y)
    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deactivate the instrument")
    checked(page, a11y)
    page.get_by_role("link", name="Cancel").click()
    checked(page, a11y)

    nav_to(page, "Classes", "Catalogue")
    checked(page, a11y)
    page.get_by_role("link", name="Rooms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rooms")
    checked(page, a11y)
    page.get_by_role("link", name="Edit Studio A").click()
    checked(page, a11y)


def _add_a_private_batch(demo, page, a11y):
    """A private Tabla batch through the new-batch form (levels follow the instrument,
    capacity the kind), then its edit and deactivate pages."""
    page.goto(f"{demo.url}/classes/batches/new/")
    checked(page, a11y)
    page.get_by_label("Instrument").select_option(label="Tabla")
    expect(page.locator("#level-field option")).to_have_text(
        ["No level", "Tabla · Foundation", "Tabla · Intermediate"]
    )
    page.get_by_label("Kind").select_option(label="Private lesson")
    expect(page.get_by_label("Capacity")).to_have_value("1")
    page.get_by_label("Name").fill("Tabla private · Ira")
    page.get_by_label("Teacher").select_option(label="Anil Deshpande")
    page.get_by_label("Monthly fee (₹)").fill("2500")
    page.get_by_role("button", name="Add batch").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tabla private · Ira")
    expect(page.locator("#seats")).to_contain_text("0 of 1")
    checked(page, a11y)
    page.get_by_role("link", name="Edit", exact=True).click()
    checked(page, a11y)
    page.go_back()
    page.get_by_role("link", name="Deactivate").click()
    checked(page, a11y)


def test_catalogue_batch_forms_and_enrolment_pages_pass_axe(
    demo, make_page, a11y, django_db_blocker
):
    """Every other classes page, visited as the office would, with its htmx parts."""
    with django_db_blocker.unblock():
        piano = Batch.objects.select_related("instrument").get(name="Piano private · Isha")
        enrollment = Enrollment.objects.filter(batch=piano).first()
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    checked(page, a11y)

    _catalogue_levels_and_rooms(page, a11y)
    _add_a_private_batch(demo, page, a11y)

    page.goto(f"{demo.url}/classes/enrolments/{enrollment.pk}/")
    checked(page, a11y)
    page.get_by_label("New monthly fee (₹)").fill("3000")
    page.get_by_label("Reason (optional)").fill("Scholarship")
    page.get_by_role("button", name="Save the fee").click()
    expect(page.get_by_role("status")).to_contain_text("is now ₹3,000.00")
    expect(page.locator("body")).to_contain_text("“Scholarship”")
    checked(page, a11y)
    page.get_by_role("link", name="End this enrolment").click()
    checked(page, a11y)
    page.goto(f"{demo.url}/classes/enrol/")
    checked(page, a11y)
