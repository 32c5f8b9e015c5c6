"""Weekly slots without clashes: a teacher or a room booked twice at overlapping times,
a student in two batches at once, a slot outside its term. A refusal raises
`TimetableError` whose messages name the clash; nothing is stored then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, Student, User
from attendance.models import (
    Batch,
    Enrollment,
    Lesson,
    LessonGuest,
    Mark,
    Room,
    Slot,
    Term,
)
from attendance.timetable.base import (
    TimetableError,
    _check_within_day,
    _lock,
    day,
    overlaps,
    span,
    weekday_dates,
    weekday_name,
)
from musicbeats.enrolment import not_ended_by, open_during

# --- weekly slots -----------------------------------------------------------------------


def slot_clashes(
    *,
    term: Term,
    batch: Batch,
    weekday: int,
    starts_at: time,
    duration_minutes: int,
    room: Room | None,
    teacher: User,
    exclude: Slot | None = None,
    today: date | None = None,
) -> list[str]:
    """Every reason this weekly slot cannot be kept, each naming the clash (empty: fine).

    Slots clash only with active slots of terms whose dates overlap this one.
    """
    today = today or timezone.localdate()
    problems = []
    if term.ends_on < today:
        problems.append(
            f"The term {term.name} ended on {day(term.ends_on)}: its timetable can no "
            "longer change."
        )
    if next(weekday_dates(term.starts_on, term.ends_on, weekday), None) is None:
        problems.append(
            f"There is no {weekday_name(weekday)} in the term {term.name} "
            f"({day(term.starts_on)} to {day(term.ends_on)})."
        )
    if teacher.role != Role.TEACHER or not teacher.is_active:
        problems.append(f"{teacher.full_name} is not an active teacher.")
    others = _overlapping_slots(term, weekday, starts_at, duration_minutes, exclude)
    when = f"on {weekday_name(weekday)} at {span(starts_at, duration_minutes)}"
    for other in others:
        other_when = f"{other.batch.name} ({weekday_name(weekday)} {other_span(other)})"
        if other.batch_id == batch.pk:
            problems.append(f"{batch.name} already meets {when}: {other_when}.")
        if other.teacher_id == teacher.pk:
            problems.append(f"Teacher {teacher.full_name} is already booked {when}: {other_when}.")
        if room is not None and other.room_id == room.pk:
            problems.append(f"Room {room.name} is already booked {when}: {other_when}.")
    other_batches = {other.batch_id: other for other in others if other.batch_id != batch.pk}
    if other_batches:
        problems += _student_clashes(term, batch, weekday, other_batches)
    return problems


def _overlapping_slots(term, weekday, starts_at, duration_minutes, exclude) -> list[Slot]:
    """Active slots on `weekday`, in terms overlapping `term`, whose times overlap."""
    return [
        other
        for other in Slot.objects.filter(
            is_active=True,
            weekday=weekday,
            term__starts_on__lte=term.ends_on,
            term__ends_on__gte=term.starts_on,
        )
        .exclude(pk=exclude.pk if exclude else None)
        .select_related("batch", "room", "teacher", "term")
        .order_by("starts_at", "pk")
        if overlaps(starts_at, duration_minutes, other.starts_at, other.duration_minutes)
    ]


def _student_clashes(term, batch, weekday, other_batches: dict) -> list[str]:
    """A student of `batch` (during `term`) also enrolled in one of `other_batches`
    ({batch id: its overlapping slot}), each named."""
    ours = Enrollment.objects.filter(open_during(term.starts_on, term.ends_on), batch=batch).values(
        "student_id"
    )
    clashing = (
        Enrollment.objects.filter(
            open_during(term.starts_on, term.ends_on),
            batch_id__in=other_batches,
            student_id__in=ours,
        )
        .select_related("student__user", "batch")
        .order_by("student__user__full_name", "batch__name")
    )
    return [
        f"{enrollment.student.user.full_name} is enrolled in both {batch.name} and "
        f"{enrollment.batch.name}, which meets {weekday_name(weekday)} "
        f"{other_span(other_batches[enrollment.batch_id])}."
        for enrollment in clashing
    ]


def enrollment_clashes(*, student: Student, batch: Batch, on: date | None = None) -> list[str]:
    """Why enrolling `student` in `batch` would put them in two places at once: the
    batch's active slots (in terms not over by `on`) that overlap the slots of the other
    batches the student is enrolled in. For the enrolment service to call before it
    enrols; empty when there is no clash."""
    on = on or timezone.localdate()
    ours = list(
        Slot.objects.filter(batch=batch, is_active=True, term__ends_on__gte=on).select_related(
            "term"
        )
    )
    if not ours:
        return []
    other_batches = Enrollment.objects.filter(not_ended_by(on), student=student).exclude(
        batch=batch
    )
    theirs = Slot.objects.filter(
        is_active=True,
        term__ends_on__gte=on,
        batch_id__in=other_batches.values("batch_id"),
        weekday__in={slot.weekday for slot in ours},
    ).select_related("batch", "term")
    name = User.objects.values_list("full_name", flat=True).get(pk=student.pk)
    problems = []
    for other in theirs:
        for slot in ours:
            terms_overlap = (
                slot.term.starts_on <= other.term.ends_on
                and other.term.starts_on <= slot.term.ends_on
            )
            if (
                slot.weekday == other.weekday
                and terms_overlap
                and overlaps(
                    slot.starts_at, slot.duration_minutes, other.starts_at, other.duration_minutes
                )
            ):
                problems.append(
                    f"{name} is enrolled in {other.batch.name}, which meets "
                    f"{weekday_name(other.weekday)} {other_span(other)}, when {batch.name} "
                    f"meets ({span(slot.starts_at, slot.duration_minutes)})."
                )
    return problems


def other_span(slot_or_lesson) -> str:
    return span(slot_or_lesson.starts_at, slot_or_lesson.duration_minutes)


@transaction.atomic
def create_slot(
    *,
    term: Term,
    batch: Batch,
    weekday: int,
    starts_at: time,
    duration_minutes: int,
    room: Room | None,
    teacher: User,
) -> Slot:
    """A weekly slot of `batch`, refused (TimetableError naming each clash) if it clashes."""
    _check_within_day(starts_at, duration_minutes)
    _lock(Term, term.pk)
    if not batch.is_active:
        raise TimetableError(f"{batch.name} is no longer active.")
    problems = slot_clashes(
        term=term,
        batch=batch,
        weekday=weekday,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        room=room,
        teacher=teacher,
    )
    if problems:
        raise TimetableError(problems)
    return Slot.objects.create(
        term=term,
        batch=batch,
        weekday=weekday,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        room=room,
        teacher=teacher,
    )


@dataclass
class SlotChange:
    slot: Slot
    lessons_updated: int = 0
    lessons_removed: int = 0
    lessons_kept: int = 0


def _untouched_lessons(slot: Slot, today: date):
    """The slot's future lessons still as it made them (not moved, cancelled or given to
    a substitute by hand)."""
    return Lesson.objects.filter(
        slot=slot,
        date__gt=today,
        status=Lesson.Status.SCHEDULED,
        date=F("scheduled_on"),
        starts_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        room=slot.room,
        teacher=slot.teacher,
        substitute__isnull=True,
    )


@transaction.atomic
def update_slot(
    *,
    slot: Slot,
    starts_at: time,
    duration_minutes: int,
    room: Room | None,
    teacher: User,
    is_active: bool,
    today: date | None = None,
) -> SlotChange:
    """Change a slot's time, room or teacher, or (de)activate it.

    Its future lessons follow (from tomorrow): those still as the slot made them take the
    new time, room and teacher; when the slot is deactivated they are removed, except
    lessons that already have marks or guests, which stay as they are. A lesson moved or
    given to a substitute by hand keeps that change. The weekday and term stay: to meet
    on another day, deactivate this slot and add another.
    """
    today = today or timezone.localdate()
    _check_within_day(starts_at, duration_minutes)
    _lock(Term, slot.term_id)
    slot = Slot.objects.select_related("term", "batch", "room", "teacher").get(pk=slot.pk)
    if is_active:
        problems = slot_clashes(
            term=slot.term,
            batch=slot.batch,
            weekday=slot.weekday,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            room=room,
            teacher=teacher,
            exclude=slot,
            today=today,
        )
        if problems:
            raise TimetableError(problems)
    elif slot.term.ends_on < today:
        raise TimetableError(
            f"The term {slot.term.name} ended on {day(slot.term.ends_on)}: its timetable can "
            "no longer change."
        )
    change = SlotChange(slot=slot)
    if is_active:
        change.lessons_updated = _untouched_lessons(slot, today).update(
            starts_at=starts_at, duration_minutes=duration_minutes, room=room, teacher=teacher
        )
    else:
        future = Lesson.objects.filter(slot=slot, date__gt=today)
        removable = future.exclude(pk__in=Mark.objects.values("lesson_id")).exclude(
            pk__in=LessonGuest.objects.values("lesson_id")
        )
        change.lessons_removed, _ = removable.delete()
        change.lessons_kept = future.count()
    slot.starts_at, slot.duration_minutes = starts_at, duration_minutes
    slot.room, slot.teacher, slot.is_active = room, teacher, is_active
    slot.save()
    return change
