"""The one place a UPI credit becomes payments: one child's, or a family's (one family
payment, one receipt number, `fees.family.record_family_payment`)."""

import uuid

from fees.models import Charge, Payment
from fees.selectors import OPEN_THRESHOLD
from fees.services import record_payment
from musicbeats.money import ZERO

NAMESPACE = uuid.UUID("6c1f3f0e-6a63-4c1e-9a55-1d2b7a1c0b13")


def split_by_open_dues(students, amount):
    """[(student, amount)]: each child's open dues in turn, what is left to the first."""
    ids = [student.pk for student in students]
    open_by = dict.fromkeys(ids, ZERO)
    for charge in Charge.objects.with_amounts().filter(
        student_id__in=ids, open__gte=OPEN_THRESHOLD
    ):
        open_by[charge.student_id] += charge.open
    parts, left = [], amount
    for student in students:
        take = min(open_by[student.pk], left)
        if take > 0:
            parts.append([student, take])
            left -= take
    if left > 0:
        if parts and parts[0][0].pk == students[0].pk:
            parts[0][1] += left
        else:
            parts.insert(0, [students[0], left])
    return [(student, part) for student, part in parts]


def _common_guardian(students):
    """The guardian (lowest id) linked to every one of `students`, or None."""
    from django.db.models import Count

    from accounts.models import Guardianship

    ids = {student.pk for student in students}
    row = (
        Guardianship.objects.filter(student_id__in=ids)
        .values("guardian")
        .annotate(n=Count("student", distinct=True))
        .filter(n=len(ids))
        .order_by("guardian")
        .first()
    )
    return None if row is None else row["guardian"]


def record_upi_for_students(
    *, students, amount, reference, paid_on, recorded_by, key: str, remarks=""
) -> list[Payment]:
    """Record a UPI credit of `amount` for `students` (one child or a family). One child
    with open dues: one payment. Several: one family payment (`record_family_payment`:
    one receipt number, a line per child, each child's open dues in turn, the first
    child takes what is left as credit). `key` makes it idempotent: the same key never
    records twice."""
    from accounts.models import User
    from fees.services import record_family_payment

    students = list(students)
    parts = split_by_open_dues(students, amount)
    guardian_id = (
        _common_guardian([student for student, _part in parts]) if len(parts) > 1 else None
    )
    if guardian_id is None:
        return [
            record_payment(
                student=student,
                amount=part,
                method=Payment.Method.UPI,
                recorded_by=recorded_by,
                idempotency_key=uuid.uuid5(NAMESPACE, f"{key}:{student.pk}"),
                paid_on=paid_on,
                # Children without one guardian in common (never from a family's own
                # report): separate payments, the 2nd and later with a suffixed reference.
                reference=reference if index == 0 else f"{reference}/{index + 1}",
                remarks=remarks,
            )[0]
            for index, (student, part) in enumerate(parts)
        ]
    group, _created = record_family_payment(
        guardian=User.objects.get(pk=guardian_id),
        amounts=dict(parts),
        credit_to=parts[0][0],
        method=Payment.Method.UPI,
        recorded_by=recorded_by,
        idempotency_key=uuid.uuid5(NAMESPACE, key),
        paid_on=paid_on,
        reference=reference,
        remarks=remarks,
    )
    return list(group.payments.order_by("pk"))
