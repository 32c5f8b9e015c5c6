"""Families read the notes at `/teaching/notes/`; the office on the student's page.

A student reads the batch notes of lessons they were on the roster of and the notes
addressed to them, never another student's note; a guardian reads each linked child's."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import LessonNote
from tests.accounts.test_people_links import BUDGET_STUDENT
from tests.attendance.teaching.notes_helpers import HTMX
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    GuardianshipFactory,
    LessonFactory,
    LessonGuestFactory,
    MarkFactory,
    StudentFactory,
)

pytestmark = pytest.mark.dates

MINE = reverse("notes:mine")


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def note(lesson, *, student=None, covered="", practice=""):
    return LessonNote.objects.create(
        lesson=lesson,
        student=student,
        covered=covered,
        practice=practice,
        written_by_id=lesson.teacher_id,
    )


@pytest.fixture
def keyboard(teacher):
    return BatchFactory(teacher=teacher, name="Keyboard Sat")


@pytest.fixture
def pupil(student, keyboard):
    """The `student` fixture's profile, in the keyboard batch for the last 20 days."""
    profile = student.student
    EnrollmentFactory(student=profile, batch=keyboard, joined_on=days_ago(20))
    return profile


@pytest.fixture
def classmate(other_student, keyboard):
    profile = other_student.student
    EnrollmentFactory(student=profile, batch=keyboard, joined_on=days_ago(60))
    return profile


@pytest.fixture
def notes(keyboard, pupil, classmate):
    """Notes the pupil may read, and notes they must never see."""
    before = LessonFactory(batch=keyboard, date=days_ago(30))
    older = LessonFactory(batch=keyboard, date=days_ago(10))
    latest = LessonFactory(batch=keyboard, date=days_ago(3))
    guest_lesson = LessonFactory(batch__name="Guitar Wed", date=days_ago(5))
    LessonGuestFactory(lesson=guest_lesson, student=pupil)
    other_guitar = LessonFactory(batch=guest_lesson.batch, date=days_ago(12))
    note(before, covered="BEFORE-JOINING", practice="OLD-PRACTICE")
    note(older, covered="Scales in C", practice="OLDER-PRACTICE")
    note(latest, covered="Second section", practice="NEWEST-PRACTICE")
    note(older, student=pupil, covered="PUPIL-OWN-NOTE")
    note(older, student=classmate, covered="CLASSMATE-PRIVATE", practice="CLASSMATE-PRACTICE")
    note(guest_lesson, covered="GUEST-LESSON-NOTE")
    note(other_guitar, covered="NOT-A-GUEST-THEN")
    note(LessonFactory(date=days_ago(2)), covered="ANOTHER-BATCH")


SEEN = ["Scales in C", "Second section", "NEWEST-PRACTICE", "PUPIL-OWN-NOTE", "GUEST-LESSON-NOTE"]
NEVER = [
    "BEFORE-JOINING",
    "CLASSMATE-PRIVATE",
    "CLASSMATE-PRACTICE",
    "NOT-A-GUEST-THEN",
    "ANOTHER-BATCH",
]


def test_a_student_reads_their_notes_and_no_one_elses(client, student, notes):
    client.force_login(student)
    page = client.get(MINE).content.decode()
    for text in SEEN:
        assert text in page, text
    for text in NEVER:
        assert text not in page, text
    assert "My practice" in page


def test_the_classmate_reads_their_own_note_not_the_pupils(client, other_student, notes):
    client.force_login(other_student)
    page = client.get(MINE).content.decode()
    assert "CLASSMATE-PRIVATE" in page and "BEFORE-JOINING" in page
    assert "PUPIL-OWN-NOTE" not in page and "GUEST-LESSON-NOTE" not in page


def test_a_guardian_reads_the_childs_notes_and_not_another_family_s(
    client, guardian, notes, classmate
):
    client.force_login(guardian)
    page = client.get(MINE).content.decode()
    for text in SEEN:
        assert text in page, text
    for text in NEVER:
        assert text not in page, text
    # Asking for another family's child shows the guardian's own child instead.
    page = client.get(MINE, {"student": classmate.pk}).content.decode()
    assert "CLASSMATE-PRIVATE" not in page and "PUPIL-OWN-NOTE" in page


def test_a_guardian_of_two_picks_each_child(client, guardian, notes, keyboard):
    sibling = StudentFactory(user__full_name="Aditya Nair", user__email=None)
    GuardianshipFactory(student=sibling, guardian=guardian)
    EnrollmentFactory(student=sibling, batch=keyboard, joined_on=days_ago(40))
    note(LessonFactory(batch=keyboard, date=days_ago(10)), student=sibling, covered="SIBLING")
    client.force_login(guardian)
    page = client.get(MINE, {"student": sibling.pk}).content.decode()
    assert "Practice: Aditya Nair" in page and 'aria-current="page"' in page
    assert "SIBLING" in page and "BEFORE-JOINING" in page and "PUPIL-OWN-NOTE" not in page


def test_practise_this_week_is_the_latest_practice_per_batch(client, student, notes):
    client.force_login(student)
    response = client.get(MINE)
    practice = response.context["practice"]
    assert [(item.lesson.batch.name, item.batch_note.practice) for item in practice] == [
        ("Keyboard Sat", "NEWEST-PRACTICE")
    ]
    top = response.content.decode().split('id="notes-heading"')[0]
    assert "NEWEST-PRACTICE" in top and "OLDER-PRACTICE" not in top


def test_a_personal_practice_shows_beside_the_batch_practice(client, student, pupil, keyboard):
    lesson = LessonFactory(batch=keyboard, date=days_ago(1))
    note(lesson, practice="Batch practice")
    note(lesson, student=pupil, practice="Your own practice")
    client.force_login(student)
    [item] = client.get(MINE).context["practice"]
    assert (item.batch_note.practice, item.own_note.practice) == (
        "Batch practice",
        "Your own practice",
    )


def test_newest_first_and_paginated(client, student, pupil, keyboard):
    for n in range(25):
        note(LessonFactory(batch=keyboard, date=days_ago(n % 19)), covered=f"Lesson {n}")
    client.force_login(student)
    first = client.get(MINE)
    rows = first.context["page"].rows
    assert len(rows) == 20 and first.context["page"].has_next
    assert [r.lesson.date for r in rows] == sorted((r.lesson.date for r in rows), reverse=True)
    assert "Older" in first.content.decode()
    second = client.get(MINE, {"page": 2, "student": pupil.pk}, **HTMX)
    assert len(second.context["page"].rows) == 5
    body = second.content.decode()
    assert body.lstrip().startswith('<div id="notes">') and "<html" not in body


def test_a_family_with_no_notes_sees_a_sentence(client, guardian, pupil):
    client.force_login(guardian)
    page = client.get(MINE).content.decode()
    assert "No lesson notes yet." in page and "No practice set" in page


@pytest.mark.parametrize("size", [1, 12])
def test_the_family_page_costs_the_same_at_any_size(
    client, guardian, pupil, size, django_assert_max_num_queries
):
    for n in range(size):
        batch = BatchFactory()
        EnrollmentFactory(student=pupil, batch=batch, joined_on=days_ago(40))
        for day in (2, 9, 16):
            lesson = LessonFactory(batch=batch, date=days_ago(day + n % 3))
            note(lesson, covered="c", practice="p")
            note(lesson, student=pupil, covered="own", practice="own p")
            MarkFactory(lesson=lesson, student=pupil)
    client.force_login(guardian)
    # session, user, children, practice, a page of notes
    with django_assert_max_num_queries(5):
        response = client.get(MINE)
    assert len(response.context["practice"]) == size


@pytest.mark.parametrize("size", [1, 12])
def test_the_office_sees_a_students_latest_notes_at_a_fixed_cost(
    client, office_user, pupil, notes, keyboard, size, django_assert_max_num_queries
):
    for n in range(size):
        note(LessonFactory(batch=keyboard, date=days_ago(n % 15)), covered=f"Extra {n}")
    client.force_login(office_user)
    # The student page's own budget (tests/accounts/test_people_links.py), notes included.
    with django_assert_max_num_queries(BUDGET_STUDENT):
        response = client.get(reverse("people:student_detail", args=[pupil.pk]))
    page = response.content.decode()
    shown = response.context["lesson_notes"]
    assert len(shown) == 5 and 'id="lesson-notes-heading"' in page
    assert shown[0].covered in page
    assert not {n.covered for n in shown} & set(NEVER)
