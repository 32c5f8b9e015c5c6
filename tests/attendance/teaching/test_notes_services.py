"""Writing lesson notes (attendance/teaching/notes/services.py): one note per key, the
newest text wins, a page at most, roster and edit window as for marks."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Institute, Role
from attendance.models import Lesson, LessonNote
from attendance.teaching.notes.services import save_note
from tests.attendance.teaching.notes_helpers import lesson_that_ended
from tests.factories import LessonFactory, LessonGuestFactory, StudentFactory, UserFactory, roster

pytestmark = pytest.mark.dates

PAGE = 2000


@pytest.fixture
def lesson(teacher):
    return LessonFactory(batch__teacher=teacher)


@pytest.fixture
def pupil(lesson):
    return roster(lesson, 1, user__full_name="Kavya Nair")[0]


def write(lesson, by, *, student=None, covered="", practice="", **kwargs):
    return save_note(
        lesson=lesson,
        student_id=student.pk if student else None,
        covered=covered,
        practice=practice,
        by=by,
        **kwargs,
    )


def test_a_batch_note_is_stored_and_saving_again_updates_the_one_note(lesson, teacher):
    first = write(lesson, teacher, covered="Scales in C", practice="Scales daily")
    assert first.result == "created"
    again = write(lesson, teacher, covered="Scales in C and G", practice="Scales daily")
    assert again.result == "changed"
    note = LessonNote.objects.get()
    assert (note.student_id, note.covered, note.practice) == (
        None,
        "Scales in C and G",
        "Scales daily",
    )
    assert write(lesson, teacher, covered="Scales in C and G", practice="Scales daily").result == (
        "unchanged"
    )
    assert LessonNote.objects.count() == 1


def test_a_student_note_is_kept_beside_the_batch_note(lesson, teacher, pupil):
    write(lesson, teacher, covered="Scales")
    write(lesson, teacher, student=pupil, covered="Thumb under, slowly")
    write(lesson, teacher, student=pupil, practice="C major, hands apart")
    notes = {n.student_id: n for n in LessonNote.objects.all()}
    assert set(notes) == {None, pupil.pk}
    assert (notes[pupil.pk].covered, notes[pupil.pk].practice) == ("", "C major, hands apart")


def test_a_late_resend_never_overwrites_a_newer_save(lesson, teacher):
    now = timezone.now()
    write(lesson, teacher, covered="newer text", at=now, now=now)
    # The offline queue's older save arrives afterwards.
    late = write(
        lesson,
        teacher,
        covered="older text",
        at=now - timedelta(seconds=40),
        now=now + timedelta(seconds=5),
    )
    assert late.result == "stale"
    assert LessonNote.objects.get().covered == "newer text"


def test_a_note_of_a_page_is_kept_and_longer_is_refused_with_nothing_stored(lesson, teacher):
    write(lesson, teacher, covered="a" * PAGE, practice="b" * PAGE)
    for field in ("covered", "practice"):
        with pytest.raises(ValidationError, match="2,001 characters long; a note holds at most"):
            write(lesson, teacher, **{field: "x" * (PAGE + 1)})
    note = LessonNote.objects.get()
    assert (len(note.covered), len(note.practice)) == (PAGE, PAGE)


def test_line_ends_count_as_one_character(lesson, teacher):
    text = "ab\r\n" * 500  # 2,000 characters as the browser sends them, 1,499 as stored
    write(lesson, teacher, covered=text)
    assert LessonNote.objects.get().covered == ("ab\n" * 500).strip()


def test_nul_characters_are_dropped(lesson, teacher):
    write(lesson, teacher, covered="Sca\x00les")
    assert LessonNote.objects.get().covered == "Scales"


def test_a_new_note_with_no_text_is_refused(lesson, teacher):
    with pytest.raises(ValidationError, match="Write what the lesson covered"):
        write(lesson, teacher, covered="  ", practice="\n")
    assert not LessonNote.objects.exists()


def test_a_student_not_on_the_roster_is_refused(lesson, teacher):
    stranger = StudentFactory()
    with pytest.raises(ValidationError, match="not on this lesson's roster"):
        write(lesson, teacher, student=stranger, covered="Hello")
    assert not LessonNote.objects.exists()


def test_a_guest_may_have_a_note(lesson, teacher):
    guest = LessonGuestFactory(lesson=lesson).student
    write(lesson, teacher, student=guest, covered="Welcome")
    assert LessonNote.objects.get().student_id == guest.pk


def test_a_teacher_after_the_edit_window_is_refused_the_office_is_not(teacher, office_user):
    Institute.get()
    lesson = lesson_that_ended(25, batch__teacher=teacher)
    with pytest.raises(ValidationError, match="closed at"):
        write(lesson, teacher, covered="Late")
    assert not LessonNote.objects.exists()
    write(lesson, office_user, covered="Added by the office")
    assert LessonNote.objects.get().written_by_id == office_user.pk


def test_a_teacher_within_the_edit_window_may_still_edit(teacher):
    lesson = lesson_that_ended(23, batch__teacher=teacher)
    write(lesson, teacher, covered="Within the window")
    assert LessonNote.objects.exists()


def test_a_cancelled_or_future_lesson_takes_no_notes(teacher):
    cancelled = LessonFactory(
        batch__teacher=teacher, status=Lesson.Status.CANCELLED, cancel_reason="Rain"
    )
    future = LessonFactory(batch__teacher=teacher, date=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="cancelled"):
        write(cancelled, teacher, covered="x")
    with pytest.raises(ValidationError, match="write its notes on the day"):
        write(future, teacher, covered="x")
    assert not LessonNote.objects.exists()


def test_another_teacher_may_not_write(lesson, other_teacher):
    with pytest.raises(ValidationError, match="Only the lesson's teacher"):
        write(lesson, other_teacher, covered="x")
    assert not LessonNote.objects.exists()


def test_the_substitute_may_write(lesson):
    substitute = UserFactory(role=Role.TEACHER)
    Lesson.objects.filter(pk=lesson.pk).update(substitute=substitute)
    lesson.refresh_from_db()
    write(lesson, substitute, covered="Taken by the substitute")
    assert LessonNote.objects.get().written_by_id == substitute.pk


# --- The database holds the rules on its own -----------------------------------------------


def test_the_database_keeps_one_batch_note_per_lesson(lesson, teacher):
    LessonNote.objects.create(lesson=lesson, covered="one", written_by=teacher)
    with pytest.raises(IntegrityError), transaction.atomic():
        LessonNote.objects.create(lesson=lesson, covered="two", written_by=teacher)


def test_the_database_keeps_one_note_per_student(lesson, teacher, pupil):
    LessonNote.objects.create(lesson=lesson, student=pupil, covered="one", written_by=teacher)
    with pytest.raises(IntegrityError), transaction.atomic():
        LessonNote.objects.create(lesson=lesson, student=pupil, covered="two", written_by=teacher)


def test_the_database_refuses_a_note_longer_than_a_page(lesson, teacher):
    with pytest.raises(IntegrityError), transaction.atomic():
        LessonNote.objects.create(lesson=lesson, covered="x" * (PAGE + 1), written_by=teacher)
