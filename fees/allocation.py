"""The allocation of payments to dues: which charge each payment paid.

`settle(student)` keeps a student's stored `Allocation` rows right after any write that
changes what they owe or paid (`fees.services` calls it last, inside its transaction):
a charge paid beyond its net amount gives the excess back as credit, and unallocated
payments are applied to open charges, oldest payment to oldest charge.
"""

from collections import defaultdict
from decimal import Decimal

from accounts.models import Student
from fees.models import Allocation, Charge, Payment
from musicbeats.money import ZERO, money_sum


def lock_student(student_id: int) -> None:
    # PostgreSQL: one writer per family at a time. SQLite: a no-op (IMMEDIATE
    # transactions already hold the write lock).
    Student.objects.select_for_update().filter(pk=student_id).values_list("pk").first()


def settle(student_id: int) -> None:
    """Make the student's stored allocations right (call inside a transaction).

    1. A charge whose valid allocations exceed its net amount (a concession came after
       payment) gives the excess back, newest allocation first.
    2. Each valid payment's unallocated amount (oldest payment first) is applied to the
       open charges, oldest due first.
    After it, the student has open dues or credit, never both.
    """
    charges = list(
        Charge.objects.with_amounts().filter(student_id=student_id).order_by("due_on", "id")
    )
    for charge in charges:
        if charge.open < 0:
            _give_back_excess(charge)
    open_charges = [c for c in charges if c.open > 0]
    if not open_charges:
        return
    payments = list(
        Payment.objects.valid()
        .filter(student_id=student_id)
        .order_by("paid_on", "id")
        .values_list("pk", "amount")
    )
    if payments:
        _allocate(payments, open_charges)


def _give_back_excess(charge: Charge) -> None:
    """Shrink the charge's valid allocations, newest first, until they cover no more
    than its net amount (step 1 of `settle`)."""
    excess = -charge.open
    for allocation in (
        Allocation.objects.filter(charge=charge, payment__voided_at__isnull=True)
        .select_related(None)
        .order_by("-payment__paid_on", "-payment_id")
    ):
        take = min(excess, allocation.amount)
        if take == allocation.amount:
            # An allocation is bookkeeping, not the ledger: a zero one goes.
            allocation.delete()
        else:
            allocation.amount -= take
            allocation.save(update_fields=["amount"])
        excess -= take
        if not excess:
            break
    charge.open = ZERO


def _allocate(payments: list[tuple[int, Decimal]], open_charges: list[Charge]) -> None:
    """Apply each payment's unallocated amount (`payments` oldest first, as (pk,
    amount)) to `open_charges`, oldest due first (step 2 of `settle`)."""
    used = defaultdict(Decimal)
    for payment_id, amount in Allocation.objects.filter(
        payment_id__in=[pk for pk, _a in payments]
    ).values_list("payment_id", "amount"):
        used[payment_id] += amount
    existing = {
        (a.payment_id, a.charge_id): a
        for a in Allocation.objects.filter(
            charge_id__in=[c.pk for c in open_charges], payment_id__in=[pk for pk, _a in payments]
        )
    }
    new, changed = [], []
    remaining = {c.pk: c.open for c in open_charges}
    queue = iter(open_charges)
    charge = next(queue)
    for payment_id, amount in payments:
        left = amount - used[payment_id]
        while left > 0 and charge is not None:
            take = min(left, remaining[charge.pk])
            key = (payment_id, charge.pk)
            if key in existing:
                existing[key].amount += take
                changed.append(existing[key])
            else:
                existing[key] = Allocation(payment_id=payment_id, charge_id=charge.pk, amount=take)
                new.append(existing[key])
            left -= take
            remaining[charge.pk] -= take
            if remaining[charge.pk] == 0:
                charge = next(queue, None)
        if charge is None:
            break
    Allocation.objects.bulk_create(new)
    if changed:
        Allocation.objects.bulk_update(changed, ["amount"])


def settle_students_with_credit(student_ids) -> int:
    """`settle` each of these students who has credit to spend (after new dues)."""
    student_ids = list(set(student_ids))
    if not student_ids:
        return 0
    paid = dict(
        Payment.objects.valid()
        .filter(student_id__in=student_ids)
        .values("student_id")
        .annotate(t=money_sum("amount"))
        .values_list("student_id", "t")
    )
    allocated = dict(
        Allocation.objects.filter(
            payment__student_id__in=student_ids, payment__voided_at__isnull=True
        )
        .values("payment__student_id")
        .annotate(t=money_sum("amount"))
        .values_list("payment__student_id", "t")
    )
    settled = 0
    for student_id, total in paid.items():
        if total > allocated.get(student_id, ZERO):
            lock_student(student_id)
            settle(student_id)
            settled += 1
    return settled
