"""Writes for classes: enrolling and leaving, fee changes, saving and deactivating batches.

Each service runs in one transaction and either does all it says or nothing; each
refusal is a `ValidationError` with a message the office can act on, which views show
on the form. Keyword-only arguments throughout.

Capacity is guarded by locking the batch row: two desks enrolling the last seat at
once are serialized (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the settings'
`BEGIN IMMEDIATE` already makes writing transactions take turns), so the second one
counts the first one's enrolment and is refused.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Student
from attendance.classes.selectors import seat_holding
from attendance.models import MAX_MONTHLY_FEE, Batch, Enrollment, Instrument, Level, Room
from musicbeats.enrolment import not_ended_by
from musicbeats.money import CENT, money


def _day(on: date) -> str:
    return date_format(on, "j M Y")


def clean_fee(value) -> Decimal:
    """A monthly fee as a Decimal with two places, 0 ≤ fee ≤ ₹10,00,000, or a refusal."""
    if isinstance(value, float):
        raise ValidationError("Give the fee as an exact amount, not a floating-point number.")
    try:
        fee = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationError("The monthly fee must be an amount in rupees, like 1500.") from None
    if not fee.is_finite():
        raise ValidationError("The monthly fee must be an amount in rupees, like 1500.")
    if fee < 0:
        raise ValidationError("The monthly fee cannot be negative.")
    if fee > MAX_MONTHLY_FEE:
        raise ValidationError(f"The monthly fee cannot be more than {money(MAX_MONTHLY_FEE)}.")
    if fee != fee.quantize(CENT):
        raise ValidationError("The monthly fee has at most two decimal places (paise).")
    return fee.quantize(CENT)


class EnrolmentClash(ValidationError):
    """Enrolling would put the student in two batches at once (the office may override)."""


CLASH_REASON_MAX = 70  # + "Enrolled despite a clash: " fits the history's 100 characters


@transaction.atomic
def enroll(
    *,
    student: Student,
    batch: Batch,
    joined_on: date,
    monthly_fee: Decimal | None = None,
    despite_clash: bool = False,
    clash_reason: str = "",
) -> Enrollment:
    """Enrol `student` in `batch` from `joined_on` at `monthly_fee` (the batch's by default).

    Refused: a deactivated student, an inactive batch, a fee out of bounds, a second
    enrolment in the batch (an open one, or one that has not ended by `joined_on`), a
    full batch (counting enrolments current on `joined_on` and every open one), and a
    batch whose slots clash with another batch of the student's
    (`timetable.slots.enrollment_clashes`, each clash named). The office may enrol
    despite a clash (`despite_clash`) with a reason, kept as the enrolment's history
    change reason (who and when come with it). The current month's due is made at
    once (`fees.services.dues_on_enrolment`); a later start gets it from that month's
    generation.
    """
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    student = Student.objects.select_related("user").get(pk=student.pk)
    name = student.user.full_name
    if not student.user.is_active:
        raise ValidationError(
            f"{name} is deactivated (left the institute). Reactivate them before enrolling."
        )
    if not batch.is_active:
        raise ValidationError(f"{batch.name} is not active: reactivate it before enrolling.")
    fee = batch.monthly_fee if monthly_fee is None else clean_fee(monthly_fee)
    _refuse_second_enrolment(student=student, batch=batch, joined_on=joined_on)
    clash_reason = _check_clashes(
        student=student, batch=batch, on=joined_on, despite=despite_clash, reason=clash_reason
    )
    _refuse_full_batch(batch, joined_on)
    enrollment = Enrollment(student=student, batch=batch, joined_on=joined_on, monthly_fee=fee)
    if clash_reason:
        enrollment._change_reason = f"Enrolled despite a clash: {clash_reason}"
    try:
        with transaction.atomic():
            enrollment.save(force_insert=True)
    except IntegrityError:
        # Only a write that slipped past the lock (never through these services).
        raise ValidationError(f"{name} is already enrolled in {batch.name}.") from None
    _first_due(enrollment)
    return enrollment


def _first_due(enrollment: Enrollment) -> None:
    """Dues follow enrolment: the current month's prorated due is made at once (the
    fee desk shows it), by fees' own monthly rule. Imported here, not at the top:
    fees' services read attendance's models, and this is the one call attendance
    makes into fees, so the dependency stays visible at its only use."""
    from fees.services import dues_on_enrolment

    dues_on_enrolment(enrollment=enrollment)


def _refuse_second_enrolment(*, student: Student, batch: Batch, joined_on: date) -> None:
    """Refuse an enrolment in `batch` beside one that is open or has not ended by
    `joined_on`, saying when a new one may start."""
    name = student.user.full_name
    clash = (
        Enrollment.objects.filter(student=student, batch=batch)
        .filter(not_ended_by(joined_on))
        .order_by("joined_on")
        .values_list("joined_on", "left_on")
        .first()
    )
    if clash:
        since, until = clash
        if until is None:
            raise ValidationError(
                f"{name} is already enrolled in {batch.name} (since {_day(since)})."
            )
        raise ValidationError(
            f"{name} is enrolled in {batch.name} until {_day(until)}: "
            f"a new enrolment can start on {_day(until + timedelta(days=1))} at "
            "the earliest."
        )


def _refuse_full_batch(batch: Batch, joined_on: date) -> None:
    """Refuse when every seat is taken on `joined_on` (counting every open enrolment)."""
    taken = Enrollment.objects.filter(batch=batch).filter(seat_holding(joined_on)).count()
    if taken >= batch.capacity:
        what = "a private lesson (one seat)" if batch.capacity == 1 else f"{batch.capacity} seats"
        raise ValidationError(
            f"{batch.name} is full: {taken} of {what} taken on {_day(joined_on)}. "
            "End an enrolment or raise the capacity first."
        )


def _check_clashes(*, student: Student, batch: Batch, on: date, despite: bool, reason: str) -> str:
    """Refuse a timetable clash unless overridden with a reason; the reason to record."""
    from attendance.timetable.slots import enrollment_clashes

    clashes = enrollment_clashes(student=student, batch=batch, on=on)
    if not clashes:
        return ""
    if not despite:
        raise EnrolmentClash(
            [*clashes, "To enrol anyway, tick “Enrol despite the clash” and say why."]
        )
    reason = " ".join(reason.split())
    if not reason:
        raise EnrolmentClash([*clashes, "Say why the student is enrolled despite the clash."])
    if len(reason) > CLASH_REASON_MAX:
        raise EnrolmentClash(f"Keep the reason for the clash to {CLASH_REASON_MAX} characters.")
    return reason


@transaction.atomic
def leave(*, enrollment: Enrollment, left_on: date) -> Enrollment:
    """End `enrollment` on `left_on` (the last day the student attends)."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("student__user", "batch")
        .get(pk=enrollment.pk)
    )
    name = enrollment.student.user.full_name
    if enrollment.left_on is not None:
        raise ValidationError(
            f"{name} already left {enrollment.batch.name} on {_day(enrollment.left_on)}."
        )
    if left_on < enrollment.joined_on:
        raise ValidationError(
            f"The leaving date cannot be before the joining date ({_day(enrollment.joined_on)})."
        )
    enrollment.left_on = left_on
    enrollment.save(update_fields=["left_on"])
    return enrollment


@transaction.atomic
def change_fee(*, enrollment: Enrollment, monthly_fee, reason: str = "") -> Enrollment:
    """Set this enrolment's monthly fee; the history keeps the old one, who and why."""
    fee = clean_fee(monthly_fee)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if fee == enrollment.monthly_fee:
        raise ValidationError(f"The monthly fee is already {money(fee)}.")
    enrollment.monthly_fee = fee
    enrollment._change_reason = reason.strip()[:100] or None
    enrollment.save(update_fields=["monthly_fee"])
    return enrollment


@transaction.atomic
def save_batch(*, batch: Batch) -> Batch:
    """Create or update `batch` (already validated by its form).

    Refuses a capacity below the seats its enrolments hold today, and a private
    lesson (a batch of one) with any other capacity.
    """
    if batch.kind == Batch.Kind.PRIVATE and batch.capacity != 1:
        raise ValidationError({"capacity": "A private lesson is a batch of one: capacity 1."})
    if batch.pk:
        Batch.objects.select_for_update().filter(pk=batch.pk).values_list("pk").get()
        taken = (
            Enrollment.objects.filter(batch_id=batch.pk)
            .filter(seat_holding(timezone.localdate()))
            .count()
        )
        if batch.capacity < taken:
            raise ValidationError(
                {
                    "capacity": f"{taken} students hold a seat in this batch: the capacity "
                    f"cannot be less than {taken}. End enrolments first."
                }
            )
    batch.save()
    return batch


@transaction.atomic
def deactivate_batch(*, batch: Batch, on: date) -> int:
    """The batch stops: it leaves pickers, and every enrolment still running after `on`
    ends on `on` (or on its joining day, when it starts later). Returns how many ended.

    Each enrolment is saved on its own so that the history records who ended it.
    """
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if not batch.is_active:
        raise ValidationError(f"{batch.name} is already inactive.")
    ending = Enrollment.objects.filter(batch=batch).filter(not_ended_by(on + timedelta(days=1)))
    count = 0
    for enrollment in ending.order_by("pk"):
        enrollment.left_on = max(on, enrollment.joined_on)
        enrollment._change_reason = "Batch deactivated"
        enrollment.save(update_fields=["left_on"])
        count += 1
    batch.is_active = False
    batch.save(update_fields=["is_active"])
    return count


@transaction.atomic
def reactivate_batch(*, batch: Batch) -> None:
    """The batch runs again. Former students are not re-enrolled: the office enrols anew."""
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("instrument", "teacher")
        .get(pk=batch.pk)
    )
    if batch.is_active:
        raise ValidationError(f"{batch.name} is already active.")
    problems = []
    if not batch.instrument.is_active:
        problems.append(f"its instrument ({batch.instrument.name}) is deactivated")
    if not batch.teacher.is_active:
        problems.append(f"its teacher ({batch.teacher.full_name}) is deactivated")
    if problems:
        raise ValidationError(
            f"{batch.name} cannot be reactivated: {' and '.join(problems)}. Edit it first."
        )
    batch.is_active = True
    batch.save(update_fields=["is_active"])


@transaction.atomic
def set_active(*, obj: Instrument | Room, active: bool) -> None:
    """Deactivate or reactivate an instrument or a room. Nothing with history is deleted:
    batches keep their instrument and room; the pickers stop offering them."""
    obj.is_active = active
    obj.save(update_fields=["is_active"])


@transaction.atomic
def add_level(*, instrument: Instrument, name: str) -> Level:
    """A new level at the end of `instrument`'s list."""
    last = instrument.levels.order_by("-position").values_list("position", flat=True).first()
    return Level.objects.create(
        instrument=instrument, name=name, position=0 if last is None else last + 1
    )


@transaction.atomic
def move_level(*, level: Level, by: int) -> None:
    """Move `level` one place up (`by=-1`) or down (`by=1`) within its instrument.

    Positions are renumbered 0, 1, 2… in the current order first, so levels that
    shared a position (or had gaps) move predictably.
    """
    levels = list(
        Level.objects.select_for_update()
        .filter(instrument_id=level.instrument_id)
        .order_by("position", "name", "pk")
    )
    index = next(i for i, other in enumerate(levels) if other.pk == level.pk)
    target = index + by
    if 0 <= target < len(levels):
        levels[index], levels[target] = levels[target], levels[index]
    for position, other in enumerate(levels):
        other.position = position
    Level.objects.bulk_update(levels, ["position"])
