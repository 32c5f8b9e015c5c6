"""Extra and make-up lessons, guests, and make-up credits earned by excused absences."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Institute, Role, Student, User
from attendance.models import (
    Batch,
    Lesson,
    LessonGuest,
    MakeupCredit,
    Mark,
    Room,
)
from attendance.timetable.base import MAX_GUESTS, TimetableError, _check_within_day, _lock, day
from attendance.timetable.lessons import _locked_lesson, lesson_clashes, roster_student_ids

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


def _refuse_new_lesson(*, kind, batch, on, teacher, guests, today) -> None:
    """The refusals a new lesson meets before its clashes are looked for."""
    if on < today:
        raise TimetableError(f"{day(on)} is in the past.")
    if teacher.role != Role.TEACHER or not teacher.is_active:
        raise TimetableError(f"{teacher.full_name} is not an active teacher.")
    if not batch.is_active:
        raise TimetableError(f"{batch.name} is no longer active.")
    if len(guests) > MAX_GUESTS:
        raise TimetableError(f"At most {MAX_GUESTS} guests.")
    if kind == Lesson.Kind.MAKEUP and not guests:
        raise TimetableError("A make-up lesson needs at least one student.")


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
    guests = list(guests)
    _refuse_new_lesson(kind=kind, batch=batch, on=on, teacher=teacher, guests=guests, today=today)
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

    The one implementation of the rule: roll call (`rollcall.services.record_mark`)
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
