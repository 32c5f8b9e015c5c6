"""A family asks for admission online; the office accepts; the guardian is invited.
And the office imports a CSV of students through its preview."""

import re
import time

from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.intake import admissions
from accounts.models import AdmissionRequest, Role, Student, User
from tests.browser.conftest import DESKTOP, PHONE, TABLET, nav_to
from tests.browser.test_login_browser import log_in


def _fill_in_the_admission_form(family):
    """Ira Kulkarni's request, from her mother Deepa, for the violin."""
    family.get_by_label("Child's name").fill("Ira Kulkarni")
    family.get_by_label("Child's date of birth").fill("2017-03-09")
    family.get_by_label("Guardian's name").fill("Deepa Kulkarni")
    family.get_by_label("Relation to the child").fill("Mother")
    family.get_by_label("Guardian's phone").fill("+91 98450 11111")
    family.get_by_label("Guardian's email").fill("deepa.kulkarni@example.com")
    family.get_by_label("Instrument or course wanted").select_option(label="Violin")
    family.get_by_label("Preferred days and times").fill("Saturday mornings")
    family.get_by_label("Anything else we should know").fill("She is left-handed.")


def _assert_ira_enrolled_and_deepa_invited(*, batch_choice):
    student = Student.objects.select_related("user").get(user__full_name="Ira Kulkarni")
    guardian = User.objects.get(email="deepa.kulkarni@example.com")
    assert guardian.role == Role.GUARDIAN
    assert guardian.guardianships.filter(student=student).exists()
    enrollment = student.enrollments.select_related("batch").get()
    assert batch_choice.startswith(f"{enrollment.batch.name} · ")
    invitations = [m for m in mail.outbox if m.to == ["deepa.kulkarni@example.com"]]
    assert len(invitations) == 1
    assert "/accounts/password/reset/key/" in invitations[0].body


def test_family_asks_office_accepts_guardian_is_invited(demo, make_page, a11y):
    family = make_page(PHONE)
    family.goto(f"{demo.url}/accounts/login/")
    a11y.check(family)
    family.get_by_role("link", name="Ask for admission").click()
    expect(family.get_by_role("heading", level=1)).to_have_text("Ask for admission")
    a11y.check(family)
    assert family.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(family.get_by_label("Leave this field empty")).to_be_hidden()  # the honeypot

    family.get_by_role("button", name="Send the request").click()
    expect(family.get_by_text("Please correct the marked fields below.")).to_be_visible()
    a11y.check(family)

    _fill_in_the_admission_form(family)
    family.get_by_role("button", name="Send the request").click()
    expect(family.get_by_role("heading", level=1)).to_have_text("Thank you")
    a11y.check(family)
    assert AdmissionRequest.objects.filter(child_name="Ira Kulkarni", status="pending").exists()

    office = make_page(DESKTOP)
    log_in(office, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    expect(office.get_by_text("admission requests waiting")).to_be_visible()
    a11y.check(office)
    nav_to(office, "People", "Admission requests")
    expect(office.get_by_role("heading", level=1)).to_have_text("Admission requests")
    a11y.check(office)
    # The newest request is pending; the older pending ones come first. Search for it.
    office.get_by_label("Search requests").fill("kulkarni")
    rows = office.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(office).to_have_url(re.compile(r"q=kulkarni"))
    a11y.check(office)
    office.get_by_role("link", name="Ira Kulkarni").click()
    expect(office.get_by_role("heading", level=1)).to_contain_text("Ira Kulkarni")
    expect(office.get_by_text("She is left-handed.")).to_be_visible()
    a11y.check(office)
    batch = office.get_by_label("Enrol in a batch")
    # The requested instrument's batches come first; take the first with a free seat.
    choice = batch.locator("option", has_text="seats free").first.text_content()
    batch.select_option(label=choice)
    office.get_by_role("button", name="Accept and create the student").click()
    expect(office.get_by_text("an invitation to set a password went to")).to_be_visible()
    a11y.check(office)

    _assert_ira_enrolled_and_deepa_invited(batch_choice=choice)

    # A second click from a stale tab changes nothing.
    office.go_back()
    office.reload()
    a11y.check(office)
    expect(office.get_by_role("button", name="Accept and create the student")).to_have_count(0)
    assert Student.objects.filter(user__full_name="Ira Kulkarni").count() == 1


def test_office_imports_students_from_a_csv(demo, make_page, a11y, tmp_path):
    page = make_page(TABLET)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    page.get_by_role("link", name="Import students from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import students from a CSV file")
    a11y.check(page)

    bad = tmp_path / "bad.csv"
    bad.write_text("full_name,email\nRiya Sharma,not-an-email\nArjun Sharma,\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("1 row has problems.")).to_be_visible()
    expect(page.get_by_text("email “not-an-email” is not an email address")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    a11y.check(page)

    page.get_by_role("link", name="upload it again").click()
    a11y.check(page)
    good = tmp_path / "good.csv"
    good.write_text(
        "\ufefffull_name,date_of_birth,guardian_name,guardian_email,relation,batch\n"
        "Riya Sharma,2015-08-14,Sunita Sharma,sunita@example.com,Mother,Tabla Foundation · Tue\n"
        "Arjun Sharma,2012-02-03,,sunita@example.com,Mother,\n",
        encoding="utf-8",
    )
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    a11y.check(page)
    page.get_by_role("button", name="Import 2 students").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported 2 students")
    a11y.check(page)
    assert User.objects.get(email="sunita@example.com").guardianships.count() == 2


def test_flooded_form_and_decided_request_pages(demo, make_page, a11y):
    visitor = make_page(PHONE)
    visitor.goto(f"{demo.url}/admission/")
    a11y.check(visitor)
    # The live server shares this process's cache: use up this address's hour.
    cache.set(f"admission-rate:127.0.0.1:{int(time.time() // admissions.WINDOW_SECONDS)}", 99)
    visitor.get_by_label("Child's name").fill("One Too Many")
    visitor.get_by_role("button", name="Send the request").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Too many requests")
    a11y.check(visitor)
    assert not AdmissionRequest.objects.filter(child_name="One Too Many").exists()

    office = make_page(TABLET)
    log_in(office, a11y, demo.url, "admin@musicbeats.test", DEMO_PASSWORD)
    a11y.check(office)
    office.goto(f"{demo.url}/people/admissions/?status=declined")
    a11y.check(office)
    office.get_by_role("link", name="Neel Bose").click()
    expect(office.get_by_text("Too young for drums")).to_be_visible()
    expect(office.get_by_role("button", name="Accept and create the student")).to_have_count(0)
    a11y.check(office)
