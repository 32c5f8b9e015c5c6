"""Money computed in SQL comes back as an exact Decimal of paise on both databases.

SQLite keeps a decimal column as a binary float and computes in floating point: a charge
of 4331.07 with a concession of 4096.02 is open for 235.049999999999 there unless the
expression's value is quantized (`musicbeats.money.money`, `money_sum`). These amounts
are the ones that show it; on PostgreSQL the same tests hold trivially."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F

from accounts.models import Student
from fees import selectors, services
from fees.models import Allocation, Charge
from fees.reports.dashboard import dues_billed
from fees.reports.owing import positions
from fees.views.mine import family_accounts
from musicbeats.money import money_expr, money_sum, paise
from tests.factories import ChargeFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 18)

# (charge, concession, net): float arithmetic gives 235.049999999999, 235.050000000001
# and 235.050000000000 for these.
FLOAT_PRONE = [
    ("4331.07", "4096.02", "235.05"),
    ("4096.02", "3860.97", "235.05"),
    ("470.10", "235.05", "235.05"),
]


def charge_with_concession(student, amount, concession, *, due_on=DAY, by=None):
    return ChargeFactory(
        student=student,
        amount=Decimal(amount),
        due_on=due_on,
        period=due_on.replace(day=1),
        concession_amount=Decimal(concession),
        concession_kind=Charge.ConcessionKind.OTHER,
        concession_reason="Scholarship",
        concession_by=by or UserFactory(role="office"),
    )


def pay(student, amount, *, paid_on=DAY):
    payment, _created = services.record_payment(
        student=student,
        amount=Decimal(amount),
        method="cash",
        paid_on=paid_on,
        recorded_by=UserFactory(role="office"),
        idempotency_key=uuid.uuid4(),
    )
    return payment


def exact(value, expected):
    """Equal and written with exactly two places (235.05, not 235.050000000000)."""
    return isinstance(value, Decimal) and str(value) == expected


@pytest.mark.parametrize("amount,concession,net", FLOAT_PRONE)
def test_every_figure_of_an_open_charge_is_exact_paise(amount, concession, net):
    student = StudentFactory()
    charge = charge_with_concession(student, amount, concession)

    annotated = Charge.objects.with_amounts().get(pk=charge.pk)
    assert exact(annotated.net, net)
    assert exact(annotated.open, net)
    assert exact(selectors.open_dues(student.pk)[0].open, net)
    assert exact(selectors.balance(student.pk), net)
    account = selectors.student_account(student.pk)
    assert exact(account.balance, net) and exact(account.outstanding, net)
    listed = selectors.with_balances(Student.objects.filter(pk=student.pk)).get()
    assert exact(listed.dues_total, net) and exact(listed.balance_total, net)
    assert exact(dues_billed(DAY), net)
    [position] = positions(DAY, cutoff=DAY)
    assert exact(position.owed, net)


@pytest.mark.parametrize("amount,concession,net", FLOAT_PRONE)
def test_the_family_page_shows_the_exact_amount_due(amount, concession, net):
    student = StudentFactory()
    charge_with_concession(student, amount, concession, due_on=date(2026, 11, 10))
    [account] = family_accounts(student.user, today=DAY)
    assert exact(account["outstanding"], net)
    assert exact(account["overdue"], net)
    assert exact(account["open_dues"][0].open, net)


@pytest.mark.parametrize("amount,concession,net", FLOAT_PRONE)
def test_paying_exactly_the_open_amount_settles_it_and_leaves_no_crumb(amount, concession, net):
    # Before: SQLite's open amount (235.049999999999) let 235.05 spill 1e-12 onto the next
    # due, an allocation stored as 0.00 that the database refused (IntegrityError); or
    # left 1e-12 open that a later payment's credit tried to allocate.
    student = StudentFactory()
    first = charge_with_concession(student, amount, concession, due_on=date(2026, 11, 10))
    later = ChargeFactory(
        student=student, amount=Decimal("100.00"), due_on=DAY, period=DAY.replace(day=1)
    )
    pay(student, net)
    pay(student, "40.00")

    paid = {a.charge_id: a.amount for a in Allocation.objects.filter(charge__student=student)}
    assert paid == {first.pk: Decimal(net), later.pk: Decimal("40.00")}
    account = selectors.student_account(student.pk)
    assert account.outstanding == Decimal("60.00")
    assert account.credit == Decimal("0.00")
    assert [c.pk for c in account.open_dues] == [later.pk]


def test_a_concession_granted_after_payment_gives_back_the_exact_excess():
    student = StudentFactory()
    office = UserFactory(role="office")
    charge = ChargeFactory(
        student=student, amount=Decimal("4331.07"), due_on=DAY, period=DAY.replace(day=1)
    )
    pay(student, "4331.07")
    services.grant_concession(
        charge=charge, amount=Decimal("4096.02"), kind="other", reason="Scholarship", by=office
    )
    assert Allocation.objects.get(charge=charge).amount == Decimal("235.05")
    assert exact(selectors.credit(student.pk), "4096.02")
    assert exact(selectors.balance(student.pk), "-4096.02")


def test_money_helpers_hand_back_paise_from_sql():
    student = StudentFactory()
    charge_with_concession(student, "4331.07", "4096.02")
    row = (
        Charge.objects.filter(student=student)
        .annotate(net=money_expr(F("amount") - F("concession_amount")))
        .values("net")
        .get()
    )
    assert exact(row["net"], "235.05")
    total = Charge.objects.filter(student=student).aggregate(
        t=money_sum(F("amount") - F("concession_amount"))
    )["t"]
    assert exact(total, "235.05")
    assert exact(Charge.objects.none().aggregate(t=money_sum("amount"))["t"], "0.00")


@pytest.mark.parametrize(
    "raw,expected",
    [
        (235.04999999999927, "235.05"),
        (Decimal("235.049999999999"), "235.05"),
        (Decimal("235.050000000001"), "235.05"),
        (235, "235.00"),
        (None, "0.00"),
    ],
)
def test_paise_reads_what_sqlite_hands_back(raw, expected):
    assert exact(paise(raw), expected)
