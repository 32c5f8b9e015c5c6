"""The teacher's today page and a lesson's roster."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Institute, Role
from attendance.models import Lesson, Mark
from tests.factories import (
    EnrollmentFactory,
    LessonFactory,
    LessonGuestFactory,
    MarkFactory,
    StudentFactory,
    UserFactory,
    roster,
)

pytestmark = pytest.mark.dates

TODAY_URL = reverse("rollcall:today")


def lesson_url(lesson):
    return reverse("rollcall:lesson", args=[lesson.pk])


# --- Today -------------------------------------------------------------------------------


def test_teacher_sees_own_and_substituted_lessons_today_with_marked_counts(
    client, teacher, other_teacher
):
    own = LessonFactory(batch__teacher=teacher, batch__name="Keyboard Sat")
    students = roster(own, 3)
    MarkFactory(lesson=own, student=students[0])
    substituted = LessonFactory(
        batch__teacher=other_teacher, batch__name="Guitar Wed", substitute=teacher
    )
    LessonFactory(batch__teacher=other_teacher, batch__name="Violin Thu")
    LessonFactory(
        batch__teacher=teacher,
        batch__name="Tomorrow's class",
        date=timezone.localdate() + timedelta(days=1),
    )
    client.force_login(teacher)
    response = client.get(TODAY_URL)
    page = response.content.decode()
    assert {lesson.pk for lesson in response.context["lessons"]} == {own.pk, substituted.pk}
    assert "Keyboard Sat" in page and "Guitar Wed" in page
    assert "Violin Thu" not in page and "Tomorrow's class" not in page
    assert "1 of 3 marked" in page
    assert "substituting for Tanvi Two" in page
    assert lesson_url(own) in page


def test_the_office_sees_every_lesson_today(client, office_user, teacher, other_teacher):
    LessonFactory(batch__teacher=teacher, batch__name="Keyboard Sat")
    LessonFactory(batch__teacher=other_teacher, batch__name="Violin Thu")
    client.force_login(office_user)
    page = client.get(TODAY_URL).content.decode()
    assert "Keyboard Sat" in page and "Violin Thu" in page
    assert "Tara Teacher" in page and "Tanvi Two" in page


@pytest.mark.parametrize("lessons", [2, 20])
def test_today_query_budget_does_not_grow(client, teacher, lessons, django_assert_max_num_queries):
    for _ in range(lessons):
        lesson = LessonFactory(batch__teacher=teacher)
        for student in roster(lesson, 3):
            MarkFactory(lesson=lesson, student=student)
    client.force_login(teacher)
    with django_assert_max_num_queries(3):
        response = client.get(TODAY_URL)
    assert len(response.context["lessons"]) == lessons


def test_today_refuses_post(client, teacher):
    client.force_login(teacher)
    assert client.post(TODAY_URL).status_code == 405


# --- The roster --------------------------------------------------------------------------


def test_roster_holds_students_enrolled_on_the_lesson_date_and_guests(client, teacher):
    lesson = LessonFactory(batch__teacher=teacher, date=timezone.localdate())
    day = lesson.date
    current = EnrollmentFactory(batch=lesson.batch, joined_on=day - timedelta(days=30))
    joined_today = EnrollmentFactory(batch=lesson.batch, joined_on=day)
    left_today = EnrollmentFactory(
        batch=lesson.batch, joined_on=day - timedelta(days=30), left_on=day
    )
    left_before = EnrollmentFactory(
        batch=lesson.batch, joined_on=day - timedelta(days=30), left_on=day - timedelta(days=1)
    )
    joins_later = EnrollmentFactory(batch=lesson.batch, joined_on=day + timedelta(days=1))
    inactive = EnrollmentFactory(
        batch=lesson.batch,
        joined_on=day - timedelta(days=30),
        student__user__is_active=False,
    )
    other_batch = EnrollmentFactory(joined_on=day - timedelta(days=30))
    guest = LessonGuestFactory(lesson=lesson, student=StudentFactory(user__full_name="Gauri Guest"))
    client.force_login(teacher)
    response = client.get(lesson_url(lesson))
    on_roster = {row["student"].pk for row in response.context["rows"]}
    assert on_roster == {
        current.student_id,
        joined_today.student_id,
        left_today.student_id,
        guest.student_id,
    }
    for excluded in (left_before, joins_later, inactive, other_batch):
        assert excluded.student_id not in on_roster
    assert "Guest" in response.content.decode()


def test_a_student_who_left_later_is_on_an_old_lesson_roster(client, office_user):
    """History: a past lesson shows the students who were there then."""
    lesson = LessonFactory(date=timezone.localdate() - timedelta(days=10))
    enrolment = EnrollmentFactory(
        batch=lesson.batch,
        joined_on=lesson.date - timedelta(days=30),
        left_on=lesson.date + timedelta(days=5),
        student__joined_on=lesson.date - timedelta(days=30),
        student__left_on=lesson.date + timedelta(days=5),
        student__user__is_active=False,
    )
    client.force_login(office_user)
    response = client.get(lesson_url(lesson))
    assert [row["student"].pk for row in response.context["rows"]] == [enrolment.student_id]


def test_roster_shows_each_mark_with_who_and_when(client, teacher, office_user):
    lesson = LessonFactory(batch__teacher=teacher)
    first, _second = roster(lesson, 2)
    MarkFactory(lesson=lesson, student=first, status=Mark.Status.LATE, marked_by=office_user)
    client.force_login(teacher)
    response = client.get(lesson_url(lesson))
    page = response.content.decode()
    assert '1</span> of <span id="roll-total">2' in page
    assert f'id="mark-{first.pk}-late"' in page
    assert "Omana Office" in page
    assert 'aria-pressed="true"' in page
    assert "Everyone present" in page


def test_another_teachers_lesson_is_not_found(client, teacher, other_teacher):
    lesson = LessonFactory(batch__teacher=other_teacher)
    client.force_login(teacher)
    assert client.get(lesson_url(lesson)).status_code == 404


def test_the_substitute_opens_the_lesson(client, teacher, other_teacher):
    lesson = LessonFactory(batch__teacher=other_teacher, substitute=teacher)
    client.force_login(teacher)
    assert client.get(lesson_url(lesson)).status_code == 200


def test_a_missing_lesson_is_not_found(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("rollcall:lesson", args=[999999])).status_code == 404


def test_cancelled_lesson_shows_why_and_offers_no_buttons(client, teacher):
    lesson = LessonFactory(
        batch__teacher=teacher, status=Lesson.Status.CANCELLED, cancel_reason="Teacher unwell"
    )
    roster(lesson, 2)
    client.force_login(teacher)
    page = client.get(lesson_url(lesson)).content.decode()
    assert "Cancelled: Teacher unwell" in page
    assert "Everyone present" not in page
    assert page.count(" disabled>") == 8


def test_teacher_sees_locked_roster_after_the_edit_window(client, teacher):
    Institute.get()
    lesson = LessonFactory(batch__teacher=teacher, date=timezone.localdate() - timedelta(days=3))
    roster(lesson, 1)
    client.force_login(teacher)
    page = client.get(lesson_url(lesson)).content.decode()
    assert "ask the office to correct them" in page
    assert "Everyone present" not in page


def test_office_after_the_window_is_asked_for_a_reason(client, office_user):
    lesson = LessonFactory(date=timezone.localdate() - timedelta(days=3))
    roster(lesson, 1)
    client.force_login(office_user)
    page = client.get(lesson_url(lesson)).content.decode()
    assert 'id="correction-reason"' in page


@pytest.mark.parametrize("size", [5, 50])
def test_roster_query_budget_does_not_grow(client, teacher, size, django_assert_max_num_queries):
    Institute.get()
    lesson = LessonFactory(batch__teacher=teacher)
    students = roster(lesson, size)
    for student in students[::2]:
        MarkFactory(lesson=lesson, student=student, marked_by=UserFactory(role=Role.TEACHER))
    LessonGuestFactory(lesson=lesson)
    client.force_login(teacher)
    # session, user, lesson, institute, roster, marks, the lesson's notes
    with django_assert_max_num_queries(7):
        response = client.get(lesson_url(lesson))
    assert len(response.context["rows"]) == size + 1


def test_roster_refuses_put(client, teacher):
    lesson = LessonFactory(batch__teacher=teacher)
    client.force_login(teacher)
    assert client.put(lesson_url(lesson)).status_code == 405
