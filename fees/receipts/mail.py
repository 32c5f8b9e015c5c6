"""A recorded payment's receipt reaches the family: `notify(…, Kind.RECEIPT, …)` to each
of the family (`accounts.notifications.recipients.family_of`), the PDF attached.

`record_payment` and `record_family_payment` (every path that creates a payment: the
single desk, the family desk, UPI statement matching) call `send_after_commit`, so the
receipt goes out only once the payment is committed, and never takes the payment down
with it: `notify` only writes outbox rows and enqueues their sends (the mail server is
reached by the task), and any error here is logged by `on_commit(robust=True)`, the
payment already saved.

One receipt, one message per person: a family payment (one receipt number, several
children) is one message to each guardian, naming the children that guardian may see,
with the PDF of that receipt as they may see it. The event is "receipt:<number>", so a
repeated call sends nothing twice. A payment void by the time this runs sends nothing;
voiding a payment sends nothing either (the receipt's page says VOID; the office tells
the family in person or on WhatsApp).
"""

import logging
from functools import partial

from django.db import transaction
from django.urls import reverse

from accounts.models import Guardianship, Role
from fees.models import Payment
from fees.receipts.pdf import ATTACHMENT
from musicbeats.money import money, to_decimal

log = logging.getLogger(__name__)


def send_after_commit(payment_id: int) -> None:
    """Send the receipt of `payment_id` (a family payment: any of its members) once the
    current transaction commits; an error is logged, never raised to the desk."""
    transaction.on_commit(partial(send_receipt, payment_id), robust=True)


def send_receipt(payment_id: int) -> list:
    """Tell the family of the receipt `payment_id` is on. Returns the new outbox rows."""
    from accounts.notifications.models import Kind
    from accounts.notifications.recipients import family_of
    from accounts.notifications.service import notify

    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or payment.is_void:
        return []
    members = _members(payment)
    recipients = {}
    for member in members:
        for user in family_of(member.student):
            recipients.setdefault(user.pk, user)
    wards = _wards(recipients.values())
    rows = []
    for user in recipients.values():
        seen = _seen_by(user, members, wards)
        if not seen:
            continue
        rows += notify(
            user,
            Kind.RECEIPT,
            f"receipt:{payment.receipt_number}",
            receipt_context(payment, seen),
            link=reverse("fees:payment_detail", args=[seen[0].pk]),
            attachments=[f"{ATTACHMENT}:{seen[0].pk}.{user.pk}"],
        )
    return rows


def _members(payment: Payment) -> list[Payment]:
    if payment.group_id is None:
        return [Payment.objects.select_related("student__user").get(pk=payment.pk)]
    return list(
        Payment.objects.filter(group_id=payment.group_id)
        .select_related("student__user")
        .order_by("pk")
    )


def _wards(users) -> dict[int, set[int]]:
    """{guardian id: their students' ids} for the guardians among `users` (one query)."""
    wards = {}
    ids = [u.pk for u in users if u.role == Role.GUARDIAN]
    for guardian_id, student_id in Guardianship.objects.filter(guardian_id__in=ids).values_list(
        "guardian_id", "student_id"
    ):
        wards.setdefault(guardian_id, set()).add(student_id)
    return wards


def _seen_by(user, members, wards) -> list[Payment]:
    """The members of the receipt `user` may see (as `fees.access.family_receipt`): a
    guardian their wards' shares, a student their own."""
    if user.role == Role.GUARDIAN:
        return [m for m in members if m.student_id in wards.get(user.pk, ())]
    return [m for m in members if m.student_id == user.pk]


def receipt_context(payment: Payment, members: list[Payment]) -> dict:
    """The placeholders of a receipt message (texts.PLACEHOLDERS[Kind.RECEIPT])."""
    from accounts.notifications.service import absolute

    names = [m.student.user.full_name for m in members]
    student = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    path = reverse("fees:payment_detail", args=[members[0].pk])
    return {
        "student": student,
        "receipt": payment.receipt_number,
        "amount": money(sum((to_decimal(m.amount) for m in members), to_decimal(0))),
        "paid_on": f"{payment.paid_on.day} {payment.paid_on:%B %Y}",
        "method": payment.get_method_display(),
        "link": absolute(path),
    }
