"""Writes for progress: a teacher proposes the next level, the office confirms or
declines it, or sets a level directly. Each refusal is a ValidationError with a sentence
the page shows; nothing is stored then."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Student
from attendance.models import Instrument, Level
from attendance.teaching.progress.models import NOTE_MAX, LevelChange
from attendance.teaching.progress.selectors import standing_of, teaches

Status = LevelChange.Status


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) > NOTE_MAX:
        raise ValidationError(f"The {what} is too long: at most {NOTE_MAX} characters.")
    return value


def _waiting(change: LevelChange) -> ValidationError:
    return ValidationError(
        f"A move to {change.to_level.name} is already waiting for the office "
        f"(proposed by {change.proposed_by.full_name})."
    )


def _insert(change: LevelChange, student: Student, instrument: Instrument) -> LevelChange:
    """Insert, turning the one-open-proposal constraint (two teachers at once) into the
    same sentence as the check before it."""
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError:
        raise ValidationError(
            f"A move for {student.user.full_name} on {instrument.name} is already waiting "
            "for the office."
        ) from None
    return change


@transaction.atomic
def propose_move(*, student_id: int, instrument_id: int, by, note: str = "") -> LevelChange:
    """`by` (a teacher) proposes the next level on `instrument` for a student they teach
    on it. Refused for a student at the top level or with a proposal already open."""
    note = _text(note, "note")
    student = Student.objects.select_related("user").get(pk=student_id)
    instrument = Instrument.objects.get(pk=instrument_id)
    if not teaches(by, student_id, instrument_id):
        raise ValidationError(f"You do not teach {student.user.full_name} {instrument.name}.")
    standing = standing_of(student_id, instrument_id)
    if standing.open is not None:
        raise _waiting(standing.open)
    if standing.next_level is None:
        at = f" ({standing.current.name})" if standing.current else ""
        raise ValidationError(
            f"{student.user.full_name} is already at the top level of {instrument.name}{at}."
        )
    change = LevelChange(
        student=student,
        instrument=instrument,
        from_level=standing.current,
        to_level=standing.next_level,
        note=note,
        proposed_by=by,
    )
    return _insert(change, student, instrument)


@transaction.atomic
def confirm_move(*, change_id: int, by) -> LevelChange:
    """The office confirms a proposal: the student's level is now its `to_level`."""
    change = LevelChange.objects.get(pk=change_id)
    change.decide(status=Status.CONFIRMED, by=by)
    return change


@transaction.atomic
def decline_move(*, change_id: int, by, reason: str) -> LevelChange:
    """The office declines a proposal, saying why (the teacher sees it)."""
    reason = _text(reason, "reason")
    if not reason:
        raise ValidationError("Say why the move is declined.")
    change = LevelChange.objects.get(pk=change_id)
    change.decide(status=Status.DECLINED, by=by, reason=reason)
    return change


@transaction.atomic
def set_level(*, student_id: int, level_id: int, by, note: str = "") -> LevelChange:
    """The office records a student's level directly (a placement, a correction): a
    confirmed change by `by`. Refused while a proposal on that instrument is open (decide
    it first) and when the student is already at that level."""
    note = _text(note, "note")
    student = Student.objects.select_related("user").get(pk=student_id)
    level = Level.objects.select_related("instrument").get(pk=level_id)
    standing = standing_of(student_id, level.instrument_id)
    current = standing.current if standing else None
    if standing and standing.open is not None:
        raise ValidationError(
            f"A move to {standing.open.to_level.name} on {level.instrument.name} is waiting "
            "for the office: confirm or decline it first."
        )
    if current == level:
        raise ValidationError(f"{student.user.full_name} is already at {level}.")
    now = timezone.now()
    change = LevelChange(
        student=student,
        instrument=level.instrument,
        from_level=current,
        to_level=level,
        status=Status.CONFIRMED,
        note=note,
        proposed_by=by,
        proposed_at=now,
        decided_by=by,
        decided_at=now,
    )
    return _insert(change, student, level.instrument)
