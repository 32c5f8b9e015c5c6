"""Dues, allocation, credit, voids and concessions: the money rules of fees.services."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Institute
from fees import selectors, services
from fees.models import Allocation, Charge, Payment
from tests.factories import ChargeFactory, EnrollmentFactory, PaymentFactory, StudentFactory

pytestmark = pytest.mark.django_db
D = Decimal


def pay(student, amount, office, **kwargs):
    payment, _created = services.record_payment(
        student=student,
        amount=D(amount),
        method=kwargs.pop("method", "cash"),
        recorded_by=office,
        idempotency_key=kwargs.pop("key", uuid.uuid4()),
        **kwargs,
    )
    return payment


def charge(student, amount, due_on, **kwargs):
    return ChargeFactory(student=student, amount=D(amount), due_on=due_on, **kwargs)


def allocations(payment):
    return [(a.charge_id, a.amount) for a in selectors.payment_allocations(payment.pk)]


def test_payment_pays_the_oldest_dues_first(office_user):
    s = StudentFactory()
    sep = charge(s, "1000", date(2026, 9, 10))
    octo = charge(s, "1000", date(2026, 10, 10))
    nov = charge(s, "1000", date(2026, 11, 10))
    p = pay(s, "1500", office_user)
    assert allocations(p) == [(sep.pk, D("1000")), (octo.pk, D("500"))]
    account = selectors.student_account(s.pk)
    assert [c.pk for c in account.open_dues] == [octo.pk, nov.pk]
    assert account.outstanding == D("1500") and account.credit == 0
    assert account.balance == D("1500")


def test_overpayment_leaves_a_credit_that_later_dues_use(office_user):
    s = StudentFactory()
    charge(s, "1000", date(2026, 10, 10))
    p = pay(s, "2500", office_user)
    assert selectors.credit(s.pk) == D("1500")
    assert selectors.balance(s.pk) == D("-1500")
    later = services.add_charge(
        student=s, kind="exam", amount=D("1200"), description="Exam", by=office_user
    )
    assert selectors.credit(s.pk) == D("300")
    assert (later.pk, D("1200")) in allocations(p)
    assert selectors.open_dues(s.pk) == []


def test_generated_dues_use_credit(office_user):
    s = StudentFactory(joined_on=date(2026, 1, 1))
    EnrollmentFactory(student=s, joined_on=date(2026, 1, 1), monthly_fee=D("1500"))
    pay(s, "2000", office_user)
    assert services.generate_dues(month=date(2026, 11, 1)) == 1
    assert selectors.credit(s.pk) == D("500")
    assert selectors.open_dues(s.pk) == []


def test_void_reopens_dues_and_uses_other_credit(office_user):
    s = StudentFactory()
    first = charge(s, "1000", date(2026, 9, 10))
    second = charge(s, "1000", date(2026, 10, 10))
    a = pay(s, "1000", office_user)
    b = pay(s, "1500", office_user)  # pays Oct, 500 credit
    assert allocations(a) == [(first.pk, D("1000"))]
    services.void_payment(payment=a, by=office_user, reason="Wrong student")
    # b's credit now pays part of September; the void counts nowhere.
    account = selectors.student_account(s.pk)
    assert account.paid == D("1500")
    assert account.balance == D("500")
    assert [(c.pk, c.open) for c in account.open_dues] == [(first.pk, D("500"))]
    assert selectors.credit(s.pk) == 0
    assert sorted(allocations(b)) == sorted([(second.pk, D("1000")), (first.pk, D("500"))])
    # The void keeps its history of what it had paid.
    assert allocations(a) == [(first.pk, D("1000"))]


def test_concession_never_exceeds_its_charge(office_user, admin_user):
    s = StudentFactory()
    c = charge(s, "1000", date(2026, 10, 10))
    with pytest.raises(ValidationError):
        services.grant_concession(
            charge=c, amount=D("1000.01"), kind="sibling", reason="x", by=admin_user
        )
    with pytest.raises(ValidationError):
        services.grant_concession(
            charge=c, amount=D("100"), kind="sibling", reason=" ", by=admin_user
        )
    # Even past the service, the database refuses.
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.filter(pk=c.pk).update(
            concession_amount=D("2000"),
            concession_kind="other",
            concession_reason="x",
            concession_by=admin_user,
        )


def test_concession_on_a_paid_charge_becomes_credit(office_user, admin_user):
    s = StudentFactory()
    c = charge(s, "1000", date(2026, 10, 10))
    p = pay(s, "1000", office_user)
    services.grant_concession(
        charge=c, amount=D("250"), kind="scholarship", reason="Merit", by=admin_user
    )
    assert allocations(p) == [(c.pk, D("750"))]
    assert selectors.credit(s.pk) == D("250")
    stored = Charge.objects.get(pk=c.pk)
    assert (stored.concession_by_id, stored.concession_reason) == (admin_user.pk, "Merit")
    # A full waiver frees the whole payment.
    services.grant_concession(
        charge=c, amount=D("1000"), kind="other", reason="Waived", by=admin_user
    )
    assert allocations(p) == []
    assert selectors.credit(s.pk) == D("1000")


def test_one_off_charge_kinds_only(office_user):
    s = StudentFactory()
    with pytest.raises(ValidationError):
        services.add_charge(
            student=s, kind="monthly", amount=D("1"), description="", by=office_user
        )
    made = services.add_charge(
        student=s, kind="books", amount=D("450"), description="", by=office_user
    )
    assert made.description == "Books and material"
    assert made.created_by == office_user


# Monthly dues and proration ---------------------------------------------------------


@pytest.mark.parametrize(
    "rule,joined,left,expected,note",
    [
        ("full", date(2026, 11, 20), None, "1500", ""),
        ("half", date(2026, 11, 15), None, "1500", ""),
        ("half", date(2026, 11, 16), None, "750.00", "half month"),
        ("half", date(2026, 10, 1), date(2026, 11, 15), "750.00", "half month"),
        ("half", date(2026, 10, 1), date(2026, 11, 16), "1500", ""),
        ("days", date(2026, 11, 21), None, "500.00", "10 of 30 days"),
        ("days", date(2026, 10, 1), date(2026, 11, 10), "500.00", "10 of 30 days"),
        ("days", date(2026, 11, 1), None, "1500", ""),
    ],
)
def test_prorate(rule, joined, left, expected, note):
    amount, text = services.prorate(
        D("1500"), joined_on=joined, left_on=left, month=date(2026, 11, 1), rule=rule
    )
    assert (amount, text) == (D(expected), note)


def test_generate_dues_is_idempotent_and_prorates(db):
    Institute.objects.update_or_create(pk=1, defaults={"proration": "days", "due_day": 10})
    whole = EnrollmentFactory(joined_on=date(2026, 1, 5), monthly_fee=D("1500"))
    late = EnrollmentFactory(joined_on=date(2026, 11, 21), monthly_fee=D("1500"))
    EnrollmentFactory(joined_on=date(2026, 12, 1), monthly_fee=D("1500"))  # not yet
    EnrollmentFactory(joined_on=date(2026, 1, 5), left_on=date(2026, 10, 31))  # gone
    EnrollmentFactory(joined_on=date(2026, 1, 5), monthly_fee=D("0"))  # free
    assert services.generate_dues(month=date(2026, 11, 1)) == 2
    assert services.generate_dues(month=date(2026, 11, 1)) == 0
    dues = {c.enrollment_id: c for c in Charge.objects.filter(period=date(2026, 11, 1))}
    assert dues[whole.pk].amount == D("1500") and dues[whole.pk].due_on == date(2026, 11, 10)
    assert dues[late.pk].amount == D("500.00") and dues[late.pk].due_on == date(2026, 11, 21)
    assert "10 of 30 days" in dues[late.pk].description


def test_monthly_due_is_unique_per_enrollment_and_month(db):
    enrollment = EnrollmentFactory()
    month = date(2026, 11, 1)
    ChargeFactory(student=enrollment.student, kind="monthly", enrollment=enrollment, due_on=month)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargeFactory(
            student=enrollment.student, kind="monthly", enrollment=enrollment, due_on=month
        )


def test_generate_dues_command(db, capsys):
    from django.core.management import call_command

    EnrollmentFactory(joined_on=date(2026, 1, 5))
    call_command("generate_dues", "--month", "2026-11")
    call_command("generate_dues", "--month", "2026-11")
    out = capsys.readouterr().out
    assert "1 dues created for November 2026" in out
    assert "0 dues created for November 2026" in out
    assert Charge.objects.count() == 1


# Late fees --------------------------------------------------------------------------


def test_late_fees_only_after_the_due_day_once_per_student_month(office_user):
    Institute.objects.update_or_create(pk=1, defaults={"late_fee": D("100"), "due_day": 10})
    month = date(2026, 10, 1)
    owes = EnrollmentFactory(joined_on=date(2026, 1, 1))
    paid = EnrollmentFactory(joined_on=date(2026, 1, 1))
    services.generate_dues(month=month)
    pay(paid.student, "1500", office_user)
    assert services.plan_late_fees(month, today=date(2026, 10, 10)) == []
    plan = services.plan_late_fees(month, today=date(2026, 10, 11))
    assert [p.student.pk for p in plan] == [owes.student_id]
    ids = [owes.student_id, paid.student_id]
    made = services.apply_late_fees(
        month=month, by=office_user, student_ids=ids, today=date(2026, 10, 11)
    )
    assert made == 1
    assert services.apply_late_fees(month=month, by=office_user, student_ids=ids) == 0
    late = Charge.objects.get(kind="late")
    assert (late.student_id, late.amount, late.created_by_id) == (
        owes.student_id,
        D("100"),
        office_user.pk,
    )


def test_late_fees_only_for_students_the_office_ticked(office_user):
    Institute.objects.update_or_create(pk=1, defaults={"late_fee": D("100"), "due_day": 10})
    month = date(2026, 10, 1)
    EnrollmentFactory(joined_on=date(2026, 1, 1))
    services.generate_dues(month=month)
    assert services.apply_late_fees(month=month, by=office_user, student_ids=[]) == 0


def test_no_late_fee_when_the_institute_has_none(office_user):
    Institute.objects.update_or_create(pk=1, defaults={"late_fee": D("0")})
    EnrollmentFactory(joined_on=date(2026, 1, 1))
    services.generate_dues(month=date(2026, 10, 1))
    assert services.plan_late_fees(date(2026, 10, 1), today=date(2026, 11, 1)) == []


# Payments: validation and receipt numbers ------------------------------------------


@pytest.mark.parametrize("amount", ["0", "-5", "1e9", "10.999", "abc", "12,50", "1000000.01"])
def test_record_payment_refuses_bad_amounts(office_user, amount):
    s = StudentFactory()
    with pytest.raises(ValidationError):
        services.record_payment(
            student=s,
            amount=amount,
            method="cash",
            recorded_by=office_user,
            idempotency_key=uuid.uuid4(),
        )
    assert Payment.objects.count() == 0


@pytest.mark.dates
def test_record_payment_refuses_floats_future_dates_and_missing_references(office_user):
    s = StudentFactory()
    common = {"student": s, "recorded_by": office_user}
    with pytest.raises(ValidationError):
        services.record_payment(
            amount=1500.0, method="cash", idempotency_key=uuid.uuid4(), **common
        )
    with pytest.raises(ValidationError):
        services.record_payment(
            amount=D("1"),
            method="cash",
            idempotency_key=uuid.uuid4(),
            paid_on=timezone.localdate() + timedelta(days=1),
            **common,
        )
    for method in ("upi", "cheque", "bank"):
        with pytest.raises(ValidationError):
            services.record_payment(
                amount=D("1"), method=method, idempotency_key=uuid.uuid4(), **common
            )
    assert Payment.objects.count() == 0


def test_same_idempotency_key_records_one_payment(office_user):
    s = StudentFactory()
    key = uuid.uuid4()
    first, created = services.record_payment(
        student=s, amount=D("100"), method="cash", recorded_by=office_user, idempotency_key=key
    )
    again, created_again = services.record_payment(
        student=s, amount=D("100"), method="cash", recorded_by=office_user, idempotency_key=key
    )
    assert created and not created_again and first.pk == again.pk
    assert Payment.objects.count() == 1


def test_receipt_numbers_run_per_financial_year(office_user):
    s = StudentFactory()
    march = pay(s, "1", office_user, paid_on=date(2026, 3, 31))
    april = pay(s, "1", office_user, paid_on=date(2026, 4, 1))
    april2 = pay(s, "1", office_user, paid_on=date(2026, 4, 2))
    march2 = pay(s, "1", office_user, paid_on=date(2026, 3, 30))
    assert march.receipt_number == "MB/2025-26/000001"
    assert march2.receipt_number == "MB/2025-26/000002"
    assert [april.receipt_number, april2.receipt_number] == [
        "MB/2026-27/000001",
        "MB/2026-27/000002",
    ]


def test_a_failed_save_gives_its_receipt_number_back(office_user):
    s = StudentFactory()
    pay(s, "1", office_user, paid_on=date(2026, 5, 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        pay(s, "1", office_user, paid_on=date(2026, 5, 1))
        raise RuntimeError("the desk lost power")
    assert pay(s, "1", office_user, paid_on=date(2026, 5, 1)).receipt_number.endswith("000002")


def test_a_resubmitted_payment_burns_no_receipt_number(office_user):
    # Submit, resubmit the same form (same key), then a new payment: the new payment's
    # number follows the first one's. A draw before the duplicate check would leave a gap.
    s = StudentFactory()
    key = uuid.uuid4()
    day = date(2026, 11, 18)
    first = pay(s, "500", office_user, paid_on=day, key=key)
    again = pay(s, "500", office_user, paid_on=day, key=key)
    fresh = pay(s, "700", office_user, paid_on=day)
    assert again.pk == first.pk
    assert [first.receipt_sequence, fresh.receipt_sequence] == [1, 2]
    assert fresh.receipt_number == "MB/2026-27/000002"


def test_a_resubmitted_fee_form_burns_no_receipt_number(client, office_user):
    client.force_login(office_user)
    s = StudentFactory()
    day = timezone.localdate().isoformat()
    data = {"student": s.pk, "amount": "500", "method": "cash", "paid_on": day}
    token = str(uuid.uuid4())
    client.post("/fees/payments/new/", {**data, "token": token})
    client.post("/fees/payments/new/", {**data, "token": token})
    client.post("/fees/payments/new/", {**data, "token": str(uuid.uuid4())})
    sequences = list(Payment.objects.order_by("pk").values_list("receipt_sequence", flat=True))
    assert sequences == [1, 2]


def test_with_balances_matches_each_account(office_user):
    from accounts.models import Student

    a, b = StudentFactory(), StudentFactory()
    charge(a, "1000", date(2026, 10, 10))
    pay(a, "400", office_user)
    pay(b, "300", office_user)
    rows = {s.pk: s for s in selectors.with_balances(Student.objects.all())}
    assert rows[a.pk].balance_total == D("600")
    assert rows[b.pk].balance_total == D("-300")
    assert rows[b.pk].allocated_total == 0


def test_payment_factory_goes_through_the_service(office_user):
    p = PaymentFactory(recorded_by=office_user)
    assert p.receipt_number.startswith("MB/")
    assert Allocation.objects.count() == 0
