"""People pages in a browser: the office adds a student and finds them as they type; a
guardian sees both children; every page visited passes axe."""

import re

from django.db.models import Count
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, PHONE, TABLET, nav_to
from tests.browser.test_login_browser import log_in


def test_office_adds_a_student_with_a_new_guardian_then_finds_them_by_live_search(
    demo, make_page, a11y
):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{demo.url}/")
    a11y.check(page)
    nav_to(page, "People", "Students")
    expect(page.get_by_role("heading", level=1)).to_have_text("Students")
    a11y.check(page)

    page.get_by_role("link", name="Add a student").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a student")
    a11y.check(page)
    page.get_by_label("Full name").fill("Meenakshi Sundaram")
    page.get_by_label("Date of birth").fill("2016-04-12")
    page.get_by_label("Phone").first.fill("+91 98450 33333")
    new_guardian = page.get_by_role("group", name="Or add a new guardian")
    new_guardian.get_by_label("Name").fill("Revathi Sundaram")
    new_guardian.get_by_label("Relation").fill("Mother")
    new_guardian.get_by_label("Email").fill("revathi@families.musicbeats.test")
    page.get_by_role("button", name="Add the student").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Meenakshi Sundaram")
    expect(page.get_by_text("Invitation sent to revathi@families.musicbeats.test")).to_be_visible()
    expect(page.get_by_role("link", name="Revathi Sundaram")).to_be_visible()
    roll = page.locator("h1 .badge").first.inner_text()
    assert re.fullmatch(r"MB-\d{4}", roll)
    a11y.check(page)

    nav_to(page, "People", "Students")
    a11y.check(page)
    search = page.get_by_role("searchbox", name="Search")
    search.press_sequentially("meenak", delay=40)
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Meenakshi Sundaram")).to_be_visible()
    expect(results).to_contain_text("1 student found")
    expect(page).to_have_url(f"{demo.url}/people/students/?q=meenak&status=active&sort=name")
    a11y.check(page)

    # By roll number and by the guardian's email too.
    search.fill(roll)
    expect(page).to_have_url(re.compile(f"q={roll}"))
    expect(results).to_contain_text("1 student found")
    expect(results.get_by_role("link", name="Meenakshi Sundaram")).to_be_visible()
    a11y.check(page)
    search.fill("revathi@families")
    expect(page).to_have_url(re.compile("q=revathi"))
    expect(results.get_by_role("link", name="Meenakshi Sundaram")).to_be_visible()
    a11y.check(page)


def test_office_links_a_sibling_to_an_existing_guardian_with_the_live_picker(demo, make_page, a11y):
    page = make_page(TABLET)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{demo.url}/")
    a11y.check(page)
    page.goto(f"{demo.url}/people/students/new/")
    a11y.check(page)
    page.get_by_label("Full name").fill("Anjali Nair")
    page.get_by_label("Find an existing guardian").press_sequentially("Lakshmi Na", delay=40)
    found = page.get_by_role("list", name="Guardians found")
    expect(found).to_contain_text("Lakshmi Nair")
    a11y.check(page)
    found.get_by_role("checkbox", name=re.compile("Lakshmi Nair")).check()
    picked = page.get_by_role("list", name="Linked guardians")
    expect(picked).to_contain_text("Lakshmi Nair")
    picked.get_by_label("Relation of Lakshmi Nair to the student").fill("Mother")
    page.get_by_role("button", name="Add the student").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anjali Nair")
    expect(page.get_by_text("(Mother)")).to_be_visible()
    a11y.check(page)


def test_guardian_sees_both_children_on_dashboard_and_profile(demo, make_page, a11y):
    page = make_page(PHONE)
    log_in(page, a11y, demo.url, "guardian@musicbeats.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{demo.url}/")
    children = page.get_by_role("region", name="Your children")
    expect(children.get_by_role("link", name="Kavya Nair")).to_be_visible()
    expect(children.get_by_role("link", name="Aditya Nair")).to_be_visible()
    expect(children).to_contain_text("Tabla Foundation")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check(page)

    page.get_by_role("button", name="Show navigation").click()
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("link", name="Kavya Nair")).to_be_visible()
    expect(page.get_by_role("link", name="Aditya Nair")).to_be_visible()
    a11y.check(page)

    page.get_by_role("link", name="Aditya Nair").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aditya Nair")
    expect(page.get_by_text("Tabla Foundation")).to_be_visible()
    a11y.check(page)

    # Another family's child: 404, whatever id is typed.
    response = page.goto(f"{demo.url}/profile/students/999999/")
    assert response.status == 404
    a11y.check(page)


def test_profile_edit_and_email_pages(demo, make_page, a11y):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "student@musicbeats.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{demo.url}/")
    a11y.check(page)
    page.goto(f"{demo.url}/profile/")
    a11y.check(page)
    page.get_by_role("link", name="Edit name and phone").click()
    a11y.check(page)
    page.get_by_label("Phone").fill("+91 98450 44444")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_text("+91 98450 44444")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Change email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email address")
    a11y.check(page)
    page.get_by_label("New email address").fill("kavya.nair@example.test")
    page.get_by_role("button", name="Send the confirmation link").click()
    expect(page.get_by_text("We sent a confirmation link to")).to_be_visible()
    expect(page.locator("dd").first).to_have_text("student@musicbeats.test")
    a11y.check(page)
    page.goto(f"{demo.url}/accounts/password/change/")
    a11y.check(page)


def test_office_pages_pass_axe(demo, make_page, a11y):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "admin@musicbeats.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{demo.url}/")
    a11y.check(page)
    for name in ("Teachers", "Guardians"):
        nav_to(page, "People", name)
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        a11y.check(page)
        page.locator("#results tbody a").first.click()
        page.wait_for_url(re.compile(r"/people/\w+/\d+/$"))
        a11y.check(page)
        page.get_by_role("link", name="History").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("History of")
        a11y.check(page)
        page.go_back()
        page.get_by_role("link", name="Edit", exact=True).click()
        page.wait_for_url(re.compile(r"/edit/$"))
        a11y.check(page)
    page.goto(f"{demo.url}/people/students/?status=left")
    a11y.check(page)
    page.locator("#results tbody a").first.click()
    page.wait_for_url(re.compile(r"/people/students/\d+/$"))
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    a11y.check(page)
    page.goto(f"{demo.url}/people/teachers/new/")
    a11y.check(page)
    page.goto(f"{demo.url}/people/guardians/new/")
    a11y.check(page)


def test_office_goes_from_a_student_and_a_family_to_the_fee_desk(demo, make_page, a11y):
    """Issue 13, item 7: the student's page shows fees, attendance and classes and leads
    to the desk with the student chosen; the guardian's page shows each child's balance
    and the family's; the statement leads to the desk too."""
    from accounts.models import Guardianship, Student
    from tests.browser.test_fee_desk_browser import families_with_dues

    student = Student.objects.select_related("user").get(roll_number=families_with_dues(1)[0])
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{demo.url}/")
    a11y.check(page)
    page.goto(f"{demo.url}/people/students/{student.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(student.user.full_name)
    fees = page.get_by_role("region", name="Fees")
    expect(fees.locator("[data-figure=student-balance]")).to_contain_text("due")
    expect(page.get_by_role("region", name="Attendance")).to_contain_text("last 30 days")
    expect(page.get_by_role("link", name="Enrol", exact=True)).to_be_visible()
    a11y.check(page)

    page.get_by_role("link", name="Record payment").click()
    page.wait_for_url(re.compile(rf"/fees/payments/new/\?student={student.pk}$"))
    desk = page.locator(f"[data-desk-student='{student.pk}']")
    expect(desk.get_by_role("heading", level=2)).to_contain_text(student.user.full_name)
    expect(page.get_by_label("Amount (₹)")).to_be_visible()
    a11y.check(page)

    # A family with two children: each child's balance, the family's, and the statement.
    link = (
        Guardianship.objects.values("guardian_id")
        .annotate(children=Count("student"))
        .filter(children__gte=2)
        .order_by("guardian_id")
        .first()
    )
    page.goto(f"{demo.url}/people/guardians/{link['guardian_id']}/")
    expect(page.locator("[data-figure=family-balance]")).to_be_visible()
    expect(page.locator("[data-figure=child-balance]")).to_have_count(link["children"])
    a11y.check(page)
    page.get_by_role("link", name=re.compile("^Statement of")).first.click()
    page.wait_for_url(re.compile(r"/fees/students/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fee statement")
    a11y.check(page)
    page.get_by_role("link", name="Record payment").click()
    page.wait_for_url(re.compile(r"/fees/payments/new/\?student=\d+$"))
    expect(page.get_by_label("Amount (₹)")).to_be_visible()
    a11y.check(page)
