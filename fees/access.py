"""Who may see which payment: one helper, so no page filters access on its own."""

from django.http import Http404

from accounts.models import STAFF_ROLES, Guardianship, Role, Student
from fees.models import Payment
from musicbeats.ids import parse_id
from musicbeats.money import ZERO


def may_see_student_fees(user, student_id: int) -> bool:
    """Staff see every student's fees; a student their own; a guardian their wards'."""
    if user.role in STAFF_ROLES:
        return True
    if user.role == Role.STUDENT:
        return user.pk == student_id
    if user.role == Role.GUARDIAN:
        return Guardianship.objects.filter(guardian=user, student_id=student_id).exists()
    return False


def get_payment_for(request, pk: int) -> Payment:
    """The payment with its student, recorder and voider, if `request.user` may see it;
    404 otherwise (another family's receipt does not exist for them)."""
    payment = (
        Payment.objects.select_related("student__user", "recorded_by", "voided_by")
        .filter(pk=pk)
        .first()
    )
    if payment is None or not may_see_student_fees(request.user, payment.student_id):
        raise Http404("No such payment.")
    return payment


def family_receipt(user, payment: Payment) -> dict:
    """The family receipt a member payment belongs to, as `user` may see it: staff and
    the guardians see every child's lines they may see (a guardian: their own wards); a
    student only their own (a sibling's lines are the family's, not theirs). Each member:
    its payment and allocations; `total` of what is shown. Three queries."""
    from fees.models import Allocation

    members = list(
        Payment.objects.filter(group_id=payment.group_id)
        .select_related("student__user", "group__payer")
        .order_by("pk")
    )
    if user.role == Role.STUDENT:
        members = [m for m in members if m.student_id == user.pk]
    elif user.role == Role.GUARDIAN:
        wards = set(Guardianship.objects.filter(guardian=user).values_list("student_id", flat=True))
        members = [m for m in members if m.student_id in wards]
    elif user.role not in STAFF_ROLES:
        members = []
    lines = {m.pk: [] for m in members}
    for allocation in (
        Allocation.objects.filter(payment_id__in=list(lines))
        .select_related("charge")
        .order_by("charge__due_on", "charge_id")
    ):
        lines[allocation.payment_id].append(allocation)
    rows = []
    for member in members:
        paid = sum((a.amount for a in lines[member.pk]), ZERO)
        rows.append({"payment": member, "lines": lines[member.pk], "credit": member.amount - paid})
    group = members[0].group if members else None
    total = sum((m.amount for m in members), ZERO)
    return {"group": group, "members": rows, "total": total, "count": len(members)}


def student_or_404(pk) -> Student:
    """A student with their user, for staff pages (the view's decorator has let only
    staff in); 404 for an id that is not a student's (or not an id at all)."""
    student_id = parse_id(pk)
    student = (
        Student.objects.select_related("user").filter(pk=student_id).first() if student_id else None
    )
    if student is None:
        raise Http404("No such student.")
    return student
