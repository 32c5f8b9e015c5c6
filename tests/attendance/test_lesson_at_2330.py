"""A lesson today at 23:30 for 45 minutes, so it ends at 00:15 tomorrow: it belongs to
its own date everywhere (the teacher's day, the week, the calendar feed, the office's
counts, the reports), and its roll can be taken inside it and in the edit window that
runs from its end after midnight."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Institute
from attendance.models import Mark, MarkCorrection
from attendance.timetable.feed import feed_for
from tests.attendance.schedule_helpers import batch, card_text, enrol
from tests.factories import LessonFactory, MarkFactory, roster

pytestmark = pytest.mark.dates

KOLKATA = ZoneInfo("Asia/Kolkata")
UTC = ZoneInfo("UTC")
LATE = time(23, 30)
HTMX = {"HTTP_HX_REQUEST": "true"}


def today():
    return timezone.localdate()


def ist(day, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=KOLKATA)


def late_lesson(teacher, on=None, name="Late Tabla"):
    """`teacher`'s lesson at 23:30 for 45 minutes on `on` (default today)."""
    on = on or today()
    return LessonFactory(
        batch=batch(name=name, teacher_user=teacher),
        scheduled_on=on,
        starts_at=LATE,
        duration_minutes=45,
    )


def at(moment: datetime):
    """The clock stands at `moment` (an aware datetime) inside the block."""
    return time_machine.travel(moment, tick=False)


def tap(client, lesson, student, status, **extra):
    url = reverse("rollcall:lesson", args=[lesson.pk])
    return client.post(url, {"mark": f"{student.pk}:{status}", **extra}, **HTMX)


def day_column(page: str, *, today_column: bool) -> str:
    """The HTML of today's column of the week grid (or of every other column)."""
    sections = re.split(r'(?=<section class="wk-day )', page)[1:]
    return "".join(s for s in sections if ("wk-today" in s.split(">", 1)[0]) == today_column)


# --- The teacher's day and the week ------------------------------------------------------


def test_the_lesson_at_2330_is_on_todays_page_and_last_nights_is_not(client, teacher):
    tonight = late_lesson(teacher)
    late_lesson(teacher, on=today() - timedelta(days=1), name="Last Night Sitar")
    client.force_login(teacher)
    response = client.get(reverse("rollcall:today"))
    assert [lesson.pk for lesson in response.context["lessons"]] == [tonight.pk]
    page = response.content.decode()
    assert "Late Tabla" in page and "23:30" in page
    assert "Last Night Sitar" not in page


def test_the_lesson_at_2330_is_in_todays_column_of_the_week(client, teacher, office_user):
    late_lesson(teacher)
    for user in (teacher, office_user):
        client.force_login(user)
        page = client.get(reverse("timetable:week")).content.decode()
        todays = card_text(day_column(page, today_column=True))
        assert "Late Tabla" in todays
        assert "23:30\u201300:15" in todays
        assert "Late Tabla" not in card_text(day_column(page, today_column=False))


def test_the_roster_shows_it_from_2330_to_0015(client, teacher):
    lesson = late_lesson(teacher)
    client.force_login(teacher)
    page = client.get(reverse("rollcall:lesson", args=[lesson.pk])).content.decode()
    assert f"{lesson.date:%A} {lesson.date.day} {lesson.date:%b %Y} · 23:30\u201300:15" in page


# --- Taking the roll across midnight -----------------------------------------------------


def test_the_teacher_marks_it_inside_the_lesson_on_both_sides_of_midnight(client, teacher):
    Institute.get()
    lesson = late_lesson(teacher)
    pupil = roster(lesson, 1)[0]
    with at(ist(lesson.date, "23:40")):
        client.force_login(teacher)  # signed in that evening (sessions have limits)
        assert tap(client, lesson, pupil, "present").status_code == 200
    with at(ist(lesson.date + timedelta(days=1), "00:10")):
        assert tap(client, lesson, pupil, "late").status_code == 200
    mark = Mark.objects.get()
    assert (mark.lesson_id, mark.status) == (lesson.pk, "late")
    assert timezone.localtime(mark.marked_at) == ist(lesson.date + timedelta(days=1), "00:10")
    assert not MarkCorrection.objects.exists()


def test_the_edit_window_runs_from_the_end_after_midnight(client, teacher):
    """The window (24 hours) closes at 00:15 the day after tomorrow: a window counted
    from 00:15 on the lesson's own date would have closed 24 hours earlier."""
    Institute.get()
    lesson = late_lesson(teacher)
    pupil = roster(lesson, 1)[0]
    MarkFactory(lesson=lesson, student=pupil, status="present")
    day_after = lesson.date + timedelta(days=2)
    with at(ist(day_after, "00:05")):
        client.force_login(teacher)  # signed in that night (sessions have limits)
        assert tap(client, lesson, pupil, "absent").status_code == 200
    assert Mark.objects.get().status == "absent"
    with at(ist(day_after, "00:25")):
        refused = tap(client, lesson, pupil, "present")
        assert refused.status_code == 403
        assert f"closed at {day_after.day} {day_after:%b} 00:15" in refused.content.decode()
    assert Mark.objects.get().status == "absent"


# --- The calendar feed -------------------------------------------------------------------


def test_the_feed_event_starts_at_2330_ist_on_its_own_date(client, teacher, student):
    lesson = late_lesson(teacher)
    enrol(student, lesson.batch, joined_on=lesson.date - timedelta(days=30))
    for user in (student, teacher):
        content = client.get(f"/calendar/{feed_for(user).token}.ics").content
        [event] = Calendar.from_ical(content).walk("VEVENT")
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start == ist(lesson.date, "23:30")
        assert start.astimezone(UTC) == datetime.combine(lesson.date, time(18, 0), tzinfo=UTC)
        assert end == ist(lesson.date + timedelta(days=1), "00:15")
        assert f"DTSTART;TZID=Asia/Kolkata:{lesson.date:%Y%m%d}T233000".encode() in content


# --- The office's counts and the reports -------------------------------------------------


def test_the_office_dashboard_counts_it_on_its_own_date(client, office_user, teacher):
    Institute.get()
    tonight = late_lesson(teacher)
    roster(tonight, 2)
    last_night = late_lesson(teacher, on=today() - timedelta(days=1), name="Last Night Sitar")
    roster(last_night, 1)
    client.force_login(office_user)
    attendance = client.get("/").context["attendance"]
    assert attendance["lessons_today"] == 1
    assert [lesson.pk for lesson in attendance["unmarked"]] == [last_night.pk]
    with at(ist(tonight.date + timedelta(days=1), "00:10")):
        client.force_login(office_user)  # signed in again after midnight (session limits)
        attendance = client.get("/").context["attendance"]
    assert attendance["lessons_today"] == 0  # still going on, but yesterday's lesson


def test_a_mark_made_after_midnight_counts_on_the_lessons_date(client, office_user, teacher):
    Institute.get()
    lesson = late_lesson(teacher)
    pupil = roster(lesson, 1, user__full_name="Kavya Nair")[0]
    with at(ist(lesson.date + timedelta(days=1), "00:05")):
        client.force_login(teacher)  # signed in that night (sessions have limits)
        assert tap(client, lesson, pupil, "absent").status_code == 200
    client.force_login(office_user)
    url = reverse("rollcall:report_students")

    def tallies(on):
        response = client.get(url, {"from": on.isoformat(), "to": on.isoformat()})
        return {s.user.full_name: (t.absent, t.total) for s, t in response.context["rows"]}

    assert tallies(lesson.date) == {"Kavya Nair": (1, 1)}
    assert tallies(lesson.date + timedelta(days=1)).get("Kavya Nair", (0, 0)) == (0, 0)
    history = client.get(
        reverse("rollcall:student", args=[pupil.pk]),
        {"from": lesson.date.isoformat(), "to": lesson.date.isoformat()},
    )
    page = history.content.decode()
    assert f"{lesson.date:%a} {lesson.date.day} {lesson.date:%b %Y}" in page
    assert "23:30" in page
