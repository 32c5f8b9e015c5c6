"""What a teacher on a tablet sees of changed lessons: the week says where a moved lesson
came from and went to, and that a lesson was given to a substitute; the today page lists
a lesson moved away from today. Every page passes axe."""

from datetime import time, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role, User
from attendance.models import Lesson
from attendance.timetable.base import TimetableError
from attendance.timetable.lessons import move_lesson, set_substitute
from attendance.timetable.selectors import week_start
from tests.browser.conftest import TABLET
from tests.browser.test_schedule_browser import log_in

RELATED = ("batch", "room", "teacher", "substitute")


def arjuns(**filters):
    return list(
        Lesson.objects.filter(
            teacher__email="teacher@musicbeats.test", status="scheduled", **filters
        )
        .select_related(*RELATED)
        .order_by("date", "starts_at")
    )


def give_away(lesson):
    """Give the lesson to the first other teacher who is free then."""
    for other in User.objects.filter(role=Role.TEACHER, is_active=True).exclude(
        pk=lesson.teacher_id
    ):
        try:
            return set_substitute(lesson=lesson, substitute=other)
        except TimetableError:
            continue
    raise AssertionError("no free teacher in the demo")


def test_a_teacher_sees_moved_and_given_away_lessons(demo, make_page, a11y):
    today = timezone.localdate()
    monday = week_start(today) + timedelta(days=7)
    lessons = arjuns(date__range=(monday, monday + timedelta(days=6)))
    first, second = lessons[0], next(x for x in lessons if x.date != lessons[0].date)
    moved_to = monday + timedelta(days=6) if first.date != monday + timedelta(days=6) else monday
    move_lesson(lesson=first, on=moved_to, starts_at=time(6, 0), duration_minutes=45, room=None)
    substitute = give_away(second).substitute
    page = make_page(TABLET)
    log_in(page, a11y, demo.url, "teacher@musicbeats.test")
    page.goto(f"{demo.url}/schedule/?week={monday.isoformat()}")
    expect(page.get_by_text(f"Moved from {first.date:%a} {first.starts_at:%H:%M}")).to_be_visible()
    expect(page.get_by_text(f"Moved to {moved_to:%a} 06:00")).to_be_visible()
    expect(page.get_by_text(f"Given to {substitute.full_name}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    a11y.check(page)


def test_the_today_page_lists_a_lesson_moved_away(demo, make_page, a11y):
    today = timezone.localdate()
    movable = [lesson for lesson in arjuns(date=today) if not lesson.marks.exists()]
    if not movable:
        lesson = arjuns(date__gt=today)[0]
        Lesson.objects.filter(pk=lesson.pk).update(date=today, scheduled_on=today)
        movable = [Lesson.objects.select_related(*RELATED).get(pk=lesson.pk)]
    lesson = movable[0]
    move_lesson(
        lesson=lesson,
        on=today + timedelta(days=1),
        starts_at=time(6, 0),
        duration_minutes=45,
        room=None,
    )
    page = make_page(TABLET)
    log_in(page, a11y, demo.url, "teacher@musicbeats.test")
    page.goto(f"{demo.url}/attendance/today/")
    expect(page.get_by_role("heading", name="Moved away from today")).to_be_visible()
    expect(page.get_by_text(f"Moved to {today + timedelta(days=1):%a} 06:00")).to_be_visible()
    a11y.check(page)
