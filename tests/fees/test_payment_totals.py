"""The payment totals the database keeps (migration 0011; fees.reports.totals): per day
and method, per student, written by triggers in the payment's own transaction, equal to
the ledger after every kind of write, and checked (and repaired) by a command."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from fees import services
from fees.models import Payment, PaymentDayTotal, StudentPaidTotal
from fees.reports import totals
from fees.services import receipt_number
from tests.factories import GuardianshipFactory, PaymentFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def record(student, amount, *, by, method="cash", days_ago=0, reference=""):
    payment, _created = services.record_payment(
        student=student,
        amount=Decimal(amount),
        method=method,
        reference=reference,
        paid_on=timezone.localdate() - timedelta(days=days_ago),
        recorded_by=by,
        idempotency_key=uuid.uuid4(),
    )
    return payment


def kept_day(day, method):
    row = PaymentDayTotal.objects.filter(paid_on=day, method=method).first()
    return (totals.money(row.paise), row.payments, row.voids) if row else None


def kept_student(student):
    row = StudentPaidTotal.objects.filter(student=student).first()
    return (totals.money(row.paise), row.payments) if row else None


def test_a_payment_and_its_void_move_the_totals_in_their_own_transaction(office_user):
    today = timezone.localdate()
    kavya, ravi = StudentFactory(), StudentFactory()
    first = record(kavya, "1500.50", by=office_user)
    record(kavya, "0.10", by=office_user)
    record(ravi, "200", by=office_user, method="upi", reference="UTR1")
    assert kept_day(today, "cash") == (Decimal("1500.60"), 2, 0)
    assert kept_day(today, "upi") == (Decimal("200.00"), 1, 0)
    assert kept_student(kavya) == (Decimal("1500.60"), 2)
    services.void_payment(payment=first, by=office_user, reason="Typed for the wrong family")
    assert kept_day(today, "cash") == (Decimal("0.10"), 1, 1)
    assert kept_student(kavya) == (Decimal("0.10"), 1)
    assert totals.differences() == []


def test_a_family_payment_counts_each_childs_share(office_user):
    guardian = UserFactory(role="guardian")
    children = [GuardianshipFactory(guardian=guardian).student for _ in range(2)]
    services.record_family_payment(
        guardian=guardian,
        amounts={children[0]: Decimal("700"), children[1]: Decimal("300.25")},
        method="cash",
        recorded_by=office_user,
        idempotency_key=uuid.uuid4(),
    )
    assert kept_day(timezone.localdate(), "cash") == (Decimal("1000.25"), 2, 0)
    assert kept_student(children[1]) == (Decimal("300.25"), 1)
    assert totals.differences() == []


def test_bulk_inserts_and_payments_stored_void_are_counted_too(office_user):
    """The demo and imports write with bulk_create; the triggers see every row."""
    student = StudentFactory()
    rows = [
        Payment(
            student=student,
            amount=Decimal(amount),
            paid_on=timezone.localdate(),
            method="cash",
            receipt_number=receipt_number("2000-01", n + 1),
            financial_year="2000-01",
            receipt_sequence=n + 1,
            recorded_by=office_user,
            **(
                {"voided_at": timezone.now(), "voided_by": office_user, "void_reason": "x"}
                if amount == "9"
                else {}
            ),
        )
        for n, amount in enumerate(["33.33", "33.33", "33.33", "9"])
    ]
    Payment.objects.bulk_create(rows)
    assert kept_student(student) == (Decimal("99.99"), 3)
    assert kept_day(timezone.localdate(), "cash") == (Decimal("99.99"), 3, 1)
    assert totals.differences() == []


def test_writes_from_outside_the_orm_keep_them_too(office_user):
    """Triggers, not Python: a row inserted and voided in plain SQL moves the totals."""
    model = PaymentFactory(amount=Decimal("10"))
    student = model.student
    with connection.cursor() as cursor:
        columns = [
            f.column for f in Payment._meta.concrete_fields if f.column not in ("id", "group_id")
        ]
        values = [
            getattr(model, f.attname)
            for f in Payment._meta.concrete_fields
            if f.column not in ("id", "group_id")
        ]
        values[columns.index("idempotency_key")] = uuid.uuid4().hex
        values[columns.index("receipt_number")] = "MB/RAW/1"
        values[columns.index("receipt_sequence")] = 999
        values[columns.index("amount")] = Decimal("25.50")
        cursor.execute(
            f"INSERT INTO fees_payment ({', '.join(columns)}) "  # noqa: S608 - model columns
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            values,
        )
        assert kept_student(student) == (Decimal("35.50"), 2)
        cursor.execute(
            "UPDATE fees_payment SET voided_at = %s, voided_by_id = %s, void_reason = 'raw' "
            "WHERE id = %s",
            [timezone.now(), office_user.pk, model.pk],
        )
    assert kept_student(student) == (Decimal("25.50"), 1)
    assert totals.differences() == []


def test_the_check_command_finds_a_difference_and_repairs_it(office_user, capsys):
    record(StudentFactory(), "500", by=office_user)
    call_command("check_fee_totals")
    assert "agree with the ledger" in capsys.readouterr().out
    PaymentDayTotal.objects.update(paise=1)  # a total gone wrong
    StudentPaidTotal.objects.all().delete()
    with pytest.raises(CommandError, match="2 payment total"):
        call_command("check_fee_totals")
    call_command("check_fee_totals", "--repair")
    assert "Repaired: 2" in capsys.readouterr().out
    assert totals.differences() == []
    call_command("check_fee_totals")


def test_the_migrations_backfill_counts_the_ledger_as_it_was(office_user):
    """0011 fills the tables from the payments already stored before its triggers."""
    from importlib import import_module

    migration = import_module("fees.migrations.0011_payment_totals")
    student = StudentFactory()
    record(student, "120", by=office_user)
    gone = record(student, "80", by=office_user, days_ago=3)
    services.void_payment(payment=gone, by=office_user, reason="x")
    PaymentDayTotal.objects.all().delete()
    StudentPaidTotal.objects.all().delete()
    with connection.cursor() as cursor:
        for statement in migration.BACKFILL:
            cursor.execute(statement)
    assert totals.differences() == []
    assert kept_day(timezone.localdate() - timedelta(days=3), "cash") == (Decimal("0.00"), 0, 1)


def test_the_figures_read_the_kept_totals_not_the_ledger(office_user, client):
    """The dashboard, the cash close and the summary read the totals: a total changed
    behind the ledger's back shows on all three (which is why `check_fee_totals` exists)."""
    student = StudentFactory()
    record(student, "1000", by=office_user)
    PaymentDayTotal.objects.update(paise=123456)  # ₹1,234.56
    client.force_login(office_user)
    assert "1,234.56" in client.get("/").content.decode()
    assert "1,234.56" in client.get("/fees/cash-close/").content.decode()
    assert "1,234.56" in client.get("/fees/summary/").content.decode()


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no race to lose."
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_desks_recording_and_voiding_at_once_leave_exact_totals(office_user, admin_user):
    """Four desks record and void at the same moment on their own connections: the day's
    row and the students' rows are updated by all of them, nothing lost, no deadlock."""
    students = [StudentFactory() for _ in range(4)]
    to_void = [record(s, "10", by=office_user) for s in students]
    barrier = threading.Barrier(4)
    errors = []

    def desk(n):
        try:
            barrier.wait(timeout=30)
            for i in range(5):
                record(students[(n + i) % 4], "1.01", by=office_user)
                if i == 2:
                    services.void_payment(payment=to_void[n], by=admin_user, reason="race")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert kept_day(timezone.localdate(), "cash") == (Decimal("20.20"), 20, 4)
    assert totals.differences() == []
