"""Attendance on the dashboards: a teacher's lessons today; the office's day, past
lessons nobody marked, and absentees."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Institute
from attendance.models import Lesson
from tests.factories import BatchFactory, LessonFactory, MarkFactory, roster

pytestmark = pytest.mark.dates


def test_teacher_dashboard_lists_todays_lessons_with_marked_counts(client, teacher, other_teacher):
    lesson = LessonFactory(batch__teacher=teacher, batch__name="Keyboard Sat")
    students = roster(lesson, 4)
    for student in students[:3]:
        MarkFactory(lesson=lesson, student=student)
    LessonFactory(batch__teacher=other_teacher, batch__name="Violin Thu")
    client.force_login(teacher)
    page = client.get("/").content.decode()
    assert "Keyboard Sat" in page and "3 of 4 marked" in page
    assert "Violin Thu" not in page
    assert "Take the roll" in page


def test_office_dashboard_shows_the_day_unmarked_lessons_and_absentees(client, office_user):
    Institute.get()
    today = timezone.localdate()
    done = LessonFactory()
    for student in roster(done, 2):
        MarkFactory(lesson=done, student=student)
    roster(LessonFactory(), 1)  # today, not marked yet
    LessonFactory(status=Lesson.Status.CANCELLED, cancel_reason="Exam")
    forgotten = LessonFactory(batch__name="Forgotten Tabla", date=today - timedelta(days=2))
    roster(forgotten, 3)
    marked = LessonFactory(batch__name="Marked Guitar", date=today - timedelta(days=2))
    MarkFactory(lesson=marked, student=roster(marked, 1)[0])
    LessonFactory(batch__name="Empty Violin", date=today - timedelta(days=2))
    old = LessonFactory(batch__name="Ancient Drums", date=today - timedelta(days=40))
    roster(old, 1)
    cancelled = LessonFactory(
        batch__name="Cancelled Sitar",
        date=today - timedelta(days=3),
        status=Lesson.Status.CANCELLED,
        cancel_reason="Rain",
    )
    roster(cancelled, 1)
    away = BatchFactory(name="Away Batch")
    lessons = [LessonFactory(batch=away, date=today - timedelta(days=d)) for d in (21, 14, 7)]
    [student] = roster(lessons[0], 1, user__full_name="Always Away")
    for lesson in lessons:
        MarkFactory(lesson=lesson, student=student, status="absent")

    client.force_login(office_user)
    response = client.get("/")
    attendance = response.context["attendance"]
    assert attendance["lessons_today"] == 2
    assert attendance["cancelled_today"] == 1
    assert attendance["lessons_done"] == 1
    assert attendance["unmarked_total"] == 1
    assert [lesson.batch.name for lesson in attendance["unmarked"]] == ["Forgotten Tabla"]
    assert attendance["unmarked"][0].on_roll == 3
    assert [row["name"] for row in attendance["absentees"]] == ["Always Away"]
    page = response.content.decode()
    assert "Forgotten Tabla" in page and "3 students" in page and "Always Away" in page


@pytest.mark.parametrize("lessons", [3, 30])
def test_office_dashboard_budget_does_not_grow(
    client, office_user, lessons, django_assert_max_num_queries
):
    Institute.get()
    today = timezone.localdate()
    for i in range(lessons):
        for day in (0, 2):
            lesson = LessonFactory(date=today - timedelta(days=day))
            for student in roster(lesson, 2):
                if i % 2:
                    MarkFactory(lesson=lesson, student=student, status="absent")
    client.force_login(office_user)
    # the whole office dashboard: session, user, every panel's figures in one query, the
    # overdue count (computed: nothing cached yet, 2), lessons nobody marked, absentees (3)
    with django_assert_max_num_queries(9):
        response = client.get("/")
    assert response.status_code == 200
    attendance = response.context["attendance"]
    assert attendance["lessons_today"] == lessons
    assert attendance["unmarked_total"] == lessons // 2 + lessons % 2


@pytest.mark.parametrize("streak", [None, 2, 4])
def test_office_dashboard_lists_absentees_by_the_institutes_streak(client, office_user, streak):
    """The streak comes with the dashboard's figures: the settings row's, or the
    default (3) when the institute has not saved its settings yet."""
    if streak is not None:
        institute = Institute.get()
        institute.absentee_streak = streak
        institute.save()
    today = timezone.localdate()
    batch = BatchFactory()
    lessons = [LessonFactory(batch=batch, date=today - timedelta(days=d)) for d in (4, 3, 2, 1)]
    away, present = roster(lessons[0], 2, user__full_name="Always Away")
    for count, lesson in enumerate(lessons, start=1):
        MarkFactory(lesson=lesson, student=present)
        # Present at the first lesson, absent from the last three.
        MarkFactory(lesson=lesson, student=away, status="present" if count == 1 else "absent")
    client.force_login(office_user)
    attendance = client.get("/").context["attendance"]
    assert attendance["streak"] == (streak or 3)
    expected = 1 if (streak or 3) <= 3 else 0
    assert attendance["absentee_total"] == expected
