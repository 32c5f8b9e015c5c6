"""Progress (issue 15, item 2) as people do it: the demo teacher on a tablet proposes the
next level for a student of theirs from the student's page (reached from the roll call's
names), the office on a desktop confirms it in Level moves, and the office's student page
shows the history. axe checks every page."""

from playwright.sync_api import expect

from attendance.models import Enrollment
from attendance.teaching.progress.models import LevelChange
from tests.browser.conftest import DESKTOP, TABLET, nav_to
from tests.browser.test_fee_desk_browser import log_in


def _keyboard_beginner():
    """A student of the demo teacher's Keyboard Beginners batch without a proposal (the
    demo's Kavya has one waiting)."""
    enrolment = (
        Enrollment.objects.filter(batch__name="Keyboard Beginners · Sat", left_on__isnull=True)
        .exclude(student__level_changes__isnull=False)
        .select_related("student__user")
        .order_by("student__user__full_name")
        .first()
    )
    return enrolment.student


def test_teacher_proposes_the_office_confirms_and_the_history_shows_it(demo, make_page, a11y):
    student = _keyboard_beginner()
    name = student.user.full_name

    tablet = make_page(TABLET)
    log_in(tablet, a11y, demo.url, "teacher@musicbeats.test")
    tablet.goto(f"{demo.url}/attendance/students/{student.pk}/")
    a11y.check(tablet)
    row = tablet.locator("[data-progress-instrument='Keyboard']")
    expect(row).to_contain_text("Beginner")
    propose = row.get_by_role("button", name="Propose Intermediate")
    box = propose.bounding_box()
    assert box["height"] >= 44, box  # a touch target on the teacher's tablet
    row.get_by_label("Note for the office about Keyboard (optional)").fill(
        "Plays both hands together"
    )
    propose.click()
    expect(row).to_contain_text("Intermediate proposed, waiting for the office")
    a11y.check(tablet)
    assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    change = LevelChange.objects.get(student=student)
    assert (change.status, change.note) == ("proposed", "Plays both hands together")

    desk = make_page(DESKTOP)
    log_in(desk, a11y, demo.url, "office@musicbeats.test")
    nav_to(desk, "Classes", "Level moves")
    desk.wait_for_load_state("load")
    a11y.check(desk)
    move = desk.locator(f"[data-level-move='{change.pk}']")
    expect(move).to_contain_text(name)
    expect(move).to_contain_text("Plays both hands together")
    move.get_by_role("button", name=f"Confirm Intermediate for {name}").click()
    expect(move).to_contain_text("Confirmed")
    a11y.check(desk)
    change.refresh_from_db()
    assert change.status == "confirmed"

    move.get_by_role("link", name=name).click()
    desk.wait_for_load_state("load")
    a11y.check(desk)
    history = desk.locator("[data-level-history='Keyboard']")
    expect(history).to_contain_text("Beginner → Intermediate")
    expect(history).to_contain_text("Confirmed")
    expect(desk.get_by_role("heading", name="Keyboard: Intermediate")).to_be_visible()

    tablet.reload()
    expect(row).to_contain_text("Intermediate")
    expect(row.get_by_role("button", name="Propose Advanced")).to_be_visible()
    a11y.check(tablet)
