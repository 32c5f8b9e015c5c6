"""Two office desks edit the same student in their browsers: the second save is refused
with what changed since it opened the form, and the refusal page passes axe
(issue 12, item 3)."""

from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Student, User
from tests.browser.conftest import DESKTOP
from tests.browser.test_login_browser import log_in


def test_the_second_desk_saving_a_student_is_told_what_changed(
    demo, make_page, a11y, django_db_blocker
):
    with django_db_blocker.unblock():
        student = Student.objects.select_related("user").order_by("pk").first()
        before = student.user.full_name
    edit = f"{demo.url}/people/students/{student.pk}/edit/"

    desks = []
    for email in ("office@musicbeats.test", "admin@musicbeats.test"):
        page = make_page(DESKTOP)
        log_in(page, a11y, demo.url, email, DEMO_PASSWORD)
        a11y.check(page)
        page.goto(edit)
        expect(page.get_by_label("Full name")).to_have_value(before)
        a11y.check(page)
        desks.append(page)
    first, second = desks

    first.get_by_label("Full name").fill("Renamed At Desk One")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_role("heading", level=1)).to_contain_text("Renamed At Desk One")
    a11y.check(first)

    second.get_by_label("Full name").fill("Renamed At Desk Two")
    second.get_by_role("button", name="Save").click()
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("Someone else saved this since you opened it")
    expect(alert).to_contain_text(f"Full name: {before} → Renamed At Desk One")
    expect(second.get_by_label("Full name")).to_have_value("Renamed At Desk Two")
    a11y.check(second)

    with django_db_blocker.unblock():
        assert User.objects.get(pk=student.pk).full_name == "Renamed At Desk One"
