"""Who may see which payment: one helper, so no page filters access on its own."""

from django.http import Http404

from accounts.models import STAFF_ROLES, Guardianship, Role, Student
from fees.models import Payment
from musicbeats.ids import parse_id


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
