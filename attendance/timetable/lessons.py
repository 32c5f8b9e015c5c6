"""Dated lessons: conflicts on one day and their changes (cancel, restore, move, substitute).

Every write here runs in a transaction and checks its rules against the rows already
stored (a teacher, room or student booked twice at once, a lesson on a holiday). A refusal
raises `TimetableError` whose messages name the clash; nothing is stored then.
"""

from __future__ import annotations

from datetime import date, time

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from attendance.models import (
    Batch,
    Enrollment,
    Holiday,
    Lesson,
    LessonGuest,
    Mark,
    Room,
)
from attendance.timetable import notices
from attendance.timetable.base import (
    TimetableError,
    _check_within_day,
    _lock,
    day,
    overlaps,
    span,
)
from attendance.timetable.slots import other_span
from musicbeats.enrolment import open_on

# --- lessons: conflicts on one day ------------------------------------------------------


def roster_student_ids(*, batch: Batch, kind: str, on: date) -> set[int]:
    """Students a lesson of `batch` on `on` is for: the batch's enrolment that day (for a
    regular or an extra lesson). A make-up lesson is for its guests only."""
    if kind == Lesson.Kind.MAKEUP:
        return set()
    return set(
        Enrollment.objects.filter(open_on(on), batch=batch).values_list("student_id", flat=True)
    )


def lesson_clashes(
    *,
    on: date,
    starts_at: time,
    duration_minutes: int,
    teacher: User | None,
    room: Room | None,
    student_ids: set[int],
    exclude: Lesson | None = None,
    holiday: bool = True,
) -> list[str]:
    """Every clash of a lesson on `on` with the other (not cancelled) lessons that day,
    and the holiday it falls on (unless `holiday=False`). `None` for the teacher or room
    leaves that check out.

    `teacher` is whoever gives the lesson (the substitute, if there is one); another
    lesson keeps its own teacher busy unless it has a substitute.
    """
    problems = []
    if holiday:
        that_day = Holiday.objects.filter(date=on).first()
        if that_day is not None:
            problems.append(f"{day(on)} is a holiday ({that_day.name}).")
    when = f"on {day(on)} at {span(starts_at, duration_minutes)}"
    others = [
        other
        for other in Lesson.objects.filter(date=on, status=Lesson.Status.SCHEDULED)
        .exclude(pk=exclude.pk if exclude else None)
        .select_related("batch", "room", "teacher", "substitute")
        .order_by("starts_at", "pk")
        if overlaps(starts_at, duration_minutes, other.starts_at, other.duration_minutes)
    ]
    for other in others:
        other_when = f"{other.batch.name} ({other_span(other)})"
        giver = other.substitute or other.teacher
        if teacher is not None and giver.pk == teacher.pk:
            problems.append(
                f"Teacher {teacher.full_name} is already teaching {when}: {other_when}."
            )
        if room is not None and other.room_id == room.pk:
            problems.append(f"Room {room.name} is already booked {when}: {other_when}.")
    if others and student_ids:
        problems += _busy_students(others, on=on, when=when, student_ids=student_ids)
    return problems


def _busy_students(others: list[Lesson], *, on: date, when: str, student_ids) -> list[str]:
    """Each of `student_ids` already in one of the overlapping lessons `others` (through
    an enrolment, or as a guest), named."""
    problems = []
    by_pk = {other.pk: other for other in others}
    busy: dict[int, set[int]] = {}
    enrolled = Enrollment.objects.filter(
        open_on(on),
        student_id__in=student_ids,
        batch_id__in={other.batch_id for other in others if other.kind != Lesson.Kind.MAKEUP},
    ).values_list("student_id", "batch_id")
    for student_id, batch_id in enrolled:
        for other in others:
            if other.batch_id == batch_id and other.kind != Lesson.Kind.MAKEUP:
                busy.setdefault(student_id, set()).add(other.pk)
    guests = LessonGuest.objects.filter(
        lesson_id__in=by_pk, student_id__in=student_ids
    ).values_list("student_id", "lesson_id")
    for student_id, lesson_id in guests:
        busy.setdefault(student_id, set()).add(lesson_id)
    names = dict(
        User.objects.filter(pk__in=busy).values_list("pk", "full_name")
    )  # Student's primary key is its user's.
    for student_id in sorted(busy, key=lambda pk: names.get(pk, "")):
        for lesson_pk in sorted(busy[student_id]):
            other = by_pk[lesson_pk]
            problems.append(
                f"{names.get(student_id, student_id)} is already in "
                f"{other.batch.name} {when} ({other_span(other)})."
            )
    return problems


def _lesson_students(lesson: Lesson, *, on: date | None = None) -> set[int]:
    """The lesson's roster (on `on`, when it moves there) and its guests."""
    students = roster_student_ids(batch=lesson.batch, kind=lesson.kind, on=on or lesson.date)
    students.update(LessonGuest.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    return students


def _locked_lesson(lesson: Lesson) -> Lesson:
    _lock(Lesson, lesson.pk)
    return Lesson.objects.select_related("batch", "room", "teacher", "substitute").get(pk=lesson.pk)


def _refuse_if_marked(lesson: Lesson, action: str) -> None:
    if Mark.objects.filter(lesson=lesson).exists():
        raise TimetableError(
            f"The lesson on {day(lesson.date)} already has attendance marks: it cannot be {action}."
        )


# --- lessons: changes -------------------------------------------------------------------


@transaction.atomic
def cancel_lesson(*, lesson: Lesson, reason: str) -> Lesson:
    """Cancel a lesson with a reason. A lesson with attendance marks cannot be cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise TimetableError("Say why the lesson is cancelled.")
    if len(reason) > 200:
        raise TimetableError("Keep the reason under 200 characters.")
    lesson = _locked_lesson(lesson)
    if lesson.is_cancelled:
        raise TimetableError("This lesson is already cancelled.")
    _refuse_if_marked(lesson, "cancelled")
    lesson.status, lesson.cancel_reason = Lesson.Status.CANCELLED, reason
    _save_change(lesson, "status", "cancel_reason")
    notices.after_commit(lesson, change=notices.CANCELLED)
    return lesson


@transaction.atomic
def restore_lesson(*, lesson: Lesson) -> Lesson:
    """Undo a cancellation, if the lesson's time is still free."""
    lesson = _locked_lesson(lesson)
    if not lesson.is_cancelled:
        raise TimetableError("This lesson is not cancelled.")
    problems = lesson_clashes(
        on=lesson.date,
        starts_at=lesson.starts_at,
        duration_minutes=lesson.duration_minutes,
        teacher=lesson.substitute or lesson.teacher,
        room=lesson.room,
        student_ids=_lesson_students(lesson),
        exclude=lesson,
    )
    if problems:
        raise TimetableError(problems)
    lesson.status, lesson.cancel_reason = Lesson.Status.SCHEDULED, ""
    _save_change(lesson, "status", "cancel_reason")
    notices.after_commit(lesson, change=notices.RESTORED)
    return lesson


@transaction.atomic
def move_lesson(
    *,
    lesson: Lesson,
    on: date,
    starts_at: time,
    duration_minutes: int,
    room: Room | None,
    today: date | None = None,
) -> Lesson:
    """Move a lesson to another date, time or room, checked again against that day's
    other lessons (teacher, room, students) and holidays. Its `scheduled_on` stays, so
    generating lessons again does not bring it back on the old date."""
    today = today or timezone.localdate()
    _check_within_day(starts_at, duration_minutes)
    lesson = _locked_lesson(lesson)
    _lock(Room, room.pk if room else None)
    if lesson.is_cancelled:
        raise TimetableError("A cancelled lesson cannot be moved; restore it first.")
    _refuse_if_marked(lesson, "moved")
    if on < today:
        raise TimetableError(f"{day(on)} is in the past: move lessons to today or later.")
    problems = lesson_clashes(
        on=on,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        teacher=lesson.substitute or lesson.teacher,
        room=room,
        student_ids=_lesson_students(lesson, on=on),
        exclude=lesson,
    )
    if problems:
        raise TimetableError(problems)
    before = (lesson.date, lesson.starts_at)
    if (on, starts_at, duration_minutes, room) == (*before, lesson.duration_minutes, lesson.room):
        return lesson  # the same place again: nothing changed, nobody is told twice
    _remember_first_place(lesson, on=on, starts_at=starts_at)
    lesson.date, lesson.starts_at, lesson.duration_minutes, lesson.room = (
        on,
        starts_at,
        duration_minutes,
        room,
    )
    _save_change(
        lesson,
        "date",
        "starts_at",
        "duration_minutes",
        "room",
        "moved_from_date",
        "moved_from_time",
    )
    notices.after_commit(lesson, change=notices.MOVED, before=before)
    return lesson


def _remember_first_place(lesson: Lesson, *, on: date, starts_at: time) -> None:
    """Keep where the lesson was before its first move; forget it when the lesson goes
    back there (it is then not moved at all)."""
    if lesson.moved_from_date is None and (on, starts_at) != (lesson.date, lesson.starts_at):
        lesson.moved_from_date, lesson.moved_from_time = lesson.date, lesson.starts_at
    elif (on, starts_at) == (lesson.moved_from_date, lesson.moved_from_time):
        lesson.moved_from_date = lesson.moved_from_time = None


@transaction.atomic
def set_substitute(*, lesson: Lesson, substitute: User | None) -> Lesson:
    """Give the lesson to a substitute teacher (None: back to its own teacher). The
    substitute must be an active teacher who is free at that time."""
    lesson = _locked_lesson(lesson)
    if lesson.is_cancelled:
        raise TimetableError("A cancelled lesson needs no substitute.")
    if substitute is not None:
        _lock(User, substitute.pk)
        if substitute.role != Role.TEACHER or not substitute.is_active:
            raise TimetableError(f"{substitute.full_name} is not an active teacher.")
        if substitute.pk == lesson.teacher_id:
            raise TimetableError(
                f"{substitute.full_name} is the lesson's own teacher: choose someone else, "
                "or remove the substitute."
            )
        problems = lesson_clashes(
            on=lesson.date,
            starts_at=lesson.starts_at,
            duration_minutes=lesson.duration_minutes,
            teacher=substitute,
            room=None,
            student_ids=set(),
            exclude=lesson,
            holiday=False,
        )
        if problems:
            raise TimetableError(problems)
    if lesson.substitute_id == (substitute.pk if substitute else None):
        return lesson  # the same teacher again: nothing changed, nobody is told twice
    previous = lesson.substitute
    lesson.substitute = substitute
    _save_change(lesson, "substitute")
    notices.after_commit(lesson, change=notices.SUBSTITUTED, previous_substitute=previous)
    return lesson


def _save_change(lesson: Lesson, *fields: str) -> None:
    """Save a change and raise the lesson's version: open edit forms become stale, and
    the version names this change in the notices' event keys (a later change of the
    same kind, a second move, is told again; the same change never twice)."""
    lesson.version += 1
    lesson.save(update_fields=[*fields, "version"])
