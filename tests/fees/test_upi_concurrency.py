"""Two desks confirm one reported UPI payment, or record one statement, at the same
moment: one payment (the report's row and the statement's row are locked)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from fees.models import Payment, StatementImport
from fees.upi_matching import matching
from fees.upi_matching.reports import confirm_report, report_upi_payment
from fees.upi_matching.statements import read_statement
from tests.factories import ChargeFactory, StudentFactory, UserFactory
from tests.fees.test_concurrency import needs_real_concurrency, run_at_once
from tests.fees.upi_helpers import bank_csv

pytestmark = [pytest.mark.django_db(transaction=True), needs_real_concurrency]


def test_two_desks_confirm_one_report_once():
    student = StudentFactory()
    ChargeFactory(student=student, amount=Decimal("1500.00"))
    report = report_upi_payment(
        by=student.user,
        students=[student],
        amount=Decimal("1500"),
        reference="412345678901",
        paid_on=timezone.localdate(),
    )
    desks = [UserFactory(role="office") for _ in range(4)]
    results = run_at_once(
        [lambda user=user: confirm_report(report_id=report.pk, by=user)[1] for user in desks]
    )
    assert sorted(results) == [False, False, False, True], results
    assert Payment.objects.count() == 1


def test_two_desks_record_one_statement_once():
    student = StudentFactory(roll_number="MB-0001")
    ChargeFactory(student=student, amount=Decimal("1500.00"))
    desks = [UserFactory(role="office") for _ in range(3)]
    _layout, credits = read_statement(bank_csv([("111111111111", "1500.00", "Fees MB-0001")]))
    statements = [
        StatementImport.objects.create(
            uploaded_by=desks[0],
            filename="s.csv",
            sha256="0",
            layout="bank",
            lines=[c.as_json() for c in credits],
        )
        for _ in desks
    ]

    def record(statement, user):
        try:
            return matching.record_statement(
                statement_id=statement.pk, choices={0: (True, "")}, by=user
            )
        except matching.RecordRefused:
            return 0

    results = run_at_once(
        [lambda s=s, u=u: record(s, u) for s, u in zip(statements, desks, strict=True)]
    )
    assert sum(results) == 1, results
    assert Payment.objects.count() == 1
