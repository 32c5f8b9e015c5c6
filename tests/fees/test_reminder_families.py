"""Fee reminders: which steps fall on a day, and which families owe what (fees/reminders.py).
The job itself (messages, opt-outs, twice-run) is tested in test_reminders.py."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from fees.reminders import AFTER, BEFORE, DUE, Rules, Step, families, open_dues, steps_on
from tests.factories import (
    ChargeFactory,
    GuardianshipFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
)

RULES = Rules(due_day=10)


def names(steps):
    return [(step.name, step.due_day) for step in steps]


@pytest.mark.parametrize(
    "today,expected",
    [
        (date(2026, 12, 7), [("before", date(2026, 12, 10))]),
        (date(2026, 12, 10), [("due", date(2026, 12, 10))]),
        (date(2026, 12, 17), [("after1", date(2026, 12, 10))]),
        (date(2026, 12, 24), [("after2", date(2026, 12, 10))]),
        (date(2026, 12, 31), [("after3", date(2026, 12, 10))]),
        # The fourth week after is not a reminder (3 at most), but the next month's is.
        (date(2027, 1, 7), [("before", date(2027, 1, 10))]),
        (date(2026, 12, 8), []),
        (date(2026, 12, 9), []),
        (date(2026, 12, 11), []),
    ],
)
def test_the_steps_fall_on_their_days(today, expected):
    assert names(steps_on(today, RULES)) == expected


def test_before_the_due_day_crosses_into_the_next_month_and_year():
    rules = Rules(due_day=2, before_days=3)
    assert names(steps_on(date(2026, 11, 29), rules)) == [("before", date(2026, 12, 2))]
    assert names(steps_on(date(2026, 12, 30), rules)) == [("before", date(2027, 1, 2))]
    assert names(steps_on(date(2027, 2, 27), rules)) == [("before", date(2027, 3, 2))]
    assert names(steps_on(date(2028, 2, 28), rules)) == [("before", date(2028, 3, 2))]


def test_after_the_due_day_crosses_the_year():
    assert names(steps_on(date(2027, 1, 4), Rules(due_day=28))) == [("after1", date(2026, 12, 28))]


def test_the_settings_change_the_days():
    rules = Rules(due_day=5, before_days=1, after_every=2, after_times=2)
    assert names(steps_on(date(2026, 12, 4), rules)) == [("before", date(2026, 12, 5))]
    assert names(steps_on(date(2026, 12, 7), rules)) == [("after1", date(2026, 12, 5))]
    assert names(steps_on(date(2026, 12, 9), rules)) == [("after2", date(2026, 12, 5))]
    assert steps_on(date(2026, 12, 11), rules) == []


@pytest.mark.parametrize(
    "off,day",
    [
        ("before", date(2026, 12, 7)),
        ("on_due_day", date(2026, 12, 10)),
        ("after", date(2026, 12, 17)),
    ],
)
def test_a_step_turned_off_falls_on_no_day(off, day):
    assert steps_on(day, RULES)
    assert steps_on(day, Rules(due_day=10, **{off: False})) == []


def test_every_day_of_a_year_has_each_step_once_a_month():
    day, seen = date(2026, 4, 1), []
    while day < date(2027, 4, 1):
        seen += [(step.kind, step.due_day) for step in steps_on(day, RULES)]
        day += timedelta(days=1)
    assert sum(1 for kind, _d in seen if kind == BEFORE) == 12
    assert sum(1 for kind, _d in seen if kind == DUE) == 12
    assert sum(1 for kind, _d in seen if kind == AFTER) == 36
    assert all(due.day == 10 for _kind, due in seen)


def test_the_cutoff_is_the_due_day_or_today_whichever_is_later():
    step = Step(BEFORE, date(2026, 12, 10))
    assert step.cutoff(date(2026, 12, 7)) == date(2026, 12, 10)
    assert Step(AFTER, date(2026, 12, 10), 1).cutoff(date(2026, 12, 17)) == date(2026, 12, 17)


# --- Who owes what -----------------------------------------------------------------


def child(name, guardian=None, **charge):
    student = StudentFactory(user__full_name=name)
    if guardian is not None:
        GuardianshipFactory(student=student, guardian=guardian)
    if charge:
        ChargeFactory(student=student, **charge)
    return student


@pytest.fixture
def due():
    return timezone.localdate() + timedelta(days=3)


@pytest.mark.dates
def test_two_siblings_with_one_guardian_are_one_family(db, due):
    parent = UserFactory(role=Role.GUARDIAN, full_name="Meera Parent")
    asha = child("Asha", parent, due_on=due, amount=Decimal("1500.00"))
    ravi = child("Ravi", parent, due_on=due, amount=Decimal("1200.50"))
    ChargeFactory(student=ravi, due_on=due - timedelta(days=40), amount=Decimal("300.00"))
    (family,) = families(open_dues(due))
    assert family.recipient == parent
    assert [c.student for c in family.children] == [asha, ravi]
    assert family.key == asha.pk
    assert family.total == Decimal("3000.50")
    earlier = (due - timedelta(days=40)).replace(day=1)
    assert family.children[1].months == {
        earlier: Decimal("300.00"),
        due.replace(day=1): Decimal("1200.50"),
    }


@pytest.mark.dates
def test_a_student_without_a_guardian_is_reminded_themselves(db, due):
    alone = child("Kiran", due_on=due)
    (family,) = families(open_dues(due))
    assert family.recipient == alone.user
    assert family.key == alone.pk


@pytest.mark.dates
def test_each_guardian_gets_the_family_with_one_key(db, due):
    mother = UserFactory(role=Role.GUARDIAN)
    father = UserFactory(role=Role.GUARDIAN)
    asha = child("Asha", mother, due_on=due)
    GuardianshipFactory(student=asha, guardian=father)
    found = families(open_dues(due))
    assert {f.recipient for f in found} == {mother, father}
    assert {f.key for f in found} == {asha.pk}


@pytest.mark.dates
def test_paid_and_not_yet_due_are_left_out(db, due):
    parent = UserFactory(role=Role.GUARDIAN)
    paid = child("Paid", parent, due_on=due)
    PaymentFactory(student=paid, amount=Decimal("1500.00"))
    later = child("Later", parent, due_on=due + timedelta(days=1))
    owing = child("Owing", parent, due_on=due, amount=Decimal("900.00"))
    PaymentFactory(student=owing, amount=Decimal("400.00"))
    (family,) = families(open_dues(due))
    assert [c.student for c in family.children] == [owing]
    assert family.total == Decimal("500.00")
    # The family is still named by its first child, owing or not: a payment never
    # changes the key (the same day's second run finds the same event).
    assert family.key == min(paid.pk, later.pk, owing.pk)


@pytest.mark.dates
def test_a_left_student_and_a_deactivated_guardian_get_nothing(db, due):
    gone_parent = UserFactory(role=Role.GUARDIAN, is_active=False)
    kept = child("Kept", gone_parent, due_on=due)
    left = child("Left", due_on=due)
    left.user.is_active = False
    left.user.save()
    (family,) = families(open_dues(due))
    assert (family.recipient, [c.student for c in family.children]) == (kept.user, [kept])


@pytest.mark.dates
def test_the_reads_do_not_grow_with_families(db, due, django_assert_num_queries):
    for n in range(3):
        parent = UserFactory(role=Role.GUARDIAN)
        child(f"A{n}", parent, due_on=due)
        child(f"B{n}", parent, due_on=due)
    with django_assert_num_queries(6):
        assert len(families(open_dues(due))) == 3
    for n in range(30):
        child(f"C{n}", UserFactory(role=Role.GUARDIAN), due_on=due)
    with django_assert_num_queries(6):
        assert len(families(open_dues(due))) == 33


@pytest.mark.dates
def test_a_voided_payment_opens_the_dues_again_and_credit_owes_nothing(db, due):
    from fees.services import void_payment

    voided = child("Voided", due_on=due, amount=Decimal("1500.00"))
    payment = PaymentFactory(student=voided, amount=Decimal("1500.00"))
    ahead = child("Ahead", due_on=due, amount=Decimal("1500.00"))
    PaymentFactory(student=ahead, amount=Decimal("2000.00"))  # ₹500 credit
    assert open_dues(due) == {}
    void_payment(payment=payment, by=UserFactory(role=Role.OFFICE), reason="Bounced cheque")
    assert list(open_dues(due)) == [voided.pk]
    assert open_dues(due)[voided.pk].total == Decimal("1500.00")


@pytest.mark.dates
def test_a_concession_lowers_what_is_owed(db, due, admin_user):
    from fees.services import grant_concession

    student = child("Concession", due_on=due, amount=Decimal("1500.00"))
    charge = student.charges.get()
    grant_concession(
        charge=charge, amount=Decimal("500.00"), kind="sibling", reason="Sibling", by=admin_user
    )
    assert open_dues(due)[student.pk].total == Decimal("1000.00")
    grant_concession(
        charge=charge, amount=Decimal("1500.00"), kind="sibling", reason="Waived", by=admin_user
    )
    assert open_dues(due) == {}


@pytest.mark.dates
def test_a_month_already_paid_is_not_listed_beside_one_still_owed(db, due):
    """Payments settle the oldest dues first: the paid month is not in the reminder, only
    the month still open (red if the open amount is not filtered per charge)."""
    owing = child("Owing", due_on=due - timedelta(days=40), amount=Decimal("1500.00"))
    ChargeFactory(student=owing, due_on=due, amount=Decimal("900.00"))
    PaymentFactory(student=owing, amount=Decimal("1500.00"))
    (family,) = families(open_dues(due))
    (found,) = family.children
    assert list(found.months.values()) == [Decimal("900.00")]
    assert family.total == Decimal("900.00")
