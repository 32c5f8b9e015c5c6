"""The fee desk's safety checks (issue 13, item 1).

- A reference (UPI transaction id, cheque number, bank reference) already on a live
  (non-void) payment is refused, for any student: compared trimmed and case-insensitive.
  An admin may override it with a reason; the override is written at the head of the
  payment's remarks and in the security log. `record_payment` calls
  `check_reference`, so every caller (the desk, imports, scripts) is held to it.
- `slips(...)` says what the desk should ask about before it records: an amount that
  leaves more credit than the institute's rule allows, a date far in the past. These
  are questions, not refusals: the desk records once they are confirmed.

Two desks recording the same reference at the same moment: on PostgreSQL the check takes
a transaction-scoped advisory lock on the normalised reference before it looks, so the
second desk waits until the first commits and then sees its payment. On SQLite every
write transaction is IMMEDIATE (one writer at a time), so the check and the insert are
already serialised. A partial unique index on the normalised reference of live payments
was not used: it could not allow the admin's override, and existing duplicate references
would make the migration fail.
"""

import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Upper
from django.utils import timezone

from accounts.models import Institute, Role
from fees.models import Payment
from musicbeats import security_log
from musicbeats.money import ZERO

OVERRIDE_PREFIX = "Duplicate reference of"
ADVISORY_NAMESPACE = 1313  # the first key of pg_advisory_xact_lock(int, int): references


def normalise_reference(reference: str) -> str:
    return (reference or "").strip().casefold()


class DuplicateReference(ValidationError):
    """The reference is on a live payment already (`self.payment`)."""

    def __init__(self, payment: Payment):
        self.payment = payment
        super().__init__(
            f"The reference “{payment.reference}” is already on receipt "
            f"{payment.receipt_number} ({payment.student.user.full_name}, "
            f"{payment.amount:,.2f} on {payment.paid_on:%-d %b %Y}). "
            "Check the reference; an admin may record it anyway with a reason.",
            code="duplicate_reference",
        )


def _lock_reference(normalised: str) -> None:
    if connection.vendor == "postgresql":
        key = zlib.crc32(normalised.encode()) - 2**31  # a signed 32-bit int
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_NAMESPACE, key])


def live_payment_with_reference(reference: str) -> Payment | None:
    """The live payment (of a method that needs a reference) carrying this reference."""
    normalised = normalise_reference(reference)
    if not normalised:
        return None
    # Stored references are trimmed (record_payment); compared upper-cased, which the
    # index payment_reference_upper serves on both databases.
    return (
        Payment.objects.alias(reference_upper=Upper("reference"))
        .filter(
            reference_upper=reference.strip().upper(),
            voided_at__isnull=True,
            method__in=Payment.METHODS_NEEDING_REFERENCE,
        )
        .select_related("student__user")
        .order_by("pk")
        .first()
    )


def check_reference(*, reference: str, method: str, by, override_reason: str = "") -> str:
    """Refuse a reference already on a live payment (call inside the recording
    transaction). Returns the remarks prefix recording an admin's override, else "".

    Raises DuplicateReference, or ValidationError when a non-admin tries to override.
    """
    if method not in Payment.METHODS_NEEDING_REFERENCE or not reference.strip():
        return ""
    _lock_reference(normalise_reference(reference))
    existing = live_payment_with_reference(reference)
    if existing is None:
        return ""
    override_reason = " ".join((override_reason or "").split())
    if not override_reason:
        raise DuplicateReference(existing)
    if getattr(by, "role", None) != Role.ADMIN:
        raise ValidationError(
            "Only an admin can record a reference that is already on another payment.",
            code="override_not_allowed",
        )
    when = timezone.localtime().strftime("%-d %b %Y %H:%M")
    name = getattr(by, "full_name", "") or str(by)
    return (
        f"{OVERRIDE_PREFIX} {existing.receipt_number} allowed by {name}, {when}: {override_reason}"
    )


def with_override(remarks: str, override: str) -> str:
    """The payment's remarks, led by the override note when there is one."""
    remarks = (remarks or "").strip()
    if not override:
        return remarks
    return f"{override} · {remarks}"[:300] if remarks else override[:300]


def log_override(payment, by, note: str) -> None:
    """The security log's line for an admin's duplicate-reference override (on commit)."""
    fields = {"payment": payment.pk, "receipt": payment.receipt_number, "note": note}
    transaction.on_commit(
        lambda: security_log.event("payment_reference_override", None, by, **fields)
    )


@dataclass(frozen=True)
class Slips:
    """What the desk asks about before recording: `credit` (the credit the payment would
    leave, when above the rule) and `old_date` (the date, when far back)."""

    credit: Decimal | None = None
    old_date: date | None = None

    def __bool__(self):
        return self.credit is not None or self.old_date is not None


def slips(*, amount: Decimal, outstanding: Decimal, paid_on: date) -> Slips:
    institute = Institute.get()
    credit = amount - max(outstanding, ZERO)
    too_much = credit > 0 and credit > Decimal(institute.overpay_confirm_above)
    days_back = (timezone.localdate() - paid_on).days
    too_old = days_back > institute.past_date_confirm_days
    return Slips(credit=credit if too_much else None, old_date=paid_on if too_old else None)
