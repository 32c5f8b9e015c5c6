"""Writes of money: dues, concessions, late fees, payments, voids, remarks.

Every write that changes what a student owes or paid ends with `settle(student)`
(`fees/allocation.py`), which keeps the stored allocations right: unallocated payments
(credit) are applied to open charges, oldest payment to oldest charge; a charge paid
beyond its net amount (after a concession) gives the excess back as credit. The
student's row is locked first, so two desks working on one family take turns (SQLite's
IMMEDIATE transactions already do).
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Counter, Institute, Student
from fees import desk_checks
from fees.allocation import lock_student, settle, settle_students_with_credit
from fees.day_close import ensure_day_open, lock_year
from fees.models import (
    EARLIEST_PAYMENT_DATE,
    MAX_AMOUNT,
    RECEIPT_PREFIX,
    Charge,
    Payment,
    RemarkEdit,
)
from fees.receipts import mail as receipt_mail
from fees.selectors import OPEN_THRESHOLD
from musicbeats import security_log
from musicbeats.dates import financial_year_label, month_bounds, month_start
from musicbeats.db_stats import after_bulk_write
from musicbeats.enrolment import open_during
from musicbeats.money import CENT, ZERO, is_plain_amount


def clean_amount(value, *, label: str = "Amount") -> Decimal:
    """A positive Decimal of at most two places, at most ₹10,00,000; else ValidationError.

    Forms validate the same; services check again so no caller stores a bad amount.
    """
    if isinstance(value, float):
        raise ValidationError(f"{label} must be a Decimal, not a float.")
    if isinstance(value, str) and not is_plain_amount(value):
        raise ValidationError(f"{label} must be written with the digits 0-9 and one dot.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"{label} is not a number.") from None
    if not amount.is_finite():
        raise ValidationError(f"{label} is not a number.")
    if amount != amount.quantize(CENT):
        raise ValidationError(f"{label} has more than two decimal places.")
    if amount <= 0:
        raise ValidationError(f"{label} must be more than zero.")
    if amount > MAX_AMOUNT:
        raise ValidationError(f"{label} must be at most {MAX_AMOUNT:,.2f}.")
    return amount.quantize(CENT)


# Payments ---------------------------------------------------------------------------


def receipt_number(financial_year: str, sequence: int) -> str:
    return f"{RECEIPT_PREFIX}/{financial_year}/{sequence:06d}"


def check_payment(*, method: str, paid_on: date | None, reference: str) -> tuple[date, str]:
    """The checks every payment passes (single or family): a known method, a date not in
    the future nor before the earliest, a reference where the method needs one. Returns
    `(paid_on, reference)` cleaned; raises ValidationError."""
    today = timezone.localdate()
    paid_on = paid_on or today
    if paid_on > today:
        raise ValidationError("A payment cannot be dated in the future.")
    if paid_on < EARLIEST_PAYMENT_DATE:
        raise ValidationError(
            f"A payment cannot be dated before {EARLIEST_PAYMENT_DATE:%-d %B %Y}."
        )
    if method not in Payment.Method.values:
        raise ValidationError("Unknown payment method.")
    reference = (reference or "").strip()
    if method in Payment.METHODS_NEEDING_REFERENCE and not reference:
        raise ValidationError(f"A {Payment.Method(method).label} payment needs a reference.")
    return paid_on, reference


@transaction.atomic
def record_payment(
    *,
    student: Student,
    amount: Decimal,
    method: str,
    recorded_by,
    idempotency_key: uuid.UUID,
    paid_on: date | None = None,
    reference: str = "",
    remarks: str = "",
    override_reason: str = "",
    reference_override: str = "",
) -> tuple[Payment, bool]:
    """Record a payment and allocate it to the oldest open dues (the rest is credit).

    Returns `(payment, created)`. A second call with the same `idempotency_key` (a
    double click, a resubmitted form, a retry, a second tab) records nothing and returns
    the first payment. The receipt number is the next of the payment date's financial
    year, drawn inside this transaction, so a failed save gives it back (no gaps).
    A reference already on a live payment is refused (`fees.desk_checks`) unless an admin
    gives `reference_override`, a reason, kept in the remarks and the security log. A
    payment dated on a closed day needs the admin and `override_reason` (`fees.day_close`).
    Once committed, the family is sent the receipt (`fees.receipts.mail`).
    """
    amount = clean_amount(amount)
    paid_on, reference = check_payment(method=method, paid_on=paid_on, reference=reference)
    lock_student(student.pk)
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    override = desk_checks.check_reference(
        reference=reference, method=method, by=recorded_by, override_reason=reference_override
    )
    financial_year = financial_year_label(paid_on)
    sequence = Counter.next(f"receipt:{financial_year}")
    payment = Payment.objects.create(
        student=student,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=reference,
        remarks=desk_checks.with_override(remarks, override),
        receipt_number=receipt_number(financial_year, sequence),
        financial_year=financial_year,
        receipt_sequence=sequence,
        idempotency_key=idempotency_key,
        recorded_by=recorded_by,
    )
    ensure_day_open(paid_on, by=recorded_by, override_reason=override_reason, payment=payment)
    settle(student.pk)
    if override:
        desk_checks.log_override(payment, recorded_by, override)
    receipt_mail.send_after_commit(payment.pk)
    return payment, True


@transaction.atomic
def void_payment(
    *, payment: Payment, by, reason: str, request=None, override_reason: str = ""
) -> Payment:
    """Void a payment (reason required): it stays listed, counts in no total, and the
    dues it paid are open again (paid from the student's credit where there is some).
    A payment of a closed day is voided only by the admin with `override_reason`.
    The security log gets a `payment_voided` line once the void is committed."""
    if payment.group_id is not None:
        # One child's share of a family payment: the whole family payment is voided.
        from fees.family import void_family_payment

        void_family_payment(
            group_id=payment.group_id,
            by=by,
            reason=reason,
            request=request,
            override_reason=override_reason,
        )
        return Payment.objects.get(pk=payment.pk)
    lock_student(payment.student_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    lock_year(payment.paid_on)  # before the void's totals rows (fees.day_close.lock_year)
    payment.void(by=by, reason=reason)
    ensure_day_open(
        payment.paid_on, by=by, override_reason=override_reason, payment=payment, action="void"
    )
    settle(payment.student_id)
    fields = {
        "payment": payment.pk,
        "receipt": payment.receipt_number,
        "amount": str(payment.amount),
        "reason": payment.void_reason,
    }
    transaction.on_commit(lambda: security_log.event("payment_voided", request, by, **fields))
    return payment


def record_family_payment(**kwargs):
    """One payment for several children of a guardian, one receipt number: see
    `fees.family.record_family_payment`."""
    from fees.family import record_family_payment as record

    return record(**kwargs)


@transaction.atomic
def edit_remarks(*, payment: Payment, remarks: str, by) -> bool:
    """Change a payment's remarks, keeping who changed what and when. False if unchanged."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    remarks = (remarks or "").strip()
    if remarks == payment.remarks:
        return False
    RemarkEdit.objects.create(payment=payment, old=payment.remarks, new=remarks, edited_by=by)
    payment.remarks = remarks
    payment.save(update_fields=["remarks"])
    return True


# Charges and concessions ------------------------------------------------------------


@transaction.atomic
def add_charge(
    *,
    student: Student,
    kind: str,
    amount: Decimal,
    description: str,
    by,
    due_on: date | None = None,
) -> Charge:
    """A one-off charge (admission, exam, instrument rental, books, other)."""
    if kind not in Charge.ONE_OFF_KINDS:
        raise ValidationError("Monthly fees and late fees are not added by hand.")
    amount = clean_amount(amount)
    due_on = due_on or timezone.localdate()
    description = (description or "").strip() or Charge.Kind(kind).label
    lock_student(student.pk)
    charge = Charge.objects.create(
        student=student,
        kind=kind,
        period=month_start(due_on),
        due_on=due_on,
        description=description,
        amount=amount,
        created_by=by,
    )
    settle(student.pk)
    return charge


@transaction.atomic
def grant_concession(*, charge: Charge, amount: Decimal, kind: str, reason: str, by) -> Charge:
    """A concession or waiver on a charge (the whole amount waives it), with a reason and
    who granted it. It replaces an earlier concession on the same charge (kept in the
    charge's history) and never exceeds the charge. If the charge was already paid, the
    excess becomes credit."""
    amount = clean_amount(amount, label="Concession")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("A concession needs a reason.")
    if kind not in Charge.ConcessionKind.values:
        raise ValidationError("Unknown kind of concession.")
    lock_student(charge.student_id)
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if amount > charge.amount:
        raise ValidationError("A concession cannot be more than the charge.")
    charge.concession_amount = amount
    charge.concession_kind = kind
    charge.concession_reason = reason
    charge.concession_by = by
    charge.concession_at = timezone.now()
    charge.save(
        update_fields=[
            "concession_amount",
            "concession_kind",
            "concession_reason",
            "concession_by",
            "concession_at",
        ]
    )
    settle(charge.student_id)
    return charge


# Monthly dues -----------------------------------------------------------------------


def prorate(
    fee: Decimal, *, joined_on: date, left_on: date | None, month: date, rule: str
) -> tuple[Decimal, str]:
    """The month's fee for an enrolment, and a note when it is prorated.

    `left_on` is the last day of the enrolment. Rules (Institute.proration):
    full: the whole fee for any month the enrolment touches; half: half the fee when
    joining after the 15th or leaving on or before the 15th of the month; days: the fee
    times days enrolled, divided by the days in the month. Rounded to the paisa, half up.
    """
    first, last = month_bounds(month)
    start = max(joined_on, first)
    end = min(left_on or last, last)
    days = (end - start).days + 1
    if days <= 0:
        return ZERO, ""
    if days == last.day or rule == Institute.Proration.FULL:
        return fee, ""
    if rule == Institute.Proration.HALF:
        if start.day > 15 or (left_on is not None and left_on <= last and end.day <= 15):
            return (fee / 2).quantize(CENT, rounding=ROUND_HALF_UP), "half month"
        return fee, ""
    amount = (fee * days / last.day).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount, f"{days} of {last.day} days"


@dataclass(frozen=True)
class PlannedDue:
    enrollment: object
    amount: Decimal
    note: str
    due_on: date

    @property
    def description(self) -> str:
        text = f"{self.enrollment.batch.name} · {self.due_on:%B %Y}"
        return f"{text} ({self.note})" if self.note else text


def plan_monthly_dues(month: date, *, enrollments=None) -> list[PlannedDue]:
    """The monthly dues `generate_dues` would create for `month` (those not yet there),
    from all enrolments or the given queryset of them."""
    from attendance.models import Enrollment

    first, last = month_bounds(month)
    institute = Institute.get()
    enrollments = (
        (Enrollment.objects.all() if enrollments is None else enrollments)
        .filter(open_during(first, last), monthly_fee__gt=0)
        .exclude(
            Exists(
                Charge.objects.filter(
                    enrollment=OuterRef("pk"), kind=Charge.Kind.MONTHLY, period=first
                )
            )
        )
        .select_related("batch", "student__user")
        .order_by("student__user__full_name", "student_id", "batch__name", "pk")
    )
    due_day = first.replace(day=institute.due_day)
    planned = []
    for enrollment in enrollments:
        amount, note = prorate(
            enrollment.monthly_fee,
            joined_on=enrollment.joined_on,
            left_on=enrollment.left_on,
            month=first,
            rule=institute.proration,
        )
        if amount > 0:
            due_on = max(due_day, enrollment.joined_on)
            planned.append(PlannedDue(enrollment, amount, note, due_on))
    return planned


@transaction.atomic
def generate_dues(*, month: date, by=None, enrollments=None) -> int:
    """Create the month's monthly dues from enrolments; any number of runs make them once
    (a unique constraint per enrolment and month; a concurrent run's rows are skipped).
    Students with credit have it applied to the new dues. Returns how many were made."""
    month = month_start(month)
    planned = plan_monthly_dues(month, enrollments=enrollments)
    rows = [
        Charge(
            student_id=p.enrollment.student_id,
            kind=Charge.Kind.MONTHLY,
            period=month,
            due_on=p.due_on,
            enrollment=p.enrollment,
            description=p.description,
            amount=p.amount,
            created_by=by,
        )
        for p in planned
    ]
    # ignore_conflicts: a concurrent run's rows win (the unique constraint). The rows
    # are valid by construction, so no other constraint is silently skipped (SQLite's
    # INSERT OR IGNORE would also skip CHECK failures).
    before = Charge.objects.filter(kind=Charge.Kind.MONTHLY, period=month).count()
    Charge.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    made = Charge.objects.filter(kind=Charge.Kind.MONTHLY, period=month).count() - before
    after_bulk_write(made, Charge)
    settle_students_with_credit(p.enrollment.student_id for p in planned)
    return made


def dues_on_enrolment(*, enrollment, by=None) -> int:
    """The current month's due for a new enrolment, at once, by the monthly rule (the
    same `generate_dues`, prorated from the joining day). An enrolment starting in a
    later month gets nothing now: that month's generation makes its first due. Any
    number of calls make it once. Returns how many dues were made (0 or 1)."""
    from attendance.models import Enrollment

    today = timezone.localdate()
    if enrollment.joined_on > month_bounds(today)[1]:
        return 0
    return generate_dues(
        month=today, by=by, enrollments=Enrollment.objects.filter(pk=enrollment.pk)
    )


# Late fees --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedLateFee:
    student: Student
    open_amount: Decimal
    amount: Decimal


def plan_late_fees(month: date, *, today: date | None = None) -> list[PlannedLateFee]:
    """Students whose monthly dues for `month` are still open after the due day and who
    have no late fee for that month yet, with the fee each would get."""
    institute = Institute.get()
    month = month_start(month)
    today = today or timezone.localdate()
    if institute.late_fee <= 0 or today <= month.replace(day=institute.due_day):
        return []
    open_by_student = defaultdict(Decimal)
    for student_id, open_amount in (
        Charge.objects.with_amounts()
        .filter(kind=Charge.Kind.MONTHLY, period=month, open__gte=OPEN_THRESHOLD)
        .exclude(
            Exists(
                Charge.objects.filter(
                    student=OuterRef("student"), kind=Charge.Kind.LATE, period=month
                )
            )
        )
        .values_list("student_id", "open")
    ):
        open_by_student[student_id] += open_amount
    students = Student.objects.filter(pk__in=open_by_student).select_related("user")
    return [
        PlannedLateFee(student, open_by_student[student.pk], institute.late_fee)
        for student in students.order_by("user__full_name", "pk")
    ]


@transaction.atomic
def apply_late_fees(*, month: date, by, student_ids, today: date | None = None) -> int:
    """Add the late fee for `month` to the students the office saw in the preview
    (`student_ids`) who still qualify; at most one per student and month."""
    month = month_start(month)
    today = today or timezone.localdate()
    wanted = {int(pk) for pk in student_ids}
    planned = [p for p in plan_late_fees(month, today=today) if p.student.pk in wanted]
    rows = [
        Charge(
            student=p.student,
            kind=Charge.Kind.LATE,
            period=month,
            due_on=today,
            description=f"Late fee · {month:%B %Y}",
            amount=p.amount,
            created_by=by,
        )
        for p in planned
    ]
    before = Charge.objects.filter(kind=Charge.Kind.LATE, period=month).count()
    Charge.objects.bulk_create(rows, ignore_conflicts=True)
    return Charge.objects.filter(kind=Charge.Kind.LATE, period=month).count() - before
