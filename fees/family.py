"""Family payments: one sum from a guardian, split across their children, one receipt.

A family payment is a `PaymentGroup` and one ordinary `Payment` per child who gets a
share (its `group`), so each child's statement, balance and allocations are exactly
those of a single payment. The members share one receipt number, drawn once from the
counter of the payment date's financial year: the numbers stay gapless.

Split rule (`split_total`): the children's open dues, all together, oldest due first
(due date, then charge), are paid from the total; what is left is credit on one child,
the one the office picks (by default the eldest: `family_children` lists them eldest
first). Each child's share is then allocated to that child's own dues, oldest first, as
for any payment.
"""

import uuid
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import Counter, Student
from fees.allocation import lock_student, settle
from fees.models import MAX_AMOUNT, Charge, Payment, PaymentGroup
from fees.receipts import mail as receipt_mail
from fees.selectors import OPEN_THRESHOLD
from musicbeats import security_log
from musicbeats.dates import financial_year_label
from musicbeats.money import ZERO


def family_children(guardian, *, active_only: bool = True) -> list[Student]:
    """The guardian's wards, eldest first (date of birth, then name; unknown births
    last): the order of the desk's rows and of the default credit."""
    students = Student.objects.select_related("user").filter(guardianships__guardian=guardian)
    if active_only:
        students = students.filter(user__is_active=True)
    return list(
        students.order_by(
            F("date_of_birth").asc(nulls_last=True), "user__full_name", "pk"
        ).distinct()
    )


def open_dues_by_child(student_ids) -> dict[int, Decimal]:
    """Each child's open dues (net of concessions and what is paid), in one query."""
    totals = defaultdict(lambda: ZERO)
    for student_id, amount in (
        Charge.objects.with_amounts()
        .filter(student_id__in=list(student_ids), open__gte=OPEN_THRESHOLD)
        .values_list("student_id", "open")
    ):
        totals[student_id] += amount
    return totals


def split_total(children: list[Student], total: Decimal, *, credit_to=None) -> dict:
    """Split `total` across `children` (see the module's rule): {student: share}, only
    children with a share above zero, in the order of `children`."""
    ids = [child.pk for child in children]
    shares = dict.fromkeys(ids, ZERO)
    left = total
    for student_id, amount in (
        Charge.objects.with_amounts()
        .filter(student_id__in=ids, open__gte=OPEN_THRESHOLD)
        .order_by("due_on", "id")
        .values_list("student_id", "open")
    ):
        take = min(left, amount)
        shares[student_id] += take
        left -= take
        if left <= 0:
            break
    if left > 0:
        credit_id = credit_to.pk if credit_to is not None else ids[0]
        shares[credit_id] += left
    return {child: shares[child.pk] for child in children if shares[child.pk] > 0}


def _clean_shares(guardian, amounts, credit_to) -> dict:
    """{student: Decimal} of the guardian's own wards, each share positive; ValidationError
    otherwise. `amounts` is a dict {student: amount} or one total to split."""
    from fees.services import clean_amount

    wards = {s.pk: s for s in family_children(guardian, active_only=False)}
    if not isinstance(amounts, dict):
        total = clean_amount(amounts, label="Total")
        children = [s for s in family_children(guardian) if s.pk in wards]
        if not children:
            raise ValidationError("This guardian has no active children to pay for.")
        if credit_to is not None and credit_to.pk not in {c.pk for c in children}:
            raise ValidationError("The credit goes to an active child of this guardian only.")
        return split_total(children, total, credit_to=credit_to)
    shares = {}
    for student, amount in amounts.items():
        if student.pk not in wards:
            raise ValidationError(
                "One of the children in this payment is not a child of this guardian."
            )
        if amount is None or amount == "" or (isinstance(amount, Decimal) and amount == 0):
            continue
        ward = wards[student.pk]
        shares[ward] = clean_amount(amount, label=f"{ward.user.full_name}'s share")
    if not shares:
        raise ValidationError("Enter an amount for at least one child.")
    if sum(shares.values(), ZERO) > MAX_AMOUNT:
        raise ValidationError(f"A family payment is at most {MAX_AMOUNT:,.2f}.")
    return shares


@transaction.atomic
def record_family_payment(
    *,
    guardian,
    amounts,
    method: str,
    recorded_by,
    idempotency_key: uuid.UUID,
    paid_on=None,
    reference: str = "",
    remarks: str = "",
    credit_to: Student | None = None,
    override_reason: str = "",
    reference_override: str = "",
) -> tuple[PaymentGroup, bool]:
    """Record one payment for several of `guardian`'s children: `amounts` is
    {student: amount} (zero or empty: that child is not in it) or one total, split by
    the module's rule (`credit_to`: the child who gets what is left after all dues).

    Returns `(group, created)`; the same `idempotency_key` again returns the first group
    and records nothing. Each member's key is uuid5(group key, student id). A closed
    day needs the admin and `override_reason`, a reference already on a live payment
    the admin's `reference_override`, as for a single payment. Once committed, the
    family is sent the one receipt (`fees.receipts.mail`).
    """
    from fees import desk_checks
    from fees.day_close import ensure_day_open
    from fees.services import check_payment

    paid_on, reference = check_payment(method=method, paid_on=paid_on, reference=reference)
    shares = _clean_shares(guardian, amounts, credit_to)
    total = sum(shares.values(), ZERO)
    for student_id in sorted(s.pk for s in shares):  # one fixed order: no deadlock
        lock_student(student_id)
    existing = PaymentGroup.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    override = desk_checks.check_reference(
        reference=reference, method=method, by=recorded_by, override_reason=reference_override
    )
    remarks = desk_checks.with_override(remarks, override)
    group, common = _new_group(guardian, total, idempotency_key, recorded_by, paid_on)
    common.update(method=method, reference=reference, remarks=(remarks or "").strip())
    for student, amount in shares.items():
        payment = Payment.objects.create(
            student=student,
            amount=amount,
            idempotency_key=member_key(idempotency_key, student.pk),
            **common,
        )
        ensure_day_open(paid_on, by=recorded_by, override_reason=override_reason, payment=payment)
        settle(student.pk)
    if override:
        desk_checks.log_override(payment, recorded_by, override)
    receipt_mail.send_after_commit(payment.pk)  # one receipt: one message per person
    return group, True


def _new_group(guardian, total, idempotency_key, recorded_by, paid_on) -> tuple:
    """The family payment's row, with the one receipt number drawn for it, and the
    fields its members share (that number, the date, who recorded it)."""
    from fees.services import receipt_number

    financial_year = financial_year_label(paid_on)
    sequence = Counter.next(f"receipt:{financial_year}")
    number = receipt_number(financial_year, sequence)
    group = PaymentGroup.objects.create(
        payer=guardian,
        receipt_number=number,
        total=total,
        idempotency_key=idempotency_key,
        recorded_by=recorded_by,
    )
    common = {
        "group": group,
        "receipt_number": number,
        "financial_year": financial_year,
        "receipt_sequence": sequence,
        "paid_on": paid_on,
        "recorded_by": recorded_by,
    }
    return group, common


def member_key(group_key, student_id: int) -> uuid.UUID:
    """The idempotency key of one child's payment in a family payment."""
    return uuid.uuid5(uuid.UUID(str(group_key)), str(student_id))


@transaction.atomic
def void_family_payment(
    *, group_id: int, by, reason: str, request=None, override_reason: str = ""
) -> PaymentGroup:
    """Void every member of a family payment (one reason): each child's dues it paid are
    open again. A member already void stays as it was. A family payment of a closed day
    is voided only by the admin with `override_reason` (`fees.day_close`)."""
    from fees.day_close import ensure_day_open, lock_year

    group = PaymentGroup.objects.get(pk=group_id)
    student_ids = sorted(
        set(Payment.objects.filter(group=group).values_list("student_id", flat=True))
    )
    for student_id in student_ids:
        lock_student(student_id)
    members = list(Payment.objects.select_for_update().filter(group=group).order_by("pk"))
    live = [p for p in members if not p.is_void]
    if not live:
        raise ValueError("This payment is already void.")
    for day in sorted({payment.paid_on for payment in live}):
        lock_year(day)  # before the voids' totals rows (fees.day_close.lock_year)
    for payment in live:
        payment.void(by=by, reason=reason)
        ensure_day_open(
            payment.paid_on, by=by, override_reason=override_reason, payment=payment, action="void"
        )
    for student_id in student_ids:
        settle(student_id)
    fields = {
        "group": group.pk,
        "payments": ",".join(str(p.pk) for p in live),
        "receipt": group.receipt_number,
        "amount": str(sum((p.amount for p in live), ZERO)),
        "reason": live[0].void_reason,
    }
    transaction.on_commit(lambda: security_log.event("payment_voided", request, by, **fields))
    return group
