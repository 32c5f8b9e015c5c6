"""The demo fees: a year of dues and payments that keep every money rule."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Student
from fees import selectors
from fees.models import Allocation, Charge, Payment

pytestmark = pytest.mark.django_db


def test_demo_fees_are_believable_and_consistent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    payments = Payment.objects.count()
    assert payments > 150
    assert Payment.objects.filter(voided_at__isnull=False).count() >= 2
    assert {m for (m,) in Payment.objects.values_list("method").distinct()} == {
        "cash",
        "upi",
        "card",
        "bank",
        "cheque",
    }
    kinds = set(Charge.objects.values_list("kind", flat=True))
    assert {"monthly", "admission", "exam", "late"} <= kinds
    assert Charge.objects.filter(concession_amount__gt=0).exists()
    kavya = Student.objects.get(user__email="student@musicbeats.test")
    aditya = Student.objects.get(user__full_name="Aditya Nair")
    for child in (kavya, aditya):
        assert Payment.objects.filter(student=child).count() >= 6
        assert selectors.student_account(child.pk).outstanding > 0  # this month is open
    owing = [s for s in selectors.with_balances(Student.objects.all()) if s.balance_total > 0]
    assert len(owing) >= 10  # overdue and partial payers
    # Receipt numbers: unique and gapless per financial year.
    for year in Payment.objects.values_list("financial_year", flat=True).distinct():
        sequences = sorted(
            Payment.objects.filter(financial_year=year).values_list("receipt_sequence", flat=True)
        )
        assert sequences == list(range(1, len(sequences) + 1))
    # Every student's allocations within their charges and payments.
    for student in Student.objects.all():
        account = selectors.student_account(student.pk)
        assert account.outstanding == 0 or account.credit == 0
        assert account.outstanding - account.credit == account.balance
    for charge in Charge.objects.with_amounts():
        assert Decimal(0) <= charge.paid <= charge.net
    assert Allocation.objects.filter(payment__voided_at__isnull=True).count() > 0
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Payment.objects.count() == payments
