"""Writing lesson notes: who may, until when, and one note per (lesson, student or batch).

Rules (tested in tests/attendance/teaching/test_notes_services.py):

- Exactly who may mark the lesson may write its notes, exactly while they may mark it
  (`rollcall.services.check_may_mark`: the lesson's teacher or substitute within the
  edit window, the office and the admin always; never a cancelled or future lesson).
- A student's note is only for a student on the lesson's roster (`roster_queryset`).
- Each text holds at most NOTE_MAX_CHARS characters ("a page"); longer is refused with
  a sentence and nothing is stored (the database refuses it too).
- Saving is an upsert: one note per key, never two (database constraints). A save
  carries when its text was written (the tablet's clock, as a mark's tap does); a save
  older than the stored text (a late resend from the offline queue) changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Institute, Student, User
from attendance.models import Lesson
from attendance.rollcall.services import (
    MarkRefused,
    check_may_mark,
    earliest_tap_time,
    roster_queryset,
)
from attendance.teaching.notes.models import NOTE_MAX_CHARS, LessonNote

FIELDS = {"covered": "What the lesson covered", "practice": "The practice"}


@dataclass(frozen=True)
class NoteOutcome:
    note: LessonNote
    # "created", "changed", "unchanged" (the same text again) or "stale" (an older save).
    result: str


def clean_text(value: str | None) -> str:
    """The text as stored: line ends as one character (a browser sends CR LF), no NUL
    characters (PostgreSQL refuses them in text), no surrounding blanks."""
    text = (value or "").replace("\x00", "")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def check_lengths(*, covered: str, practice: str) -> None:
    for name, text in (("covered", covered), ("practice", practice)):
        if len(text) > NOTE_MAX_CHARS:
            raise ValidationError(
                f"{FIELDS[name]} is {len(text):,} characters long; a note holds at most "
                f"{NOTE_MAX_CHARS:,} (about a page). Nothing was saved: shorten it.",
                code="too_long",
            )


def check_may_write(lesson: Lesson, *, by: User, institute: Institute, now: datetime) -> None:
    """Refuse (ValidationError) notes on this lesson by `by` now: the roll call's rule."""
    try:
        check_may_mark(lesson, by=by, institute=institute, now=now)
    except MarkRefused as refusal:
        message = refusal.message.replace("Marks for", "Notes and marks for").replace(
            "mark it", "write its notes"
        )
        raise ValidationError(message, code="locked") from refusal


def _roster_student(lesson: Lesson, student_id: int | None) -> Student | None:
    if student_id is None:
        return None
    student = roster_queryset(lesson).filter(pk=student_id).first()
    if student is None:
        raise ValidationError(
            "That student is not on this lesson's roster: nothing was saved.", code="roster"
        )
    return student


def _insert(*, lesson, student, covered, practice, by, at, now) -> LessonNote:
    # In a savepoint: a unique violation (another tablet was faster) leaves the
    # transaction usable for the update that follows.
    with transaction.atomic():
        return LessonNote.objects.create(
            lesson=lesson,
            student=student,
            covered=covered,
            practice=practice,
            written_by=by,
            written_at=at,
            updated_at=now,
        )


@transaction.atomic
def save_note(
    *,
    lesson: Lesson,
    student_id: int | None,
    covered: str,
    practice: str,
    by: User,
    at: datetime | None = None,
    institute: Institute | None = None,
    now: datetime | None = None,
) -> NoteOutcome:
    """Store the note of `lesson` for the student `student_id` (None: the whole batch),
    written by `by` at `at` (the tablet's time on the server's clock).

    Refused with a ValidationError (nothing stored) for a text over a page, a student not
    on the roster, a lesson `by` may not mark now, or a new note with no text at all.
    """
    now = now or timezone.now()
    # Never later than its arrival, never before its lesson began (as a mark's tap).
    at = max(min(at or now, now), earliest_tap_time(lesson, now=now))
    institute = institute or Institute.get()
    covered, practice = clean_text(covered), clean_text(practice)
    check_lengths(covered=covered, practice=practice)
    check_may_write(lesson, by=by, institute=institute, now=now)
    student = _roster_student(lesson, student_id)

    notes = LessonNote.objects.select_related("written_by").select_for_update(of=("self",))
    note = notes.filter(lesson=lesson, student=student).first()
    if note is None:
        if not (covered or practice):
            raise ValidationError(
                "Write what the lesson covered or the practice: nothing was saved.",
                code="empty",
            )
        fields = dict(covered=covered, practice=practice, by=by, at=at, now=now)
        try:
            note = _insert(lesson=lesson, student=student, **fields)
        except IntegrityError:
            # Another request stored this note a moment ago: treat ours as an update.
            note = notes.get(lesson=lesson, student=student)
        else:
            return NoteOutcome(note, "created")
    note.lesson, note.student = lesson, student
    if note.written_at > at:
        return NoteOutcome(note, "stale")
    if (note.covered, note.practice) == (covered, practice):
        return NoteOutcome(note, "unchanged")
    note.covered, note.practice = covered, practice
    note.written_by, note.written_at, note.updated_at = by, at, now
    note.save(update_fields=["covered", "practice", "written_by", "written_at", "updated_at"])
    return NoteOutcome(note, "changed")
