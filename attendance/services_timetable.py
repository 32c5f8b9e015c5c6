"""Timetable and lessons: weekly slots without clashes, dated lessons and their changes.

Every write here runs in a transaction and checks its rules against the rows already
stored (a teacher or a room booked twice at overlapping times, a student in two batches
or lessons at once, a slot outside its term, a lesson on a holiday). A refusal raises
`TimetableError` whose messages name the clash; nothing is stored then.

Serialising writers: on PostgreSQL each write first locks the rows its clashes are
about (the term for slots; the teacher and room for lessons) with SELECT … FOR UPDATE,
so two desks cannot book the same teacher at once; SQLite takes its write lock when the
transaction starts (`transaction_mode = IMMEDIATE`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Institute, Role, Student, User
from attendance.models import (
    Batch,
    Enrollment,
    Holiday,
    Lesson,
    LessonGuest,
    MakeupCredit,
    Mark,
    Room,
    Slot,
    Term,
    Weekday,
)

MINUTES_PER_DAY = 24 * 60
MAX_GENERATION_DAYS = 366
MAX_GUESTS = 30


class TimetableError(ValidationError):
    """A refused timetable or lesson change; `messages` name each clash."""


# --- small helpers ----------------------------------------------------------------------


def minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def ends_at(starts_at: time, duration_minutes: int) -> time:
    total = minutes(starts_at) + duration_minutes
    return time(total // 60 % 24, total % 60)


def overlaps(start_a: time, duration_a: int, start_b: time, duration_b: int) -> bool:
    a, b = minutes(start_a), minutes(start_b)
    return a < b + duration_b and b < a + duration_a


def span(starts_at: time, duration_minutes: int) -> str:
    return f"{starts_at:%H:%M}\u2013{ends_at(starts_at, duration_minutes):%H:%M}"


def day(on: date) -> str:
    return date_format(on, "D j M Y")


def weekday_name(weekday: int) -> str:
    return Weekday(weekday).label


def _check_within_day(starts_at: time, duration_minutes: int) -> None:
    if not 5 <= duration_minutes <= 480:
        raise TimetableError("A lesson lasts between 5 minutes and 8 hours.")
    if minutes(starts_at) + duration_minutes > MINUTES_PER_DAY:
        raise TimetableError(
            f"A lesson starting at {starts_at:%H:%M} for {duration_minutes} minutes would "
            "end after midnight."
        )


def _lock(model, *pks) -> None:
    """SELECT … FOR UPDATE on these rows (PostgreSQL); a no-op on SQLite."""
    pks = [pk for pk in pks if pk is not None]
    if pks:
        list(model.objects.select_for_update().filter(pk__in=pks).values_list("pk", flat=True))


def weekday_dates(starts_on: date, ends_on: date, weekday: int):
    """Every date with this weekday from `starts_on` to `ends_on`, inclusive."""
    first = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    current = first
    while current <= ends_on:
        yield current
        current += timedelta(days=7)


def enrolled_during(start: date, end: date) -> Q:
    """Enrolments open at some point from `start` to `end`."""
    return Q(joined_on__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gte=start))


def enrolled_on(on: date) -> Q:
    return enrolled_during(on, on)


# --- terms and holidays -----------------------------------------------------------------


@transaction.atomic
def save_term(*, term: Term | None = None, name: str, starts_on: date, ends_on: date) -> Term:
    """Create or change a term. Its slots stay; lessons already made are not moved."""
    if ends_on < starts_on:
        raise TimetableError("The term ends before it starts.")
    if Term.objects.filter(name__iexact=name).exclude(pk=term.pk if term else None).exists():
        raise TimetableError(f"There is already a term called “{name}”.")
    term = term or Term()
    term.name, term.starts_on, term.ends_on = name, starts_on, ends_on
    term.save()
    return term


@transaction.atomic
def add_holiday(*, on: date, name: str) -> tuple[Holiday, int]:
    """A day without lessons. Lessons already made for that day are cancelled with the
    holiday's name as the reason (lessons with attendance marks are left alone).

    Returns the holiday and how many lessons were cancelled.
    """
    if Holiday.objects.filter(date=on).exists():
        raise TimetableError(f"{day(on)} is already a holiday.")
    holiday = Holiday.objects.create(date=on, name=name)
    reason = f"Holiday: {name}"[:200]
    lessons = Lesson.objects.filter(date=on, status=Lesson.Status.SCHEDULED).exclude(
        pk__in=Mark.objects.values("lesson_id")
    )
    cancelled = lessons.update(status=Lesson.Status.CANCELLED, cancel_reason=reason)
    return holiday, cancelled


@transaction.atomic
def remove_holiday(*, holiday: Holiday) -> None:
    """Lessons cancelled for the holiday stay cancelled; generate or restore them anew."""
    holiday.delete()


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
    when = f"on {weekday_name(weekday)} at {span(starts_at, duration_minutes)}"
    others = [
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
        ours = Enrollment.objects.filter(
            enrolled_during(term.starts_on, term.ends_on), batch=batch
        ).values("student_id")
        clashing = (
            Enrollment.objects.filter(
                enrolled_during(term.starts_on, term.ends_on),
                batch_id__in=other_batches,
                student_id__in=ours,
            )
            .select_related("student__user", "batch")
            .order_by("student__user__full_name", "batch__name")
        )
        for enrollment in clashing:
            other = other_batches[enrollment.batch_id]
            problems.append(
                f"{enrollment.student.user.full_name} is enrolled in both {batch.name} and "
                f"{enrollment.batch.name}, which meets {weekday_name(weekday)} "
                f"{other_span(other)}."
            )
    return problems


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
    other_batches = Enrollment.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=on), student=student
    ).exclude(batch=batch)
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
    untouched = Lesson.objects.filter(
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
    change = SlotChange(slot=slot)
    if is_active:
        change.lessons_updated = untouched.update(
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


# --- generating lessons -----------------------------------------------------------------


@dataclass
class Generation:
    """What generating lessons for a range of dates does (or would do, for a preview)."""

    date_from: date
    date_to: date
    new: list[Lesson] = field(default_factory=list)
    existing: int = 0
    holidays: int = 0
    created: int = 0

    def by_batch(self):
        """(batch, number of new lessons) for the preview, by batch name."""
        counts: dict[int, list] = {}
        for lesson in self.new:
            entry = counts.setdefault(lesson.batch_id, [lesson.batch, 0])
            entry[1] += 1
        return sorted(counts.values(), key=lambda entry: entry[0].name)


EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def _check_range(date_from: date, date_to: date) -> None:
    if date_from < EARLIEST or date_to > LATEST:
        raise TimetableError("Choose dates between 1900 and 2200.")
    if date_to < date_from:
        raise TimetableError("The end date is before the start date.")
    if (date_to - date_from).days + 1 > MAX_GENERATION_DAYS:
        raise TimetableError(f"Generate at most {MAX_GENERATION_DAYS} days at a time.")


def plan_lessons(*, date_from: date, date_to: date) -> Generation:
    """The lessons the active slots make from `date_from` to `date_to` that do not exist
    yet, skipping holidays and dates outside each slot's term. Nothing is written.

    A lesson exists when its slot already made one for that date (`scheduled_on`), even
    if it was moved to another day or cancelled since.
    """
    _check_range(date_from, date_to)
    plan = Generation(date_from=date_from, date_to=date_to)
    slots = list(
        Slot.objects.filter(
            is_active=True,
            batch__is_active=True,
            term__starts_on__lte=date_to,
            term__ends_on__gte=date_from,
        ).select_related("term", "batch", "room", "teacher")
    )
    holidays = set(
        Holiday.objects.filter(date__range=(date_from, date_to)).values_list("date", flat=True)
    )
    existing = set(
        Lesson.objects.filter(
            slot__in=[slot.pk for slot in slots] if len(slots) < 500 else Slot.objects.all(),
            scheduled_on__range=(date_from, date_to),
        ).values_list("slot_id", "scheduled_on")
    )
    for slot in slots:
        start = max(date_from, slot.term.starts_on)
        end = min(date_to, slot.term.ends_on)
        for on in weekday_dates(start, end, slot.weekday):
            if on in holidays:
                plan.holidays += 1
            elif (slot.pk, on) in existing:
                plan.existing += 1
            else:
                plan.new.append(
                    Lesson(
                        batch=slot.batch,
                        slot=slot,
                        scheduled_on=on,
                        date=on,
                        starts_at=slot.starts_at,
                        duration_minutes=slot.duration_minutes,
                        room=slot.room,
                        teacher=slot.teacher,
                    )
                )
    plan.new.sort(key=lambda lesson: (lesson.date, lesson.starts_at, lesson.batch.name))
    return plan


@transaction.atomic
def generate_lessons(*, date_from: date, date_to: date) -> Generation:
    """Create the lessons `plan_lessons` finds. Running it twice creates nothing twice:
    the plan skips what exists, and the unique (slot, scheduled_on) constraint with
    `ignore_conflicts` absorbs a concurrent run."""
    plan = plan_lessons(date_from=date_from, date_to=date_to)
    before = Lesson.objects.filter(scheduled_on__range=(date_from, date_to)).count()
    Lesson.objects.bulk_create(plan.new, batch_size=1000, ignore_conflicts=True)
    plan.created = Lesson.objects.filter(scheduled_on__range=(date_from, date_to)).count() - before
    return plan


# --- lessons: conflicts on one day ------------------------------------------------------


def roster_student_ids(*, batch: Batch, kind: str, on: date) -> set[int]:
    """Students a lesson of `batch` on `on` is for: the batch's enrolment that day (for a
    regular or an extra lesson). A make-up lesson is for its guests only."""
    if kind == Lesson.Kind.MAKEUP:
        return set()
    return set(
        Enrollment.objects.filter(enrolled_on(on), batch=batch).values_list("student_id", flat=True)
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
        by_pk = {other.pk: other for other in others}
        busy: dict[int, set[int]] = {}
        enrolled = Enrollment.objects.filter(
            enrolled_on(on),
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
    lesson.save(update_fields=["status", "cancel_reason"])
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
    lesson.save(update_fields=["status", "cancel_reason"])
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
    lesson.date, lesson.starts_at, lesson.duration_minutes, lesson.room = (
        on,
        starts_at,
        duration_minutes,
        room,
    )
    lesson.save(update_fields=["date", "starts_at", "duration_minutes", "room"])
    return lesson


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
    lesson.substitute = substitute
    lesson.save(update_fields=["substitute"])
    return lesson


# --- extra and make-up lessons, guests, credits -----------------------------------------


def usable_credit(student: Student, *, on: date, today: date | None = None):
    """The student's unused make-up credit that expires soonest and is still valid on
    `on` (and today), or None."""
    today = today or timezone.localdate()
    return (
        MakeupCredit.objects.filter(
            student=student, used_at__isnull=True, expires_on__gte=max(on, today)
        )
        .order_by("expires_on", "pk")
        .first()
    )


def _check_credit(credit: MakeupCredit, *, student: Student, on: date, today: date) -> None:
    name = student.user.full_name
    if credit.student_id != student.pk:
        raise TimetableError(f"That make-up credit is not {name}'s.")
    if credit.used_at is not None:
        raise TimetableError(
            f"{name}'s make-up credit was already used on "
            f"{day(timezone.localtime(credit.used_at).date())}."
        )
    if credit.expires_on < today:
        raise TimetableError(f"{name}'s make-up credit expired on {day(credit.expires_on)}.")
    if credit.expires_on < on:
        raise TimetableError(
            f"{name}'s make-up credit expires on {day(credit.expires_on)}, before the "
            f"lesson on {day(on)}."
        )


def _book_guest(
    *,
    lesson: Lesson,
    student: Student,
    makeup: bool,
    credit: MakeupCredit | None,
    today: date,
) -> LessonGuest:
    """Add a student to a lesson (spending a make-up credit when `makeup`)."""
    spent = None
    if makeup:
        if credit is None:
            credit = usable_credit(student, on=lesson.date, today=today)
            if credit is None:
                latest = (
                    MakeupCredit.objects.filter(student=student, used_at__isnull=True)
                    .order_by("-expires_on")
                    .first()
                )
                if latest is not None:
                    raise TimetableError(
                        f"{student.user.full_name}'s make-up credit expires on "
                        f"{day(latest.expires_on)}: it cannot be used for a lesson on "
                        f"{day(lesson.date)}."
                        if latest.expires_on >= today
                        else f"{student.user.full_name}'s make-up credit expired on "
                        f"{day(latest.expires_on)}."
                    )
                raise TimetableError(f"{student.user.full_name} has no make-up credit to use.")
        else:
            _lock(MakeupCredit, credit.pk)
            credit.refresh_from_db(fields=["used_at", "expires_on", "student"])
            _check_credit(credit, student=student, on=lesson.date, today=today)
        spent = credit
        updated = MakeupCredit.objects.filter(pk=credit.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not updated:  # used by someone else between our read and our write
            raise TimetableError(f"{student.user.full_name}'s make-up credit was just used.")
    return LessonGuest.objects.create(lesson=lesson, student=student, makeup_credit=spent)


@transaction.atomic
def add_guest(
    *,
    lesson: Lesson,
    student: Student,
    makeup: bool = False,
    credit: MakeupCredit | None = None,
    today: date | None = None,
) -> LessonGuest:
    """Add one student to a lesson beyond its batch's roster: as a make-up (spending one
    credit: the given one, or the soonest to expire) or as an extra.

    Refused when the lesson is cancelled or over, the student is inactive, already on the
    lesson, or busy in another lesson at that time; or the credit is used or expired.
    """
    today = today or timezone.localdate()
    lesson = _locked_lesson(lesson)
    student = Student.objects.select_related("user").get(pk=student.pk)
    name = student.user.full_name
    if lesson.is_cancelled:
        raise TimetableError("The lesson is cancelled.")
    if lesson.date < today:
        raise TimetableError(f"The lesson on {day(lesson.date)} is over.")
    if not student.user.is_active:
        raise TimetableError(f"{name} has left the institute.")
    on_roster = roster_student_ids(batch=lesson.batch, kind=lesson.kind, on=lesson.date)
    already_guest = LessonGuest.objects.filter(lesson=lesson, student=student).exists()
    if student.pk in on_roster or already_guest:
        raise TimetableError(f"{name} is already on this lesson.")
    problems = lesson_clashes(
        on=lesson.date,
        starts_at=lesson.starts_at,
        duration_minutes=lesson.duration_minutes,
        teacher=None,
        room=None,
        student_ids={student.pk},
        exclude=lesson,
        holiday=False,
    )
    if problems:
        raise TimetableError(problems)
    return _book_guest(lesson=lesson, student=student, makeup=makeup, credit=credit, today=today)


@transaction.atomic
def create_lesson(
    *,
    kind: str,
    batch: Batch,
    on: date,
    starts_at: time,
    duration_minutes: int,
    room: Room | None,
    teacher: User,
    guests: list[Student] = (),
    today: date | None = None,
) -> Lesson:
    """An extra lesson (for the batch's roster, plus any guests) or a make-up lesson (for
    its guests only, each spending one make-up credit), checked like a moved lesson."""
    today = today or timezone.localdate()
    if kind not in (Lesson.Kind.EXTRA, Lesson.Kind.MAKEUP):
        raise TimetableError("Choose an extra or a make-up lesson.")
    _check_within_day(starts_at, duration_minutes)
    _lock(User, teacher.pk)
    _lock(Room, room.pk if room else None)
    if on < today:
        raise TimetableError(f"{day(on)} is in the past.")
    if teacher.role != Role.TEACHER or not teacher.is_active:
        raise TimetableError(f"{teacher.full_name} is not an active teacher.")
    if not batch.is_active:
        raise TimetableError(f"{batch.name} is no longer active.")
    guests = list(guests)
    if len(guests) > MAX_GUESTS:
        raise TimetableError(f"At most {MAX_GUESTS} guests.")
    if kind == Lesson.Kind.MAKEUP and not guests:
        raise TimetableError("A make-up lesson needs at least one student.")
    roster = roster_student_ids(batch=batch, kind=kind, on=on)
    students = roster | {guest.pk for guest in guests}
    problems = lesson_clashes(
        on=on,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        teacher=teacher,
        room=room,
        student_ids=students,
    )
    for guest in guests:
        if guest.pk in roster:
            problems.append(f"{guest.user.full_name} is already in {batch.name}.")
    if problems:
        raise TimetableError(problems)
    lesson = Lesson.objects.create(
        batch=batch,
        kind=kind,
        scheduled_on=on,
        date=on,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        room=room,
        teacher=teacher,
    )
    for guest in guests:
        _book_guest(
            lesson=lesson,
            student=guest,
            makeup=kind == Lesson.Kind.MAKEUP,
            credit=None,
            today=today,
        )
    return lesson


@transaction.atomic
def grant_makeup_credit(mark: Mark, *, institute: Institute | None = None) -> MakeupCredit | None:
    """Keep a mark's make-up credit in step with it; call after saving a mark.

    An "excused" mark (absent with notice) earns one credit, valid for the institute's
    `makeup_expiry_days` after the lesson; calling again changes nothing. A mark changed
    away from "excused" takes back its credit while it is unused and unbooked (a used
    or booked credit stays: the make-up lesson happened, or is planned). A guest's
    absence (at an extra or make-up lesson) earns nothing: the lesson was itself a
    make-up, and a credit for missing it would mint credits from nothing.

    The one implementation of the rule: roll call (`services_rollcall.record_mark`)
    calls it for every mark that becomes or stops being excused.
    """
    if mark.status != Mark.Status.EXCUSED:
        MakeupCredit.objects.filter(
            earned_for=mark, used_at__isnull=True, booking__isnull=True
        ).delete()
        return MakeupCredit.objects.filter(earned_for=mark).first()
    if LessonGuest.objects.filter(lesson_id=mark.lesson_id, student_id=mark.student_id).exists():
        return None
    if Mark.lesson.is_cached(mark):
        lesson_date = mark.lesson.date
    else:
        lesson_date = Lesson.objects.values_list("date", flat=True).get(pk=mark.lesson_id)
    expiry = (institute or Institute.get()).makeup_expiry_days
    credit, _created = MakeupCredit.objects.get_or_create(
        earned_for=mark,
        defaults={
            "student_id": mark.student_id,
            "expires_on": lesson_date + timedelta(days=expiry),
        },
    )
    return credit


# --- calendar feed ----------------------------------------------------------------------


def feed_for(user: User):
    """The user's calendar feed, made on first use."""
    from attendance.models import CalendarFeed

    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def reset_feed(*, user: User):
    """A new secret address for the user's feed; the old one answers 404 from now on."""
    feed = feed_for(user)
    feed.reset()
    return feed


def lesson_datetimes(lesson: Lesson) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(lesson.date, lesson.starts_at, tzinfo=tz)
    return start, start + timedelta(minutes=lesson.duration_minutes)
