"""Roll call: who may mark a lesson, until when, and recording a mark exactly once.

Rules (tested in tests/attendance/test_marks*.py):

- Only the lesson's teacher, its substitute, the office and the admin mark a lesson.
  Views answer 404 to other teachers (they may not know the lesson exists) and 403 to
  students and guardians; the services check again and refuse with `MarkRefused`.
- A cancelled lesson, or a lesson on a later day than today, takes no marks. A lesson
  later today may be marked (teachers take the roll as the class starts).
- Only students on the roster (see `roster_queryset`) can be marked.
- A teacher writes marks until `Institute.mark_edit_hours` after the lesson's end (the
  server's clock when the mark arrives); after that only the office and the admin can,
  and changing an existing mark then needs a reason, kept as a `MarkCorrection`.
- One mark per (lesson, student), a database constraint. Recording is an upsert: sending
  the same tap twice changes nothing, and a tap older than the stored mark (a retry that
  arrives after a newer tap) is ignored, so the last tap wins.
- A mark that becomes "excused" earns one make-up credit (a guest's does not); a mark
  that stops being excused loses its credit unless the credit was already used or
  booked. The rule is `timetable.makeups.grant_makeup_credit`.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import STAFF_ROLES, Institute, Student, User
from attendance.models import Enrollment, Lesson, LessonGuest, Mark, MarkCorrection
from attendance.timetable.makeups import grant_makeup_credit
from musicbeats.enrolment import open_on

# A tap's age as the tablet reports it is trusted up to this much (a tablet offline for
# a week is not plausible; a larger value is a broken clock).
MAX_TAP_AGE = timedelta(days=7)
# A tablet's clock reading (milliseconds since 1970) is accepted from 1970 to the last
# millisecond of the year 9999, the largest time Python holds: a tablet's clock may be
# years off (only the difference of two readings counts), but not outside that.
MAX_CLOCK_MS = 253_402_300_799_999


class MarkRefused(Exception):
    """A mark that may not be stored, with a message for the person and an HTTP status."""

    def __init__(self, message: str, *, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class MarkOutcome:
    mark: Mark
    # "created", "changed", "unchanged" (same status again) or "stale" (an older tap).
    result: str


def lesson_starts_at(lesson: Lesson) -> datetime:
    return timezone.make_aware(datetime.combine(lesson.date, lesson.starts_at))


def earliest_tap_time(lesson: Lesson, *, now: datetime) -> datetime:
    """The earliest time a tap on `lesson` that reaches the server at `now` may carry.

    A tap is never dated before its lesson began: a tablet's reported age (up to
    MAX_TAP_AGE, a week) is clamped to the start, so a broken or hostile clock cannot
    date a mark days before its lesson. Clamping, not refusing: the tap itself is real
    (often sent late from the offline queue) and refusing it would lose a mark that no
    retry could ever store. The one exception is a tap that reaches the server before
    the lesson starts (the roll is taken as students arrive, which `check_may_mark`
    allows): the server saw it happen before the start, and its age still counts back to
    the start of the lesson's day, so that an old retry of such a tap stays older than a
    newer tap (clamping both to one time would let the retry win).
    """
    start = lesson_starts_at(lesson)
    if now >= start:
        return start
    return timezone.make_aware(datetime.combine(lesson.date, time.min))


def lesson_ends_at(lesson: Lesson) -> datetime:
    return lesson_starts_at(lesson) + timedelta(minutes=lesson.duration_minutes)


def edit_window_closes_at(lesson: Lesson, institute: Institute) -> datetime:
    return lesson_ends_at(lesson) + timedelta(hours=institute.mark_edit_hours)


def teaches(user: User, lesson: Lesson) -> bool:
    return user.pk in (lesson.teacher_id, lesson.substitute_id)


def may_take_roll(user: User, lesson: Lesson) -> bool:
    return user.role in STAFF_ROLES or teaches(user, lesson)


def roster_queryset(lesson: Lesson) -> QuerySet[Student]:
    """The students of a lesson: enrolled in its batch on its date (and not yet gone then:
    an active student, or one who left later), its guests, and anyone already marked
    (so a mark never disappears from the page that shows it). Ordered by name; each
    with `is_guest`."""
    on = lesson.date
    enrolled = Enrollment.objects.filter(open_on(on), batch_id=lesson.batch_id)
    guests = LessonGuest.objects.filter(lesson_id=lesson.pk)
    marked = Mark.objects.filter(lesson_id=lesson.pk)
    there_then = Q(user__is_active=True) | Q(left_on__gte=on)
    return (
        Student.objects.filter(
            (Q(pk__in=enrolled.values("student_id")) & there_then)
            | Q(pk__in=guests.values("student_id"))
            | Q(pk__in=marked.values("student_id"))
        )
        .annotate(is_guest=Exists(guests.filter(student_id=OuterRef("pk"))))
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )


def check_may_mark(lesson: Lesson, *, by: User, institute: Institute, now: datetime) -> None:
    """Refuse (MarkRefused) a mark on this lesson by `by` now, whatever the student."""
    if not may_take_roll(by, lesson):
        raise MarkRefused("Only the lesson's teacher and the office can mark it.", status=403)
    if lesson.is_cancelled:
        raise MarkRefused("This lesson was cancelled: it takes no marks.", status=409)
    if lesson.date > timezone.localdate(now):
        raise MarkRefused(
            f"This lesson is on {lesson.date:%-d %b %Y}: mark it on the day.", status=409
        )
    if by.role not in STAFF_ROLES and now > edit_window_closes_at(lesson, institute):
        closed = timezone.localtime(edit_window_closes_at(lesson, institute))
        raise MarkRefused(
            f"Marks for this lesson closed at {closed:%-d %b %H:%M}; ask the office to "
            "correct them.",
            status=403,
        )


def read_tap_clock(*, tapped_at: str | None, sent_at: str | None) -> tuple[int | None, int | None]:
    """The tablet's two clock readings as sent (strings of milliseconds since 1970), or
    (None, None) when the tap carries none (a plain form post).

    Refused with a 400 when they are not whole milliseconds from 1970 to the year 9999
    (negative, NaN, 1e20, a year-99999 clock) or when only one of them is sent: a
    tablet that sends such a time is broken, and guessing would store a wrong time.
    """
    if not tapped_at and not sent_at:
        return None, None
    readings = []
    for value in (tapped_at, sent_at):
        text = (value or "").strip()
        number = int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None
        if number is None or number > MAX_CLOCK_MS:
            raise MarkRefused(
                f"The tap's time ({(value or 'missing')[:30]}) is not a time: nothing was "
                "saved. Reload the page and tap again.",
                status=400,
            )
        readings.append(number)
    return readings[0], readings[1]


def tap_time(*, now: datetime, tapped_at_ms: int | None, sent_at_ms: int | None) -> datetime:
    """When the tap happened, on the server's clock.

    The tablet sends two readings of its own clock: when the person tapped and when
    this request left. Their difference is the tap's age whatever the tablet's clock
    says, so a tablet set to the wrong time still orders its taps correctly against
    marks made elsewhere.
    """
    if tapped_at_ms is None or sent_at_ms is None:
        return now
    age = timedelta(milliseconds=max(0, sent_at_ms - tapped_at_ms))
    return now - min(age, MAX_TAP_AGE)


def _excused_changed(mark: Mark, *, old_status: str | None, institute: Institute) -> None:
    if Mark.Status.EXCUSED in (mark.status, old_status) and mark.status != old_status:
        grant_makeup_credit(mark, institute=institute)


def _insert_mark(*, lesson, student, status, by, at) -> Mark:
    # In a savepoint: a unique violation (another tablet was faster) leaves the
    # transaction usable for the update that follows.
    with transaction.atomic():
        return Mark.objects.create(
            lesson=lesson, student=student, status=status, marked_by=by, marked_at=at
        )


@transaction.atomic
def record_mark(
    *,
    lesson: Lesson,
    student: Student,
    status: str,
    by: User,
    at: datetime | None = None,
    reason: str = "",
    institute: Institute | None = None,
    now: datetime | None = None,
) -> MarkOutcome:
    """Store `status` for `student` at `lesson`, made by `by` at `at` (the tap's time).

    `student` must come from `roster_queryset(lesson)` (the caller looks it up there, in
    the same query that fetches the name it shows). Idempotent: the same mark again
    changes nothing; a tap older than the stored mark is ignored ("stale").
    """
    now = now or timezone.now()
    # Never later than its arrival, never before its lesson began (earliest_tap_time).
    at = max(min(at or now, now), earliest_tap_time(lesson, now=now))
    institute = institute or Institute.get()
    if status not in Mark.Status.values:
        raise MarkRefused("Choose present, absent, late or excused.")
    check_may_mark(lesson, by=by, institute=institute, now=now)
    reason = reason.strip()

    marks = Mark.objects.select_for_update(of=("self",)).select_related("marked_by")
    mark = marks.filter(lesson=lesson, student=student).first()
    if mark is None:
        try:
            mark = _insert_mark(lesson=lesson, student=student, status=status, by=by, at=at)
        except IntegrityError:
            # Another request stored this mark a moment ago: treat ours as an update.
            mark = marks.get(lesson=lesson, student=student)
        else:
            _excused_changed(mark, old_status=None, institute=institute)
            return MarkOutcome(mark, "created")

    mark.lesson = lesson
    if mark.marked_at > at:
        return MarkOutcome(mark, "stale")
    if mark.status == status:
        return MarkOutcome(mark, "unchanged")
    _change_mark(mark, status=status, by=by, at=at, reason=reason, institute=institute, now=now)
    return MarkOutcome(mark, "changed")


def _change_mark(mark: Mark, *, status, by, at, reason, institute, now) -> None:
    """Store a new status on a stored mark; after the teacher's edit window, only with a
    reason, kept as a `MarkCorrection`."""
    correcting = now > edit_window_closes_at(mark.lesson, institute)
    if correcting and not reason:
        raise MarkRefused(
            "The teacher's edit window has closed: give a reason to correct this mark."
        )
    old_status = mark.status
    mark.status = status
    mark.marked_by = by
    mark.marked_at = at
    mark.save(update_fields=["status", "marked_by", "marked_at"])
    if correcting:
        MarkCorrection.objects.create(
            mark=mark,
            old_status=old_status,
            new_status=status,
            reason=reason[:200],
            corrected_by=by,
            corrected_at=now,
        )
    _excused_changed(mark, old_status=old_status, institute=institute)


@transaction.atomic
def mark_everyone_present(
    *, lesson: Lesson, by: User, institute: Institute | None = None, now: datetime | None = None
) -> int:
    """Mark every student on the roster who has no mark yet as present; marks already
    there stay as they are. Returns how many marks were made. Costs the same handful of
    queries whatever the roster's size (one bulk insert, one bulk history insert)."""
    from simple_history.utils import bulk_create_with_history

    now = now or timezone.now()
    institute = institute or Institute.get()
    check_may_mark(lesson, by=by, institute=institute, now=now)
    unmarked = roster_queryset(lesson).exclude(marks__lesson=lesson).values_list("pk", flat=True)
    marks = [
        Mark(lesson=lesson, student_id=pk, status=Mark.Status.PRESENT, marked_by=by, marked_at=now)
        for pk in unmarked
    ]
    if not marks:
        return 0
    try:
        with transaction.atomic():
            bulk_create_with_history(marks, Mark, default_user=by, default_date=now)
    except IntegrityError:
        # A tap for one of them landed in between: leave that one as it is.
        taken = set(Mark.objects.filter(lesson=lesson).values_list("student_id", flat=True))
        marks = [mark for mark in marks if mark.student_id not in taken]
        for mark in marks:
            mark.pk = None
        bulk_create_with_history(marks, Mark, default_user=by, default_date=now)
    return len(marks)
