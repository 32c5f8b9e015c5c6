"""Family payments (issue 13 item 3): one sum from a guardian split across the children,
one receipt number, each child's statement exact, a void voids the whole family payment."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from fees import selectors, services
from fees.family import family_children, member_key, split_total
from fees.models import Allocation, Payment, PaymentGroup
from musicbeats.money import ZERO
from tests.factories import (
    ChargeFactory,
    GuardianshipFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_family(*ages, dues=()):
    """A guardian and children (oldest first by `ages`, years); `dues` = (child index,
    amount, days ago) charges."""
    guardian = UserFactory(role="guardian", full_name="Meera Iyer")
    today = timezone.localdate()
    children = []
    for i, age in enumerate(ages):
        child = StudentFactory(
            user__full_name=f"Child {chr(65 + i)}",
            date_of_birth=today - timedelta(days=365 * age),
        )
        GuardianshipFactory(student=child, guardian=guardian)
        children.append(child)
    for index, amount, days_ago in dues:
        ChargeFactory(
            student=children[index],
            amount=Decimal(amount),
            due_on=today - timedelta(days=days_ago),
            description=f"Due {index}-{days_ago}",
        )
    return guardian, children


def pay(guardian, amounts, by, key=None, **extra):
    return services.record_family_payment(
        guardian=guardian,
        amounts=amounts,
        method=extra.pop("method", "cash"),
        recorded_by=by,
        idempotency_key=key or uuid.uuid4(),
        **extra,
    )


def balance(student):
    """Σ dues - Σ valid payments (negative: credit), checked against the allocations."""
    account = selectors.student_account(student.pk)
    assert account.balance == account.outstanding - account.credit
    return account.balance


def test_children_are_listed_eldest_first(db):
    guardian, (younger, elder) = make_family(8, 12)
    assert family_children(guardian) == [elder, younger]


def test_a_total_pays_the_family_s_dues_oldest_first_and_the_rest_is_credit(office_user):
    _guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40), (0, "800", 5)])
    # Oldest first across the family: b's 1500 (40 days), a's 1000 (10 days), then a's
    # 800 gets 500 of the 3000.
    assert split_total([a, b], Decimal("3000.00")) == {a: Decimal("1500.00"), b: Decimal("1500.00")}
    # More than is due: the rest is credit on the first (eldest) child, or the one picked.
    assert split_total([a, b], Decimal("4000.00")) == {a: Decimal("2500.00"), b: Decimal("1500.00")}
    assert split_total([a, b], Decimal("4000.00"), credit_to=b) == {
        a: Decimal("1800.00"),
        b: Decimal("2200.00"),
    }


def test_one_receipt_number_one_row_per_child_and_exact_balances(office_user):
    guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])
    group, created = pay(guardian, Decimal("3000.00"), office_user)
    assert created
    members = list(group.payments.order_by("student_id"))
    assert {p.student_id: p.amount for p in members} == {
        a.pk: Decimal("1500.00"),
        b.pk: Decimal("1500.00"),
    }
    assert len({p.receipt_number for p in members}) == 1
    assert members[0].receipt_number == group.receipt_number
    assert group.total == sum((p.amount for p in members), ZERO) == Decimal("3000.00")
    assert group.payer == guardian
    # Each child: dues paid, a's 500 more is credit; b owes nothing.
    assert balance(a) == Decimal("-500.00")
    assert balance(b) == ZERO
    # Totals = ledger rows: the ledger's sum is the family total.
    assert Payment.objects.valid().filter(group=group).count() == 2
    assert sum(Allocation.objects.values_list("amount", flat=True)) == Decimal("2500.00")


def test_per_child_amounts_and_skipped_children(office_user):
    guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])
    group, _ = pay(guardian, {a: Decimal("1000.00"), b: ""}, office_user)
    assert list(group.payments.values_list("student_id", "amount")) == [(a.pk, Decimal("1000.00"))]
    assert balance(a) == ZERO and balance(b) == Decimal("1500.00")


@pytest.mark.dates  # every payment is dated today: one financial year's counter
def test_receipt_numbers_stay_gapless_with_singles_in_between(office_user):
    guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])
    other = StudentFactory()
    PaymentFactory(student=other, amount=Decimal("100.00"), recorded_by=office_user)
    pay(guardian, Decimal("2500.00"), office_user)
    PaymentFactory(student=a, amount=Decimal("100.00"), recorded_by=office_user)
    pay(guardian, {a: Decimal("5.00"), b: Decimal("5.00")}, office_user)
    PaymentFactory(student=other, amount=Decimal("100.00"), recorded_by=office_user)
    sequences = sorted(set(Payment.objects.values_list("receipt_sequence", flat=True)))
    assert sequences == [1, 2, 3, 4, 5]
    assert Payment.objects.values("receipt_number").distinct().count() == 5


def test_a_double_submit_records_one_family_payment(office_user):
    guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])
    key = uuid.uuid4()
    first, created = pay(guardian, Decimal("2500.00"), office_user, key=key)
    again, created_again = pay(guardian, Decimal("2500.00"), office_user, key=key)
    assert created and not created_again and again == first
    assert Payment.objects.count() == 2 and PaymentGroup.objects.count() == 1
    assert set(first.payments.values_list("idempotency_key", flat=True)) == {
        member_key(key, a.pk),
        member_key(key, b.pk),
    }


def test_voiding_one_member_voids_the_whole_family_payment(office_user):
    guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])
    group, _ = pay(guardian, Decimal("2500.00"), office_user)
    member = group.payments.get(student=b)
    services.void_payment(payment=member, by=office_user, reason="Wrong family")
    assert all(p.is_void and p.void_reason == "Wrong family" for p in group.payments.all())
    assert balance(a) == Decimal("1000.00") and balance(b) == Decimal("1500.00")
    with pytest.raises(ValueError, match="already void"):
        services.void_payment(payment=group.payments.get(student=a), by=office_user, reason="x")


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("12.345", "two decimal places"),
        ("20000000", "at most"),
        ({}, "at least one child"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_stored(office_user, amounts, message):
    guardian, _children = make_family(12, 8)
    with pytest.raises(ValidationError, match=message):
        pay(guardian, amounts, office_user)
    assert not Payment.objects.exists() and not PaymentGroup.objects.exists()


def test_a_child_of_another_family_is_refused(office_user):
    guardian, (a, b) = make_family(12, 8)
    stranger = StudentFactory(user__full_name="Someone Else")
    with pytest.raises(ValidationError, match="not a child of this guardian"):
        pay(guardian, {a: Decimal("10.00"), stranger: Decimal("10.00")}, office_user)
    with pytest.raises(ValidationError, match="child of this guardian"):
        pay(guardian, Decimal("10.00"), office_user, credit_to=stranger)
    b.user.is_active = False
    b.user.save()
    with pytest.raises(ValidationError, match="active child of this guardian"):
        pay(guardian, Decimal("10.00"), office_user, credit_to=b)
    with pytest.raises(ValidationError, match="needs a reference"):
        pay(guardian, {a: Decimal("10.00")}, office_user, method="upi")
    assert not Payment.objects.exists()


def test_a_member_payment_cannot_join_another_receipt(office_user):
    guardian, (a, b) = make_family(12, 8)
    group, _ = pay(guardian, {a: Decimal("10.00"), b: Decimal("10.00")}, office_user)
    single = PaymentFactory(student=StudentFactory(), recorded_by=office_user)
    # The service never shares a number outside a group; the database refuses it too.
    with pytest.raises(IntegrityError):
        Payment.objects.create(
            student=StudentFactory(),
            amount=Decimal("1.00"),
            method="cash",
            receipt_number=single.receipt_number,
            financial_year=single.financial_year,
            receipt_sequence=single.receipt_sequence,
            recorded_by=office_user,
            group=group,
        )


@pytest.mark.django_db(transaction=True)
def test_two_desks_paying_for_one_family_at_once(office_user, admin_user):
    # Each thread its own connection: they take turns on the children's row locks (in
    # one fixed order: no deadlock) and on the receipt counter.
    from tests.fees.test_concurrency import run_at_once

    guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])
    key = uuid.uuid4()

    def desk(user, amounts, k):
        return lambda: pay(guardian, amounts, user, key=k)[0].pk

    results = run_at_once(
        [
            desk(office_user, {a: Decimal("1000.00"), b: Decimal("1500.00")}, key),
            desk(admin_user, {b: Decimal("100.00"), a: Decimal("100.00")}, uuid.uuid4()),
            desk(office_user, {a: Decimal("1000.00"), b: Decimal("1500.00")}, key),
        ]
    )
    assert all(isinstance(r, int) for r in results), results
    assert results[0] == results[2]
    assert PaymentGroup.objects.count() == 2
    assert sorted(set(Payment.objects.values_list("receipt_sequence", flat=True))) == [1, 2]
    assert balance(a) == Decimal("-100.00") and balance(b) == Decimal("-100.00")
