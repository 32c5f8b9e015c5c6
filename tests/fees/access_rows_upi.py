"""Who may open the UPI matching URLs (fees/upi_matching): families report, staff decide."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.access import STAFF, Row
from tests.fees.access_rows import FAMILY


def _report(request):
    from fees.upi_matching.reports import report_upi_payment

    student = request.getfixturevalue("student")
    report = report_upi_payment(
        by=student,
        students=[student.student],
        amount=Decimal("100.00"),
        reference="412345678901",
        paid_on=timezone.localdate() - timedelta(days=1),
    )
    return {"pk": report.pk}


def _statement(request):
    from fees.models import StatementImport

    office = request.getfixturevalue("office_user")
    statement = StatementImport.objects.create(
        uploaded_by=office, filename="s.csv", sha256="0" * 64, layout="bank", lines=[]
    )
    return {"pk": statement.pk}


ROWS = {
    "fees:upi_report_new": Row(FAMILY),
    "fees:upi_queue": Row(STAFF),
    # POST only: GET is 405 for every role; test_upi_reports.py checks who may POST.
    "fees:upi_confirm": Row(frozenset(), kwargs=_report, refused=405, declared=STAFF),
    "fees:upi_reject": Row(frozenset(), kwargs=_report, refused=405, declared=STAFF),
    "fees:statement_upload": Row(STAFF),
    "fees:statement_review": Row(STAFF, kwargs=_statement),
}
