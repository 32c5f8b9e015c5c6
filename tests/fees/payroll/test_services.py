"""Approval locks a month; adjustments correct it; payment; rules' bounds and history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from attendance.models import Lesson
from fees.payroll import services
from fees.payroll.compute import compute_month
from fees.payroll.models import PayAdjustment, PayLine, PayRule, PayStatement
from musicbeats.dates import month_start, next_month
from tests.factories import MarkFactory
from tests.fees.payroll.helpers import hand_checked_month, last_month, rule

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def approve(teacher, month, by):
    return services.approve_statement(teacher=teacher, month=month, by=by)


def test_approval_snapshots_lines_and_total(teacher, other_teacher, office_user):
    month = hand_checked_month(teacher, other_teacher)
    statement = approve(teacher, month, office_user)
    assert statement.status == PayStatement.Status.APPROVED
    assert statement.lines_total == Decimal("2700.00")
    assert PayLine.objects.filter(statement=statement).count() == 5
    assert PayLine.objects.filter(statement=statement, flag__startswith="No roll call").count() == 1


def test_approved_month_is_not_recomputed(teacher, other_teacher, office_user):
    """After approval, a late roll call and a new rate change the live computation but
    never the statement: the correction is an adjustment, which adds."""
    month = hand_checked_month(teacher, other_teacher)
    statement = approve(teacher, month, office_user)
    flagged = PayLine.objects.get(statement=statement, flag__startswith="No roll call")
    late = Lesson.objects.select_related("teacher", "batch").get(pk=flagged.lesson_id)
    MarkFactory(lesson=late, status="present")
    PayRule.objects.filter(teacher=teacher, kind="monthly").update(rate=Decimal("9000"))
    assert compute_month(month=month)[teacher.pk].total != Decimal("2700.00")
    from fees.payroll.selectors import statement_of

    assert statement_of(teacher, month).lines_total == Decimal("2700.00")
    services.add_adjustment(
        teacher=teacher, month=month, amount=Decimal("650"), reason="Roll call late", by=office_user
    )
    pay = statement_of(teacher, month)
    assert pay.total == Decimal("3350.00")
    assert PayLine.objects.filter(statement=statement).count() == 5


def test_approving_twice_is_refused(teacher, other_teacher, office_user):
    month = hand_checked_month(teacher, other_teacher)
    approve(teacher, month, office_user)
    with pytest.raises(ValidationError, match="already approved"):
        approve(teacher, month, office_user)
    assert PayLine.objects.count() == 5


def test_month_not_over_cannot_be_approved(teacher, office_user):
    with pytest.raises(ValidationError, match="not over yet"):
        approve(teacher, month_start(timezone.localdate()), office_user)
    assert not PayStatement.objects.exists()


def test_rule_cannot_change_an_approved_month(teacher, office_user):
    month = last_month()
    rule(teacher, PayRule.Kind.PER_HOUR, "500")
    approve(teacher, month, office_user)
    with pytest.raises(ValidationError, match="approved and locked"):
        services.set_pay_rule(
            teacher=teacher, kind="per_hour", rate=Decimal("700"), from_month=month, by=office_user
        )
    assert PayRule.objects.get(teacher=teacher).rate == Decimal("500")
    new = services.set_pay_rule(
        teacher=teacher,
        kind="per_hour",
        rate=Decimal("700"),
        from_month=next_month(month),
        by=office_user,
    )
    assert PayRule.objects.filter(teacher=teacher).count() == 2 and new.rate == Decimal("700")


@pytest.mark.parametrize(
    ("kind", "rate"),
    [
        ("per_hour", "-1"),
        ("per_hour", "50000.01"),
        ("per_student", "60000"),
        ("monthly", "1000000.01"),
        ("fee_share", "100.5"),
        ("fee_share", "-5"),
    ],
)
def test_absurd_rates_refused(teacher, office_user, kind, rate):
    with pytest.raises(ValidationError, match="must be"):
        services.set_pay_rule(
            teacher=teacher, kind=kind, rate=Decimal(rate), from_month=last_month(), by=office_user
        )
    assert not PayRule.objects.exists()


def test_database_refuses_an_absurd_rate_too(teacher, office_user):
    with pytest.raises(IntegrityError):
        PayRule.objects.create(
            teacher=teacher,
            kind="fee_share",
            rate=Decimal("101"),
            from_month=last_month(),
            created_by=office_user,
        )


def test_mark_paid(teacher, office_user):
    month = last_month()
    rule(teacher, PayRule.Kind.MONTHLY, "10000")
    with pytest.raises(ValidationError, match="Approve the statement"):
        services.mark_paid(
            teacher=teacher,
            month=month,
            paid_on=timezone.localdate(),
            method="cash",
            reference="",
            by=office_user,
        )
    approve(teacher, month, office_user)
    services.add_adjustment(
        teacher=teacher, month=month, amount=Decimal("-500"), reason="Advance", by=office_user
    )
    paid = dict(paid_on=timezone.localdate(), method="bank", by=office_user)
    with pytest.raises(ValidationError, match="needs its reference"):
        services.mark_paid(teacher=teacher, month=month, reference="", **paid)
    statement = services.mark_paid(teacher=teacher, month=month, reference="UTR123", **paid)
    assert statement.status == PayStatement.Status.PAID
    assert statement.paid_amount == Decimal("9500.00")
    with pytest.raises(ValidationError, match="already marked paid"):
        services.mark_paid(teacher=teacher, month=month, reference="UTR124", **paid)
    with pytest.raises(ValidationError, match="already paid"):
        services.add_adjustment(
            teacher=teacher, month=month, amount=Decimal("1"), reason="x", by=office_user
        )


def test_payment_date_bounded(teacher, office_user):
    month = last_month()
    approve(teacher, month, office_user)
    with pytest.raises(ValidationError, match="between"):
        services.mark_paid(
            teacher=teacher,
            month=month,
            paid_on=timezone.localdate() + timedelta(days=1),
            method="cash",
            reference="",
            by=office_user,
        )


@pytest.mark.parametrize(("amount", "reason"), [("0", "Zero"), ("1000001", "Huge"), ("5", " ")])
def test_bad_adjustments_refused(teacher, office_user, amount, reason):
    with pytest.raises(ValidationError):
        services.add_adjustment(
            teacher=teacher,
            month=last_month(),
            amount=Decimal(amount),
            reason=reason,
            by=office_user,
        )
    assert not PayAdjustment.objects.exists()
