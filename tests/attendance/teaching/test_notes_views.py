"""Writing notes from the roll call: `/teaching/notes/lessons/<id>/` and the roll call page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Institute, Role
from attendance.models import Lesson, LessonNote
from tests.attendance.teaching.notes_helpers import (
    HTMX,
    lesson_that_ended,
    notes_url,
    post_note,
    roll_url,
)
from tests.factories import LessonFactory, StudentFactory, UserFactory, roster

pytestmark = pytest.mark.dates


@pytest.fixture
def lesson(teacher):
    return LessonFactory(batch__teacher=teacher, batch__name="Keyboard Sat")


@pytest.fixture
def pupil(lesson):
    return roster(lesson, 1, user__full_name="Kavya Nair")[0]


def test_an_htmx_save_answers_with_the_saved_form(client, teacher, lesson):
    client.force_login(teacher)
    response = post_note(client, lesson, covered="Scales in C", practice="Scales daily")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<form id="note-form-batch"')
    saved = timezone.localtime(LessonNote.objects.get().updated_at)
    assert f"✓ Saved {saved:%H:%M}" in page
    assert "Scales in C" in page and "Scales daily" in page
    assert "<html" not in page


def test_a_student_note_answers_with_that_students_form(client, teacher, lesson, pupil):
    client.force_login(teacher)
    response = post_note(client, lesson, student=pupil, covered="Thumb under")
    page = response.content.decode()
    assert page.lstrip().startswith(f'<form id="note-form-{pupil.pk}"')
    assert "Note for Kavya Nair" in page and "Thumb under" in page
    assert LessonNote.objects.get().student_id == pupil.pk


def test_a_plain_post_saves_and_returns_to_the_roll_call(client, teacher, lesson, pupil):
    client.force_login(teacher)
    response = post_note(client, lesson, student=pupil, htmx=False, practice="Bars 9-12")
    assert response.status_code == 302
    assert response["Location"] == f"{roll_url(lesson)}#note-{pupil.pk}"
    assert LessonNote.objects.get().practice == "Bars 9-12"


def test_saving_twice_keeps_one_note(client, teacher, lesson):
    client.force_login(teacher)
    post_note(client, lesson, covered="first")
    post_note(client, lesson, covered="second")
    assert list(LessonNote.objects.values_list("covered", flat=True)) == ["second"]


def test_an_old_resend_keeps_the_newer_text(client, teacher, lesson):
    client.force_login(teacher)
    post_note(client, lesson, covered="newer")
    # Written 60 s before it was sent (the tablet's clock): older than the stored text.
    response = post_note(
        client, lesson, covered="older", written_at="1700000000000", sent_at="1700000060000"
    )
    assert response.status_code == 200
    assert "newer" in response.content.decode()
    assert LessonNote.objects.get().covered == "newer"


# --- Bad input: a clear sentence, nothing stored ---------------------------------------------


def test_too_long_is_refused_with_a_sentence(client, teacher, lesson):
    client.force_login(teacher)
    response = post_note(client, lesson, covered="x" * 2001)
    assert response.status_code == 422
    assert "2,001 characters long" in response.content.decode()
    assert not LessonNote.objects.exists()


def test_too_long_without_javascript_says_so_on_the_roll_call(client, teacher, lesson):
    client.force_login(teacher)
    response = post_note(client, lesson, htmx=False, practice="x" * 2500, follow=True)
    assert response.status_code == 200
    assert "2,500 characters long" in response.content.decode()
    assert not LessonNote.objects.exists()


def test_a_student_not_on_the_roster_is_refused(client, teacher, lesson):
    client.force_login(teacher)
    response = post_note(client, lesson, student=StudentFactory(), covered="Hello")
    assert response.status_code == 422
    assert "not on this lesson's roster" in response.content.decode()
    assert not LessonNote.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"student": "abc"},
        {"student": "-4"},
        {"written_at": "NaN", "sent_at": "1"},
        {"written_at": "1700000000000"},
    ],
)
def test_malformed_fields_are_a_400(client, teacher, lesson, fields):
    client.force_login(teacher)
    response = client.post(notes_url(lesson), {"covered": "x", **fields}, **HTMX)
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert not LessonNote.objects.exists()


def test_a_locked_lesson_refuses_the_teacher(client, teacher):
    Institute.get()
    lesson = lesson_that_ended(30, batch__teacher=teacher)
    client.force_login(teacher)
    response = post_note(client, lesson, covered="late")
    assert response.status_code == 403
    assert "closed at" in response.content.decode()
    assert not LessonNote.objects.exists()


def test_another_teachers_lesson_is_404(client, other_teacher, lesson):
    client.force_login(other_teacher)
    assert post_note(client, lesson, covered="x").status_code == 404
    assert not LessonNote.objects.exists()


@pytest.mark.parametrize("role", [Role.STUDENT, Role.GUARDIAN])
def test_families_may_not_write(client, users_by_role, role, lesson):
    client.force_login(users_by_role[role])
    assert post_note(client, lesson, covered="x").status_code == 403
    assert not LessonNote.objects.exists()


@pytest.mark.parametrize("who", ["admin_user", "office_user"])
def test_the_office_and_admin_may_write_on_any_lesson(client, request, who, lesson):
    client.force_login(request.getfixturevalue(who))
    assert post_note(client, lesson, covered="From the office").status_code == 200
    assert LessonNote.objects.get().written_by_id == request.getfixturevalue(who).pk


def test_the_substitute_may_write(client, lesson):
    substitute = UserFactory(role=Role.TEACHER)
    Lesson.objects.filter(pk=lesson.pk).update(substitute=substitute)
    client.force_login(substitute)
    assert post_note(client, lesson, covered="Taken by the substitute").status_code == 200


# --- The roll call shows the notes ----------------------------------------------------------


def test_the_roll_call_shows_the_notes_and_a_note_button_per_student(
    client, teacher, lesson, pupil
):
    LessonNote.objects.create(lesson=lesson, covered="Scales", practice="Daily", written_by=teacher)
    LessonNote.objects.create(lesson=lesson, student=pupil, covered="Thumb", written_by=teacher)
    client.force_login(teacher)
    page = client.get(roll_url(lesson)).content.decode()
    assert 'id="lesson-notes"' in page and 'id="note-form-batch"' in page
    assert f'href="#note-{pupil.pk}"' in page and 'aria-label="Note for Kavya Nair"' in page
    assert f'id="note-form-{pupil.pk}"' in page
    assert "Scales" in page and "Daily" in page and "Thumb" in page
    assert "js/lesson_notes.js" in page


def test_a_locked_roll_call_shows_the_notes_read_only(client, teacher):
    lesson = lesson_that_ended(30, batch__teacher=teacher)
    LessonNote.objects.create(lesson=lesson, covered="Scales", written_by=teacher)
    client.force_login(teacher)
    page = client.get(roll_url(lesson)).content.decode()
    assert "Scales" in page
    assert 'id="note-save-batch"' not in page
    assert "disabled" in page.split('id="note-form-batch"')[1].split("</form>")[0]


def test_a_cancelled_lesson_shows_no_notes_form(client, teacher):
    lesson = LessonFactory(
        batch__teacher=teacher, status=Lesson.Status.CANCELLED, cancel_reason="Rain"
    )
    client.force_login(teacher)
    assert 'id="lesson-notes"' not in client.get(roll_url(lesson)).content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_the_roll_call_with_notes_costs_the_same_at_any_size(
    client, teacher, size, django_assert_max_num_queries
):
    Institute.get()
    lesson = LessonFactory(batch__teacher=teacher)
    students = roster(lesson, size)
    LessonNote.objects.create(lesson=lesson, covered="Scales", written_by=teacher)
    for student in students[::2]:
        LessonNote.objects.create(lesson=lesson, student=student, covered="x", written_by=teacher)
    client.force_login(teacher)
    # session, user, lesson, institute, roster, marks, the lesson's notes
    with django_assert_max_num_queries(7):
        response = client.get(roll_url(lesson))
    assert len(response.context["student_entries"]) == size


@pytest.mark.parametrize("size", [1, 30])
def test_a_save_costs_the_same_at_any_roster_size(
    client, teacher, size, django_assert_max_num_queries
):
    Institute.get()
    lesson = LessonFactory(batch__teacher=teacher)
    students = roster(lesson, size)
    for student in students[1:]:
        LessonNote.objects.create(lesson=lesson, student=student, covered="x", written_by=teacher)
    client.force_login(teacher)
    # session, user, lesson, institute, the roster check, the note (locked), the insert,
    # two savepoints and their releases
    with django_assert_max_num_queries(11):
        assert post_note(client, lesson, student=students[0], covered="x").status_code == 200
    with django_assert_max_num_queries(11):
        assert post_note(client, lesson, student=students[0], covered="y").status_code == 200


def test_the_future_lesson_is_refused_on_the_roll_call_page_too(client, teacher):
    lesson = LessonFactory(batch__teacher=teacher, date=timezone.localdate() + timedelta(days=2))
    client.force_login(teacher)
    response = post_note(client, lesson, covered="x")
    assert response.status_code == 403
    assert "on the day" in response.content.decode()
