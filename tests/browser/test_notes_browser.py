"""A teacher writes lesson notes on a tablet (768 by 1024) through a Wi-Fi drop; the
guardian reads them on a phone. axe on every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Student, User
from attendance.models import LessonNote
from tests.browser.conftest import PHONE, TABLET
from tests.browser.test_login_browser import log_in
from tests.factories import BatchFactory, EnrollmentFactory, LessonFactory, roster

BATCH = "Browser notes keyboard"


@pytest.fixture
def lesson(demo):
    """A lesson of the demo teacher today that started a little while ago, with the demo
    student (Kavya Nair, the demo guardian's daughter) and two classmates."""
    teacher = User.objects.get(email="teacher@musicbeats.test")
    start = timezone.localtime() - timedelta(minutes=5)
    if start.date() != timezone.localdate():  # just after midnight
        start = timezone.localtime().replace(hour=0, minute=0, second=0)
    lesson = LessonFactory(
        batch=BatchFactory(name=BATCH, teacher=teacher, room=None),
        starts_at=start.time().replace(microsecond=0),
        room=None,
    )
    kavya = Student.objects.get(user__email="student@musicbeats.test")
    EnrollmentFactory(student=kavya, batch=lesson.batch, joined_on=lesson.date.replace(day=1))
    roster(lesson, 1, user__full_name="Anu Varma")
    roster(lesson, 1, user__full_name="Chirag Das")
    return lesson


def open_roll(page, a11y, base_url):
    log_in(page, a11y, base_url, "teacher@musicbeats.test", DEMO_PASSWORD)
    page.get_by_role("link", name="Today", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's lessons")
    a11y.check(page)
    page.get_by_role("link", name=re.compile(BATCH)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BATCH)
    a11y.check(page)


def test_notes_through_a_wifi_drop_then_the_guardian_reads_them(demo, lesson, make_page, a11y):
    page = make_page(TABLET)
    open_roll(page, a11y, demo.url)
    batch_form = page.locator("#note-form-batch")

    # The batch's note, saved at once.
    batch_form.get_by_label("What the lesson covered").fill("Scales in C; the new piece")
    batch_form.get_by_label("What to practise").fill("Scales daily, ten minutes")
    batch_form.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-form-batch .note-state")).to_contain_text("✓ Saved")
    assert LessonNote.objects.get(lesson=lesson).practice == "Scales daily, ten minutes"

    # The Wi-Fi drops. Kavya's line from her row's Note button, and a change to the
    # batch's practice: both wait on the tablet, visibly.
    page.context.set_offline(True)
    page.get_by_role("link", name="Note for Kavya Nair").click()
    kavya_form = page.locator(
        "form.note-form-student", has=page.get_by_label("Note for Kavya Nair")
    )
    expect(kavya_form.get_by_label("Note for Kavya Nair")).to_be_focused()
    box = page.get_by_role("link", name="Note for Kavya Nair").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    kavya_form.get_by_label("Note for Kavya Nair").fill("Steady tempo today, well done")
    kavya_form.get_by_label("Practice for Kavya Nair").fill("Bars 9 to 12, left hand")
    kavya_form.get_by_role("button", name="Save note").click()
    batch_form = page.locator("#note-form-batch")
    batch_form.get_by_label("What to practise").fill("Scales daily, fifteen minutes")
    batch_form.get_by_role("button", name="Save note").click()
    for form in (kavya_form, batch_form):
        expect(form.locator(".note-state")).to_contain_text("Waiting to send")
    queue = page.evaluate("JSON.parse(localStorage.getItem('musicbeats.notes.pending'))")
    assert len(queue) == 2
    a11y.check(page)
    assert LessonNote.objects.filter(lesson=lesson).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    # The Wi-Fi is back: sent by themselves, without a reload, each stored once.
    page.context.set_offline(False)
    for form in (kavya_form, page.locator("#note-form-batch")):
        expect(form.locator(".note-state")).to_contain_text("✓ Saved", timeout=15_000)
    assert page.evaluate("localStorage.getItem('musicbeats.notes.pending')") == "[]"
    notes = {n.student_id: n for n in LessonNote.objects.filter(lesson=lesson)}
    kavya = Student.objects.get(user__email="student@musicbeats.test")
    assert set(notes) == {None, kavya.pk}
    assert notes[None].practice == "Scales daily, fifteen minutes"
    assert notes[kavya.pk].covered == "Steady tempo today, well done"
    a11y.check(page)

    # The guardian, on her phone, reads them under Practice.
    phone = make_page(PHONE)
    log_in(phone, a11y, demo.url, "guardian@musicbeats.test", DEMO_PASSWORD)
    a11y.check(phone)
    phone.get_by_role("button", name="Show navigation").click()
    phone.get_by_role("link", name="Practice", exact=True).click()
    a11y.check(phone)
    phone.get_by_role("link", name="Kavya Nair", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Practice: Kavya Nair")
    this_week = phone.locator(
        "section", has=phone.get_by_role("heading", name="Practise this week")
    )
    expect(this_week).to_contain_text("Scales daily, fifteen minutes")
    expect(this_week).to_contain_text("Bars 9 to 12, left hand")
    expect(phone.locator(".notes-list")).to_contain_text("Steady tempo today, well done")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check(phone)
