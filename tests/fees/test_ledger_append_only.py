"""The payment ledger is append-only: every path that could change or delete a payment
raises, through the ORM and through raw SQL (database triggers), on SQLite and
PostgreSQL (run the suite with DATABASE_URL=postgres://… for the second)."""

import uuid
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fees.models import LedgerError, Payment, PaymentGroup
from fees.services import edit_remarks, void_payment
from tests.db_triggers import trigger_names
from tests.factories import PaymentFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(office_user):
    return PaymentFactory(amount=Decimal("1200.00"), recorded_by=office_user)


def test_save_refuses_to_rewrite_a_stored_payment(payment):
    payment.amount = Decimal("1.00")
    with pytest.raises(LedgerError):
        payment.save()
    with pytest.raises(LedgerError):
        payment.save(update_fields=["amount"])
    assert Payment.objects.get(pk=payment.pk).amount == Decimal("1200.00")


def test_delete_of_one_payment_raises(payment):
    with pytest.raises(LedgerError):
        payment.delete()
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_queryset_update_raises(payment):
    with pytest.raises(LedgerError):
        Payment.objects.filter(pk=payment.pk).update(amount=Decimal("1.00"))
    with pytest.raises(LedgerError):
        Payment.objects.all().update(remarks="x")


def test_queryset_delete_raises(payment):
    with pytest.raises(LedgerError):
        Payment.objects.filter(pk=payment.pk).delete()
    with pytest.raises(LedgerError):
        Payment.objects.all().delete()


def test_bulk_update_raises(payment):
    payment.amount = Decimal("2.00")
    with pytest.raises(LedgerError):
        Payment.objects.bulk_update([payment], ["amount"])


def test_related_manager_cannot_delete_or_update(payment):
    student = payment.student
    with pytest.raises(LedgerError):
        student.payments.all().delete()
    with pytest.raises(LedgerError):
        student.payments.update(amount=Decimal("3.00"))


def _group(number="MB/2020-21/777777"):
    return PaymentGroup.objects.create(
        receipt_number=number, total=Decimal("1.00"), recorded_by=UserFactory(role="office")
    )


def _member(number, group=None, sequence=777777):
    """A payment row written straight (not through the service), with this receipt."""
    return Payment.objects.create(
        student=StudentFactory(),
        amount=Decimal("10.00"),
        method="cash",
        receipt_number=number,
        financial_year="2020-21",
        receipt_sequence=sequence,
        recorded_by=UserFactory(role="office"),
        group=group,
    )


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# Every column of fees_payment but the remarks and the void, each with a new value that
# the column's type and foreign key would accept: only the trigger can refuse it.
FROZEN_COLUMNS = {
    "id": lambda p: p.pk + 1000,
    "student_id": lambda p: StudentFactory().pk,
    "amount": lambda p: Decimal("1.00"),
    "paid_on": lambda p: "2020-01-01",
    "method": lambda p: "upi",
    "reference": lambda p: "changed",
    "receipt_number": lambda p: "MB/2026-27/999999",
    "financial_year": lambda p: "2020-21",
    "receipt_sequence": lambda p: 999999,
    "idempotency_key": lambda p: uuid.uuid4().hex,
    "recorded_by_id": lambda p: UserFactory(role="office").pk,
    "recorded_at": lambda p: "2020-01-01 00:00:00+00:00",
    # A payment is never moved into (or out of) a family payment (migration 0006).
    "group_id": lambda p: _group().pk,
}
MUTABLE_COLUMNS = {"remarks", "voided_at", "voided_by_id", "void_reason"}


def _stored(payment):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM fees_payment WHERE id = %s", [payment.pk])
        return cursor.fetchone()


@pytest.mark.parametrize("column", sorted(FROZEN_COLUMNS))
def test_raw_sql_update_of_a_frozen_column_raises(payment, column):
    before = _stored(payment)
    value = FROZEN_COLUMNS[column](payment)
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(f"UPDATE fees_payment SET {column} = %s WHERE id = %s", [value, payment.pk])  # noqa: S608
    assert _stored(payment) == before


@pytest.mark.parametrize("column", sorted(FROZEN_COLUMNS))
def test_raw_sql_update_of_a_frozen_column_of_a_void_payment_raises(payment, office_user, column):
    void_payment(payment=payment, by=office_user, reason="Wrong student")
    before = _stored(payment)
    value = FROZEN_COLUMNS[column](payment)
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(f"UPDATE fees_payment SET {column} = %s WHERE id = %s", [value, payment.pk])  # noqa: S608
    assert _stored(payment) == before


def test_every_column_of_the_ledger_is_frozen_or_known_to_change(db):
    # A column added to Payment later must be put in one list or the other (and the
    # trigger migration's FROZEN), or this fails.
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, "fees_payment")
        }
    assert columns == set(FROZEN_COLUMNS) | MUTABLE_COLUMNS


def test_raw_sql_delete_raises(payment):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM fees_payment WHERE id = %s", [payment.pk])
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM fees_payment", [])
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_raw_sql_may_change_remarks_only(payment):
    _raw("UPDATE fees_payment SET remarks = %s WHERE id = %s", ["cash in envelope", payment.pk])
    assert Payment.objects.get(pk=payment.pk).remarks == "cash in envelope"


def test_a_void_is_final_even_in_raw_sql(payment, office_user):
    void_payment(payment=payment, by=office_user, reason="Wrong student")
    with pytest.raises(IntegrityError):
        _raw(
            "UPDATE fees_payment SET voided_at = NULL, voided_by_id = NULL, void_reason = '' "
            "WHERE id = %s",
            [payment.pk],
        )
    with pytest.raises(IntegrityError):
        _raw("UPDATE fees_payment SET void_reason = 'other' WHERE id = %s", [payment.pk])


def test_voiding_twice_is_refused(payment, office_user):
    void_payment(payment=payment, by=office_user, reason="Wrong student")
    with pytest.raises(ValueError, match="already void"):
        void_payment(payment=payment, by=office_user, reason="Again")


def test_void_needs_a_reason(payment, office_user):
    with pytest.raises(ValueError, match="reason"):
        void_payment(payment=payment, by=office_user, reason="  ")
    assert Payment.objects.get(pk=payment.pk).voided_at is None


def test_void_keeps_the_row_with_who_when_why(payment, office_user):
    void_payment(payment=payment, by=office_user, reason="Cheque bounced")
    stored = Payment.objects.get(pk=payment.pk)
    assert stored.voided_by_id == office_user.pk
    assert stored.void_reason == "Cheque bounced"
    assert stored.voided_at <= timezone.now()
    assert stored.amount == Decimal("1200.00")


def test_remarks_edits_are_recorded(payment, office_user, admin_user):
    assert edit_remarks(payment=payment, remarks="first", by=office_user)
    assert not edit_remarks(payment=payment, remarks="first", by=office_user)
    assert edit_remarks(payment=payment, remarks="second", by=admin_user)
    edits = list(payment.remark_edits.values_list("old", "new", "edited_by"))
    assert edits == [("", "first", office_user.pk), ("first", "second", admin_user.pk)]
    assert Payment.objects.get(pk=payment.pk).remarks == "second"


def test_admin_is_read_only_for_payments(rf, admin_user, payment):
    model_admin = admin.site._registry[Payment]
    request = rf.get("/admin/fees/payment/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, payment)
    assert not model_admin.has_change_permission(request, payment)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_triggers_exist(db):
    # A later migration that rebuilds fees_payment on SQLite would drop them silently.
    names = trigger_names("fees_payment")
    # The payment totals' triggers (migration 0011): one function on PostgreSQL, an
    # INSERT and a void trigger on SQLite.
    totals = (
        {"fees_payment_totals_insert", "fees_payment_totals_void"}
        if connection.vendor == "sqlite"
        else {"fees_payment_totals"}
    )
    assert names == {
        "fees_payment_no_delete",
        "fees_payment_frozen",
        "fees_payment_receipt_shared",
        *totals,
    }


def test_a_payment_leaves_no_family_payment_in_raw_sql(payment):
    group = _group()
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("UPDATE fees_payment SET group_id = %s WHERE id = %s", [group.pk, payment.pk])
    member = _member(group.receipt_number, group)
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("UPDATE fees_payment SET group_id = NULL WHERE id = %s", [member.pk])
    assert Payment.objects.get(pk=member.pk).group_id == group.pk


def test_payments_sharing_a_receipt_number_belong_to_one_group(payment):
    # Even written in raw SQL (the INSERT trigger of migration 0006).
    first, second = _group(), _group("MB/2020-21/777778")
    _member(first.receipt_number, first)
    with transaction.atomic(), pytest.raises(IntegrityError):
        _member(first.receipt_number, second, sequence=1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        _member(first.receipt_number, sequence=2)
    with transaction.atomic(), pytest.raises(IntegrityError):
        _member(payment.receipt_number, first, sequence=3)
    # Two children in one group share it.
    _member(first.receipt_number, first)
    assert Payment.objects.filter(receipt_number=first.receipt_number).count() == 2


def test_a_family_payment_is_never_changed_or_deleted(db):
    group = _group()
    group.total = Decimal("2.00")
    with pytest.raises(LedgerError):
        group.save()
    with pytest.raises(LedgerError):
        group.delete()


def test_admin_pages_show_payments_and_charges_read_only(client, admin_user, payment):
    from fees.services import edit_remarks
    from tests.factories import ChargeFactory

    edit_remarks(payment=payment, remarks="checked", by=admin_user)
    charge = ChargeFactory(student=payment.student)
    client.force_login(admin_user)
    for path in [
        "/admin/fees/payment/",
        f"/admin/fees/payment/{payment.pk}/change/",
        "/admin/fees/charge/",
        f"/admin/fees/charge/{charge.pk}/change/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'name="_save"' not in response.content
    assert client.post(f"/admin/fees/payment/{payment.pk}/delete/").status_code == 403
