"""Reading lesson notes: the roll call's notes, and what one student may read.

A student reads the batch notes of lessons they were on the roster of (enrolled in the
batch on the lesson's day, a guest, or marked: `rollcall.services.roster_queryset`'s
rule, here for many lessons at once in SQL) and the notes addressed to them; never
another student's note. Each function is one query whatever the number of notes.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from attendance.models import Enrollment, Lesson, LessonGuest, Mark
from attendance.teaching.notes.models import LessonNote
from musicbeats.enrolment import open_on

PER_PAGE = 20


def notes_of_lesson(lesson: Lesson) -> dict[int | None, LessonNote]:
    """The lesson's notes by student id (None: the batch note). One query."""
    notes = LessonNote.objects.filter(lesson=lesson).select_related("written_by")
    return {note.student_id: note for note in notes}


def visible_to(student_id: int) -> Q:
    """The notes `student_id` may read (see the module's docstring)."""
    on_roster = (
        (
            Q(
                lesson__batch_id__in=Enrollment.objects.filter(student_id=student_id).values(
                    "batch_id"
                )
            )
            & Exists(
                Enrollment.objects.filter(
                    open_on(OuterRef("lesson__date")),
                    student_id=student_id,
                    batch_id=OuterRef("lesson__batch_id"),
                )
            )
        )
        | Q(lesson_id__in=LessonGuest.objects.filter(student_id=student_id).values("lesson_id"))
        | Q(lesson_id__in=Mark.objects.filter(student_id=student_id).values("lesson_id"))
    )
    return Q(student_id=student_id) | (Q(student__isnull=True) & on_roster)


def _readable(student_id: int) -> QuerySet[LessonNote]:
    return (
        LessonNote.objects.filter(visible_to(student_id))
        .exclude(covered="", practice="")
        .select_related("lesson__batch", "lesson__teacher", "lesson__substitute")
    )


def notes_for_student(student_id: int) -> QuerySet[LessonNote]:
    """The notes `student_id` may read, newest lesson first (the batch's note before the
    student's own of the same lesson)."""
    return _readable(student_id).order_by(
        "-lesson__date", "-lesson__starts_at", F("student_id").asc(nulls_first=True), "-pk"
    )


@dataclass(frozen=True)
class Practice:
    """The current practice of one batch: its latest lesson with a practice."""

    lesson: Lesson
    batch_note: LessonNote | None
    own_note: LessonNote | None


def practice_now(student_id: int, *, today: date) -> list[Practice]:
    """Per batch the student is in today, the practice of the latest lesson (up to today)
    that set one, for the batch or for them. One query."""
    current = Enrollment.objects.filter(open_on(today), student_id=student_id)
    with_practice = (
        _readable(student_id)
        .exclude(practice="")
        .filter(lesson__batch_id__in=current.values("batch_id"), lesson__date__lte=today)
    )
    latest = (
        with_practice.filter(lesson__batch_id=OuterRef("lesson__batch_id"))
        .order_by("-lesson__date", "-lesson__starts_at", "-lesson_id")
        .values("lesson_id")[:1]
    )
    notes = with_practice.filter(lesson_id=Subquery(latest)).order_by(
        "lesson__batch__name", "lesson__batch_id", F("student_id").asc(nulls_first=True)
    )
    found: dict[int, Practice] = {}
    for note in notes:
        was = found.get(note.lesson_id)
        batch_note = note if note.student_id is None else (was and was.batch_note)
        own_note = note if note.student_id is not None else (was and was.own_note)
        found[note.lesson_id] = Practice(note.lesson, batch_note or None, own_note or None)
    return list(found.values())


@dataclass(frozen=True)
class Page:
    """A page of notes without counting them all: one row more says there is a next."""

    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1


def page_of(queryset: QuerySet, number: int) -> Page:
    offset = (number - 1) * PER_PAGE
    rows = list(queryset[offset : offset + PER_PAGE + 1])
    return Page(rows=rows[:PER_PAGE], number=number, has_next=len(rows) > PER_PAGE)
