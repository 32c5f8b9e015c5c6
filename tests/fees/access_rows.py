"""Who may open each fees URL (see tests/access.py). fees_core's rows first; the
summaries' rows (fees_views) follow at the end."""

from accounts.models import Role
from tests.access import STAFF, Row

PAYERS = frozenset({Role.ADMIN, Role.OFFICE, Role.STUDENT, Role.GUARDIAN})
FAMILY = frozenset({Role.STUDENT, Role.GUARDIAN})


def _payment_of_student(request):
    """A payment of the `student` fixture's family: the payer and their guardian see it."""
    from tests.factories import PaymentFactory

    student = request.getfixturevalue("student")
    office = request.getfixturevalue("office_user")
    payment = PaymentFactory(student=student.student, recorded_by=office)
    return {"pk": payment.pk}


def _charge(request):
    from tests.factories import ChargeFactory

    return {"pk": ChargeFactory(student=request.getfixturevalue("student").student).pk}


ROWS = {
    "fees:payment_list": Row(STAFF),
    "fees:payment_new": Row(STAFF),
    # The family desk of the `guardian` fixture (one child: the page still opens).
    "fees:family_payment_new": Row(
        STAFF, kwargs=lambda request: {"pk": request.getfixturevalue("guardian").pk}
    ),
    "fees:payment_detail": Row(PAYERS, kwargs=_payment_of_student),
    "fees:payment_pdf": Row(PAYERS, kwargs=_payment_of_student),
    # GET is the confirmation step (staff); tests/fees/test_payment_detail.py checks who
    # may POST: staff; others 403.
    "fees:payment_void": Row(STAFF, kwargs=_payment_of_student),
    # POST only: the matrix's GET is 405 for every role.
    "fees:payment_remarks": Row(
        frozenset(), kwargs=_payment_of_student, refused=405, declared=STAFF
    ),
    "fees:dues_generate": Row(STAFF),
    "fees:late_fees": Row(STAFF),
    "fees:charge_new": Row(STAFF),
    "fees:concession_new": Row(STAFF, kwargs=_charge),
    # Summaries (fees_views).
    "fees:summary": Row(STAFF),
    "fees:cash_close": Row(STAFF),
    # POST only (tests/fees/test_day_close.py: staff close, a teacher gets 403).
    "fees:day_close": Row(frozenset(), refused=405, declared=STAFF),
    "fees:closed_days": Row(STAFF),
    # `student` and their `guardian` see this statement; another family gets 404 (tested
    # in test_statement.py); a teacher gets 403.
    "fees:student_statement": Row(
        STAFF | FAMILY, kwargs=lambda request: {"pk": request.getfixturevalue("student").pk}
    ),
    "fees:mine": Row(FAMILY),
}
