"""The month's pay from the lessons given, on a month checked by hand."""

from datetime import timedelta
from decimal import Decimal

import pytest

from fees.payroll.compute import CANCELLED, NO_ROLL_CALL, compute_month
from fees.payroll.models import PayRule
from fees.services import void_payment
from tests.factories import BatchFactory, ChargeFactory, EnrollmentFactory, PaymentFactory
from tests.fees.payroll.helpers import P, hand_checked_month, last_month, lesson, rule

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_hand_checked_month(teacher, other_teacher):
    """Teacher: ₹600/h, ₹50 a student present, ₹2,000 a month. Other: ₹500/h.
    - 60 min, present + late + absent: teacher 600 + 2 * 50 = 700
    - 90 min, cancelled: nothing
    - 45 min given by the other teacher as substitute, 2 present: other 500 * 0.75 = 375
    - 60 min in the past with no mark: flagged, nothing
    - the other's own 30 min, 1 present: other 250
    - a lesson of next month: not in this month
    Teacher: 700 + 2,000 = 2,700 (one flag). Other: 375 + 250 = 625."""
    month = hand_checked_month(teacher, other_teacher)
    pays = compute_month(month=month)
    mine, theirs = pays[teacher.pk], pays[other_teacher.pk]
    assert mine.total == Decimal("2700.00")
    assert theirs.total == Decimal("625.00")
    assert mine.flagged == 1 and theirs.flagged == 0
    assert mine.lessons == 1 and theirs.lessons == 2
    amounts = [(line.kind, line.amount, line.flag) for line in mine.lines]
    assert amounts == [
        ("per_hour", Decimal("600.00"), ""),
        ("per_student", Decimal("100.00"), ""),
        ("", Decimal("0"), CANCELLED),
        ("", Decimal("0"), NO_ROLL_CALL),
        ("monthly", Decimal("2000"), ""),
    ]
    assert [line.amount for line in theirs.lines] == [Decimal("250.00"), Decimal("375.00")]
    assert theirs.lines[1].quantity == Decimal("0.75")


def test_each_kind_alone(teacher):
    month = last_month()
    batch = BatchFactory(teacher=teacher)
    lesson(batch, month + timedelta(days=1), minutes=50, marks=(P, P, P))
    rule(teacher, PayRule.Kind.PER_HOUR, "720")
    assert compute_month(month=month)[teacher.pk].total == Decimal("600.00")  # 720 * 50/60


def test_per_student_counts_present_and_late_only(teacher):
    month = last_month()
    batch = BatchFactory(teacher=teacher)
    lesson(batch, month + timedelta(days=1), marks=("present", "late", "absent", "excused"))
    rule(teacher, PayRule.Kind.PER_STUDENT, "75")
    assert compute_month(month=month)[teacher.pk].total == Decimal("150.00")


def test_monthly_amount_without_lessons(teacher):
    rule(teacher, PayRule.Kind.MONTHLY, "15000")
    assert compute_month(month=last_month())[teacher.pk].total == Decimal("15000.00")


def test_latest_rule_applies_and_later_ones_wait(teacher):
    month = last_month()
    rule(teacher, PayRule.Kind.MONTHLY, "1000", month=month - timedelta(days=40))
    rule(teacher, PayRule.Kind.MONTHLY, "1200", month=month)
    rule(teacher, PayRule.Kind.MONTHLY, "9999", month=month + timedelta(days=40))
    assert compute_month(month=month)[teacher.pk].total == Decimal("1200.00")


def test_fee_share_counts_non_void_payments_of_the_month_to_their_batches(
    teacher, other_teacher, office_user
):
    month = last_month()
    mine, theirs = BatchFactory(teacher=teacher), BatchFactory(teacher=other_teacher)

    def paid(batch, amount, day):
        enrollment = EnrollmentFactory(batch=batch, joined_on=month)
        ChargeFactory(
            student=enrollment.student,
            kind="monthly",
            enrollment=enrollment,
            amount=Decimal(amount),
            due_on=month + timedelta(days=9),
            period=month,
        )
        return PaymentFactory(student=enrollment.student, amount=Decimal(amount), paid_on=day)

    paid(mine, "1500", month + timedelta(days=3))  # counts
    void = paid(mine, "800", month + timedelta(days=4))
    void_payment(payment=void, by=office_user, reason="Wrong student")  # never counts
    paid(theirs, "2000", month + timedelta(days=5))  # another teacher's batch
    rule(teacher, PayRule.Kind.FEE_SHARE, "10")
    pay = compute_month(month=month)[teacher.pk]
    assert pay.total == Decimal("150.00")
    assert pay.lines[0].quantity == Decimal("1500.00")
