"""Property: every summary total equals the sum of the ledger rows it stands for.

Hypothesis draws a small institute's books (students, monthly dues, one-off charges,
concessions, payments, voids) and a date range; each example runs inside a savepoint
that is rolled back (the ledger refuses deletes, so nothing could be cleaned otherwise).
The expected figures are computed here in Python from the rows themselves.
"""

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Institute
from fees.models import Charge, Payment
from fees.reports.cash_close import cash_close
from fees.reports.collected import collections
from fees.reports.dues_matrix import dues_matrix_all
from fees.reports.owing import owing
from fees.reports.statement import statement as student_statement
from fees.services import add_charge, grant_concession, record_payment, void_payment
from musicbeats.dates import Period
from tests.factories import BatchFactory, StudentFactory, UserFactory, monthly_dues

FIRST = date(2025, 1, 1)
DAYS = 540  # Jan 2025 to Jun 2026
MONTHS = [date(2025 + (m // 12), m % 12 + 1, 1) for m in range(18)]

money = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("5000.00"), places=2)
day = st.integers(min_value=0, max_value=DAYS - 1).map(lambda n: FIRST + timedelta(days=n))

student_books = st.fixed_dictionaries(
    {
        "batch": st.integers(min_value=0, max_value=1),
        "fee": money,
        "months": st.lists(st.sampled_from(MONTHS), min_size=0, max_size=6, unique=True),
        "one_offs": st.lists(st.tuples(money, day), max_size=2),
        "concession": st.none() | st.decimals(min_value=Decimal("0.01"), max_value=1, places=2),
        "payments": st.lists(
            st.tuples(money, day, st.sampled_from(["cash", "upi", "card"]), st.booleans()),
            max_size=5,
        ),
    }
)


class Rollback(Exception):
    pass


def expected_owed(charges, payments, *, on, due_by=None):
    """Σ over students of max(0, dues - payments) as of `on`, from the rows."""
    total, students = Decimal("0.00"), 0
    for sid in {c.student_id for c in charges} | {p.student_id for p in payments}:
        dues = sum(
            (
                c.amount - c.concession_amount
                for c in charges
                if c.student_id == sid and (c.due_on <= due_by if due_by else c.period <= on)
            ),
            Decimal(0),
        )
        paid = sum(
            (p.amount for p in payments if p.student_id == sid and p.paid_on <= on),
            Decimal(0),
        )
        if dues - paid > 0:
            total += dues - paid
            students += 1
    return {"total": total, "students": students}


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    books=st.lists(student_books, min_size=1, max_size=4),
    start=day,
    length=st.integers(min_value=0, max_value=400),
)
def test_every_summary_total_is_the_sum_of_its_ledger_rows(books, start, length):
    try:
        with transaction.atomic():
            check(books, start, min(start + timedelta(days=length), FIRST + timedelta(DAYS)))
            raise Rollback
    except Rollback:
        pass


def check(books, start, end):
    institute = Institute.get()
    _write_ledger(books)
    charges = list(Charge.objects.all())
    payments = list(Payment.objects.all())
    valid = [p for p in payments if not p.is_void]
    period = Period(start, end)
    billed = [c for c in charges if start <= c.period <= end]
    _check_collections(period, valid, billed)
    _check_owing(institute, charges, valid, end)
    matrix = dues_matrix_all(period)
    assert matrix.total == sum((row.total for row in matrix.rows), Decimal(0))
    assert matrix.total == sum((c.amount - c.concession_amount for c in billed), Decimal(0))

    _check_statements(period, charges, payments, valid)
    close = cash_close(start)
    assert close.total == sum((p.amount for p in valid if p.paid_on == start), Decimal(0))
    assert close.cash == sum(
        (p.amount for p in valid if p.paid_on == start and p.method == "cash"), Decimal(0)
    )


def _write_ledger(books):
    """Each student's dues, concessions, one-off charges and payments (some voided)."""
    office = UserFactory(role="office")
    batches = [BatchFactory(), BatchFactory()]
    for spec in books:
        student = StudentFactory()
        if spec["months"]:
            charges = monthly_dues(
                student, sorted(spec["months"]), amount=spec["fee"], batch=batches[spec["batch"]]
            )
            if spec["concession"] is not None:
                share = (charges[0].amount * spec["concession"]).quantize(Decimal("0.01"))
                if share > 0:
                    grant_concession(
                        charge=charges[0],
                        amount=share,
                        kind="scholarship",
                        reason="Merit",
                        by=office,
                    )
        for amount, on in spec["one_offs"]:
            add_charge(
                student=student,
                kind="books",
                amount=amount,
                description="Books",
                by=office,
                due_on=on,
            )
        for amount, on, method, voided in spec["payments"]:
            payment, _ = record_payment(
                student=student,
                amount=amount,
                method=method,
                recorded_by=office,
                idempotency_key=__import__("uuid").uuid4(),
                paid_on=on,
                reference=f"REF-{uuid4()}" if method != "cash" else "",
            )
            if voided:
                void_payment(payment=payment, by=office, reason="Mistake")


def _check_collections(period, valid, billed):
    start, end = period.start, period.end
    in_range = [p for p in valid if start <= p.paid_on <= end]
    figures = collections(period)
    total = sum((p.amount for p in in_range), Decimal(0))
    assert figures.total == total
    assert figures.count == len(in_range)
    for rows in (figures.by_month, figures.by_method, figures.by_course, figures.by_batch):
        assert sum((row.amount for row in rows), Decimal(0)) == total
    assert sum(row.count for row in figures.by_method) == len(in_range)
    for row in figures.by_month:
        assert row.amount == sum(
            (p.amount for p in in_range if p.paid_on.replace(day=1) == row.key), Decimal(0)
        )
    assert sum((row.amount for row in figures.dues_by_month), Decimal(0)) == sum(
        (c.amount - c.concession_amount for c in billed), Decimal(0)
    )


def _check_owing(institute, charges, valid, end):
    days = institute.defaulter_days
    owed = owing(end, days=days)
    assert {"total": owed.outstanding, "students": owed.owing_students} == expected_owed(
        charges, valid, on=end
    )
    cutoff = end - timedelta(days=days + 1)
    expected = expected_owed(charges, valid, on=end, due_by=cutoff)
    assert {"total": owed.overdue, "students": len(owed.defaulters)} == expected
    listed = owed.all_defaulters()
    assert sum((p.overdue for p in listed), Decimal(0)) == expected["total"]
    assert all(p.student.pk == p.student_id for p in listed)


def _check_statements(period, charges, payments, valid):
    start, end = period.start, period.end
    for student_id in {c.student_id for c in charges} | {p.student_id for p in payments}:
        from accounts.models import Student

        statement = student_statement(
            Student.objects.select_related("user").get(pk=student_id), period
        )
        mine = [c for c in charges if c.student_id == student_id]
        paid = [p for p in valid if p.student_id == student_id]
        opening = sum(
            (c.amount - c.concession_amount for c in mine if c.period < start), Decimal(0)
        ) - sum((p.amount for p in paid if p.paid_on < start), Decimal(0))
        assert statement.opening == opening
        assert statement.charged == sum(
            (c.amount for c in mine if start <= c.period <= end), Decimal(0)
        )
        assert statement.paid == sum(
            (p.amount for p in paid if start <= p.paid_on <= end), Decimal(0)
        )
        assert statement.closing == (
            statement.opening + statement.charged - statement.concessions - statement.paid
        )
        assert sum((m.paid for m in statement.months), Decimal(0)) == statement.paid
