"""A family's reported UPI payment: made, confirmed into payments, or rejected."""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fees.models import Payment, UpiReport
from fees.services import clean_amount
from fees.upi_matching.payments import record_upi_for_students

# UPI UTRs are 12 digits; bank and app references run to 22 letters and digits.
UTR_RULE = re.compile(r"[A-Za-z0-9]{12,22}")
UTR_SAID = "12 to 22 letters and digits (a UPI UTR is 12 digits)"
OLDEST_DAYS = 90  # older payments are settled at the desk, with the office


def clean_reference(value: str) -> str:
    reference = re.sub(r"[\s-]", "", value or "").upper()
    if not UTR_RULE.fullmatch(reference):
        raise ValidationError(f"The UPI reference (UTR) is {UTR_SAID}.")
    return reference


def reference_taken(reference: str) -> str:
    """Why `reference` cannot be reported again ('' if it can)."""
    if UpiReport.objects.filter(reference=reference).exclude(status="rejected").exists():
        return "This UPI reference has already been reported."
    if Payment.objects.valid().filter(reference__iexact=reference).exists():
        return "A payment with this UPI reference is already recorded."
    return ""


@transaction.atomic
def report_upi_payment(*, by, students, amount, reference, paid_on) -> UpiReport:
    """A family's report: validated again here (amount, UTR, date), reference once."""
    amount = clean_amount(amount)
    reference = clean_reference(reference)
    today = timezone.localdate()
    if paid_on > today:
        raise ValidationError("The payment date cannot be in the future.")
    if paid_on < today - timedelta(days=OLDEST_DAYS):
        raise ValidationError(
            f"Payments older than {OLDEST_DAYS} days are settled with the office directly."
        )
    if not students:
        raise ValidationError("Choose whom the payment was for.")
    taken = reference_taken(reference)
    if taken:
        raise ValidationError(taken)
    try:
        with transaction.atomic():
            report = UpiReport.objects.create(
                reported_by=by, amount=amount, reference=reference, paid_on=paid_on
            )
    except IntegrityError:  # two tabs at once: the unique constraint decides
        raise ValidationError("This UPI reference has already been reported.") from None
    report.students.set(students)
    return report


def _locked_pending(report_id):
    report = UpiReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise ValidationError("No such report.")
    return report


@transaction.atomic
def confirm_report(*, report_id: int, by) -> tuple[UpiReport, bool]:
    """Record the reported payment (method UPI, its reference, date and amount, recorded
    by `by`). Returns (report, done_now); a second confirmation records nothing."""
    report = _locked_pending(report_id)
    if report.status != UpiReport.Status.PENDING:
        return report, False
    payments = record_upi_for_students(
        students=list(report.students.order_by("user__full_name", "pk")),
        amount=report.amount,
        reference=report.reference,
        paid_on=report.paid_on,
        recorded_by=by,
        key=f"upi-report:{report.pk}",
        remarks="Reported by the family (UPI)",
    )
    report.payments.set(payments)
    report.status = UpiReport.Status.CONFIRMED
    report.decided_by = by
    report.decided_at = timezone.now()
    report.save(update_fields=["status", "decided_by", "decided_at"])
    return report, True


@transaction.atomic
def reject_report(*, report_id: int, by, reason: str) -> tuple[UpiReport, bool]:
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ValidationError("Say why the report is rejected; the family sees it.")
    report = _locked_pending(report_id)
    if report.status != UpiReport.Status.PENDING:
        return report, False
    report.status = UpiReport.Status.REJECTED
    report.reject_reason = reason
    report.decided_by = by
    report.decided_at = timezone.now()
    report.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    return report, True
