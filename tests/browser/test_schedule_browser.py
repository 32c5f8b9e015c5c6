"""The timetable and the schedule in a browser: the office adds slots on the grid (a clash
is refused with its message, without a reload); a teacher on a tablet sees their week;
every schedule page passes axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from attendance.models import Holiday, Lesson, Slot, Term
from tests.browser.conftest import DESKTOP, PHONE, TABLET, nav_to


def log_in(page, a11y, base_url, email):
    # No colour transitions: axe must not catch a button halfway through its hover fade
    # (htmx swaps a new button in under the pointer).
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{base_url}/accounts/login/")
    a11y.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    a11y.check(page)


def test_office_adds_a_slot_on_the_grid_and_a_clash_is_refused(demo, make_page, a11y):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test")
    nav_to(page, "Classes", "Timetable")
    expect(page.get_by_role("heading", level=1)).to_have_text("Timetable")
    a11y.check(page)
    page.evaluate("window.stillTheSamePage = true")
    form = page.locator("form.slot-form")
    # Studio A meets Carnatic vocal · Sarali on Mondays at 17:00 in the demo.
    form.get_by_label("Batch").select_option(label="Guitar Intermediate · Fri")
    form.get_by_label("Day").select_option(label="Monday")
    form.get_by_label("Starts at").fill("17:30")
    form.get_by_label("Room").select_option(label="Studio A")
    form.get_by_role("button", name="Add slot").click()
    alert = page.get_by_role("alert").filter(has_text="The slot was not added")
    expect(alert).to_contain_text("Room Studio A is already booked on Monday at 17:30")
    expect(alert).to_contain_text("Carnatic vocal · Sarali")
    assert page.evaluate("window.stillTheSamePage") is True  # htmx: no reload
    a11y.check(page)
    before = Slot.objects.count()
    form = page.locator("form.slot-form")
    form.get_by_label("Starts at").fill("08:00")
    form.get_by_label("Day").select_option(label="Friday")
    form.get_by_label("Room").select_option(label="Practice room 2")
    form.get_by_role("button", name="Add slot").click()
    expect(page.get_by_role("status").filter(has_text="Added Guitar Intermediate")).to_be_visible()
    friday = page.get_by_role("region", name="Friday")
    expect(friday.get_by_text("08:00\u201309:00")).to_be_visible()
    assert Slot.objects.count() == before + 1
    assert page.evaluate("window.stillTheSamePage") is True
    a11y.check(page)


def test_teacher_on_a_tablet_sees_their_week(demo, make_page, a11y):
    page = make_page(TABLET)
    log_in(page, a11y, demo.url, "teacher@musicbeats.test")
    page.get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My week")
    today = page.locator(".wk-today")
    expect(today.get_by_text("Today")).to_be_visible()
    assert today.locator(".wk-card").count() >= 2
    # A list per day on a tablet: no hour column, no sideways scrolling.
    expect(page.locator(".wk-hour").first).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    for button in ("← Previous week", "Next week →"):
        assert page.get_by_role("link", name=button).bounding_box()["height"] >= 44
    a11y.check(page)
    page.get_by_role("link", name="Next week →").click()
    expect(page).to_have_url(re.compile(r"/schedule/\?week=\d{4}-\d\d-\d\d$"))
    expect(page.get_by_role("link", name="This week")).to_be_visible()
    a11y.check(page)


def test_office_moves_between_weeks_and_filters_without_a_reload(demo, make_page, a11y):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test")
    page.goto(f"{demo.url}/schedule/")
    a11y.check(page)
    page.evaluate("window.stillTheSamePage = true")
    title = page.locator("#week-title")
    first = title.inner_text()
    page.get_by_role("link", name="Next week →").click()
    expect(title).not_to_have_text(first)
    expect(page).to_have_url(re.compile(r"week=\d{4}-\d\d-\d\d"))
    a11y.check(page)
    page.get_by_label("Show", exact=True).select_option(label="By teacher")
    expect(page).to_have_url(re.compile(r"by=teacher"))
    a11y.check(page)
    page.get_by_label("Teacher", exact=True).select_option(label="Arjun Menon")
    expect(page).to_have_url(re.compile(r"teacher=\d+"))
    for card in page.locator(".wk-card").all():
        expect(card).to_contain_text("Arjun Menon")
    assert page.evaluate("window.stillTheSamePage") is True
    a11y.check(page)


@pytest.mark.parametrize(
    "email,viewport,heading",
    [
        ("student@musicbeats.test", PHONE, "My lessons"),
        ("guardian@musicbeats.test", PHONE, "Your children's lessons"),
        ("admin@musicbeats.test", DESKTOP, "Schedule"),
    ],
)
def test_each_role_sees_its_schedule(demo, make_page, a11y, email, viewport, heading):
    page = make_page(viewport)
    log_in(page, a11y, demo.url, email)
    page.goto(f"{demo.url}/schedule/")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_label("Calendar address")).to_have_value(re.compile(r"/calendar/.+\.ics$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    a11y.check(page)


def test_every_office_schedule_page_passes_axe(demo, make_page, a11y):
    tomorrow = timezone.localdate() + timedelta(days=1)
    lesson = Lesson.objects.filter(date__gte=tomorrow, status="scheduled").first()
    cancelled = Lesson.objects.filter(status="cancelled").first()
    slot = Slot.objects.first()
    paths = [
        "/schedule/slots/?by=teacher",
        "/schedule/slots/new/",
        f"/schedule/slots/{slot.pk}/",
        "/schedule/terms/",
        f"/schedule/terms/{Term.objects.first().pk}/",
        "/schedule/holidays/",
        f"/schedule/holidays/{Holiday.objects.first().pk}/delete/",
        "/schedule/lessons/generate/",
        f"/schedule/lessons/generate/?date_from={tomorrow}&date_to={tomorrow + timedelta(days=6)}",
        "/schedule/lessons/new/",
        f"/schedule/lessons/{lesson.pk}/",
        f"/schedule/lessons/{lesson.pk}/cancel/",
        f"/schedule/lessons/{lesson.pk}/move/",
        f"/schedule/lessons/{lesson.pk}/substitute/",
        f"/schedule/lessons/{lesson.pk}/guests/",
        f"/schedule/lessons/{cancelled.pk}/",
        f"/schedule/lessons/{cancelled.pk}/restore/",
        "/schedule/calendar/reset/",
    ]
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test")
    for path in paths:
        response = page.goto(f"{demo.url}{path}")
        assert response.status == 200, path
        a11y.check(page)
    # A refusal shown on its page passes too.
    page.goto(f"{demo.url}/schedule/lessons/{lesson.pk}/cancel/")
    page.get_by_role("button", name="Cancel lesson").click()
    page.wait_for_load_state("load")
    a11y.check(page)
