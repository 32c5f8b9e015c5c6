"""A teacher takes the roll on a tablet (768 by 1024), through a Wi-Fi drop; reports and
family pages pass axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from attendance.models import Mark
from tests.browser.conftest import DESKTOP, PHONE, TABLET
from tests.browser.test_login_browser import log_in
from tests.factories import BatchFactory, LessonFactory, roster

NAMES = ["Anu Varma", "Bhavna Rao", "Chirag Das", "Deepa Nair", "Esha Pillai", "Farid Khan"]


@pytest.fixture
def ensemble(demo):
    """A lesson of the demo teacher today that started a little while ago, with six
    students (made here, so the test does not depend on the demo timetable)."""
    teacher = User.objects.get(email="teacher@musicbeats.test")
    start = timezone.localtime() - timedelta(minutes=5)
    if start.date() != timezone.localdate():  # just after midnight
        start = timezone.localtime().replace(hour=0, minute=0, second=0)
    lesson = LessonFactory(
        batch=BatchFactory(name="Browser ensemble", teacher=teacher, room=None),
        starts_at=start.time().replace(microsecond=0),
        room=None,
    )
    students = {}
    for name in NAMES:
        [student] = roster(lesson, 1, user__full_name=name)
        students[name] = student
    return lesson, students


def row(page, name):
    return page.locator(".roster-row", has=page.get_by_text(name, exact=True))


def tap(page, name, label):
    row(page, name).get_by_role("button", name=label, exact=True).click()


def statuses(lesson):
    return dict(
        Mark.objects.filter(lesson=lesson).values_list("student__user__full_name", "status")
    )


def open_roll(page, a11y, base_url):
    log_in(page, a11y, base_url, "teacher@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    today = page.get_by_role("link", name="Today", exact=True)
    if today.is_visible():
        today.click()
    else:  # a phone: the navigation is behind the menu button
        page.get_by_role("button", name="Show navigation").click()
        today.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's lessons")
    a11y.check(page)
    page.get_by_role("link", name=re.compile("Browser ensemble")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser ensemble")
    a11y.check(page)


def _assert_built_for_fingers(page):
    """Touch targets of at least 44 px, names of at least 20 px, no sideways scroll."""
    button = row(page, "Anu Varma").get_by_role("button", name="Absent", exact=True)
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    name = page.locator(".roster-name").first
    size = name.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 20
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]


def test_teacher_takes_the_roll_through_a_wifi_drop(demo, ensemble, make_page, a11y):
    lesson, _students = ensemble
    page = make_page(TABLET)
    open_roll(page, a11y, demo.url)

    _assert_built_for_fingers(page)

    page.get_by_role("button", name="Everyone present").click()
    expect(page.locator(".roster-row .state-saved")).to_have_count(6)
    expect(page.locator("#roll-marked")).to_have_text("6")
    assert set(statuses(lesson).values()) == {"present"}

    tap(page, "Anu Varma", "Absent")
    expect(row(page, "Anu Varma").locator(".roster-state")).to_contain_text("Saved Absent")
    tap(page, "Bhavna Rao", "Late")
    expect(row(page, "Bhavna Rao").locator(".roster-state")).to_contain_text("Saved Late")
    late = row(page, "Bhavna Rao").get_by_role("button", name="Late", exact=True)
    expect(late).to_have_attribute("aria-pressed", "true")
    a11y.check(page)

    # The Wi-Fi drops: the taps wait on the tablet, visibly.
    page.context.set_offline(True)
    tap(page, "Chirag Das", "Excused")
    tap(page, "Deepa Nair", "Absent")
    for name, label in [("Chirag Das", "Excused"), ("Deepa Nair", "Absent")]:
        state = row(page, name).locator(".roster-state")
        expect(state).to_contain_text("Waiting to send")
        expect(state).to_contain_text(label)
        expect(row(page, name).get_by_role("button", name=label, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
    queue = page.evaluate("JSON.parse(localStorage.getItem('musicbeats.rollcall.pending'))")
    assert len(queue) == 2
    a11y.check(page)
    assert statuses(lesson)["Chirag Das"] == "present"

    # The Wi-Fi is back: sent by themselves, without a reload, each stored once.
    page.context.set_offline(False)
    for name, label in [("Chirag Das", "Excused"), ("Deepa Nair", "Absent")]:
        expect(row(page, name).locator(".roster-state")).to_contain_text(
            f"Saved {label}", timeout=15_000
        )
    assert page.evaluate("localStorage.getItem('musicbeats.rollcall.pending')") == "[]"
    assert statuses(lesson) == {
        "Anu Varma": "absent",
        "Bhavna Rao": "late",
        "Chirag Das": "excused",
        "Deepa Nair": "absent",
        "Esha Pillai": "present",
        "Farid Khan": "present",
    }
    assert Mark.objects.filter(lesson=lesson).count() == 6
    expect(page.locator("#roll-marked")).to_have_text("6")
    a11y.check(page)


def test_waiting_taps_survive_closing_the_page_and_are_sent_once(demo, ensemble, make_page, a11y):
    lesson, _students = ensemble
    page = make_page(PHONE)
    open_roll(page, a11y, demo.url)
    context = page.context
    context.set_offline(True)
    tap(page, "Esha Pillai", "Late")
    tap(page, "Esha Pillai", "Absent")  # the newer tap replaces the older one
    expect(row(page, "Esha Pillai").locator(".roster-state")).to_contain_text("Waiting to send")
    # Everyone else present, still offline: Esha keeps her waiting tap.
    page.get_by_role("button", name="Everyone present").click()
    expect(page.locator(".roster-row .state-pending")).to_have_count(6)
    expect(row(page, "Esha Pillai").locator(".roster-state")).to_contain_text("Absent")
    a11y.check(page)
    page.close()
    assert not Mark.objects.filter(lesson=lesson).exists()

    context.set_offline(False)
    again = a11y.watch(context.new_page())
    again.goto(f"{demo.url}/attendance/lessons/{lesson.pk}/")
    expect(row(again, "Esha Pillai").locator(".roster-state")).to_contain_text(
        "Saved Absent", timeout=15_000
    )
    expect(again.locator(".roster-row .state-saved")).to_have_count(6, timeout=15_000)
    a11y.check(again)
    assert statuses(lesson) == {
        name: "absent" if name == "Esha Pillai" else "present" for name in NAMES
    }
    assert Mark.history.filter(lesson_id=lesson.pk).count() == 6


def test_an_office_correction_after_the_window_needs_a_reason(demo, make_page, a11y):
    lesson = LessonFactory(date=timezone.localdate() - timedelta(days=5))
    [student] = roster(lesson, 1, user__full_name="Gopal Late")
    Mark.objects.create(lesson=lesson, student=student, status="absent", marked_by=lesson.teacher)
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    page.goto(f"{demo.url}/attendance/lessons/{lesson.pk}/")
    a11y.check(page)
    tap(page, "Gopal Late", "Present")
    expect(row(page, "Gopal Late").locator(".roster-state")).to_contain_text("give a reason")
    page.get_by_label("Reason for corrections").fill("Was there; the teacher missed her")
    tap(page, "Gopal Late", "Present")
    expect(row(page, "Gopal Late").locator(".roster-state")).to_contain_text("Saved Present")
    a11y.check(page)
    assert Mark.objects.get(lesson=lesson).status == "present"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_reports_and_family_pages_pass_axe(demo, make_page, a11y, viewport):
    page = make_page(viewport)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    for path in [
        "/attendance/today/",
        "/attendance/reports/",
        "/attendance/reports/batches/",
        "/attendance/reports/teachers/",
        "/attendance/reports/absentees/",
        "/attendance/reports/?from=2026-02-01&to=2026-01-01",
    ]:
        page.goto(demo.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        a11y.check(page)
    page.get_by_role("link", name="By batch").click()
    expect(page.get_by_role("heading", name=re.compile("By batch"))).to_be_visible()
    a11y.check(page)
    page.get_by_label("From").fill((timezone.localdate() - timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"/attendance/reports/batches/\?from="))
    a11y.check(page)

    for email in ("student@musicbeats.test", "guardian@musicbeats.test"):
        family = make_page(viewport)
        log_in(family, a11y, demo.url, email, DEMO_PASSWORD)
        if viewport == DESKTOP:
            family.get_by_role("link", name="Attendance", exact=True).click()
        else:
            family.goto(f"{demo.url}/attendance/mine/")
        expect(family.get_by_role("heading", level=1)).to_contain_text("attendance")
        expect(family.get_by_role("heading", name=re.compile("Kavya Nair"))).to_be_visible()
        a11y.check(family)


def test_teacher_dashboard_lists_todays_lessons(demo, ensemble, make_page, a11y):
    page = make_page(TABLET)
    log_in(page, a11y, demo.url, "teacher@musicbeats.test", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Today's lessons")).to_be_visible()
    expect(page.get_by_text("0 of 6 marked")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Take the roll").click()
    a11y.check(page)
