"""Writes of teacher pay: rules, approval (the snapshot), adjustments, payment.

Each refuses bad input with a `ValidationError` whose sentence the page shows, and
stores nothing then. An approved month is locked: approving it again is refused (a
conditional UPDATE from draft: two clicks or two offices at once approve it once), a new
rule can only apply after it, and corrections are `PayAdjustment` rows.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Role, User
from fees.payroll.compute import compute_month
from fees.payroll.models import MAX_ADJUSTMENT, PayAdjustment, PayLine, PayRule, PayStatement
from musicbeats.dates import month_end, month_start, next_month
from musicbeats.money import money_sum

BOUND_WORDS = {
    PayRule.Kind.PER_HOUR: "₹0 to ₹50,000 an hour",
    PayRule.Kind.PER_STUDENT: "₹0 to ₹50,000 a student",
    PayRule.Kind.MONTHLY: "₹0 to ₹10,00,000 a month",
    PayRule.Kind.FEE_SHARE: "0 to 100 %",
}


def check_rate(kind: str, rate: Decimal) -> None:
    """Refuse a negative or absurd rate for `kind`, saying the bounds."""
    bound = PayRule.BOUNDS.get(kind)
    if bound is None:
        raise ValidationError("Choose what the rate is paid for.")
    if rate < 0 or rate > bound:
        label = PayRule.Kind(kind).label.lower()
        raise ValidationError(f"A rate {label} must be {BOUND_WORDS[kind]}; {rate} is not.")


def last_locked_month(teacher_id: int) -> date | None:
    return (
        PayStatement.objects.filter(teacher_id=teacher_id)
        .exclude(status=PayStatement.Status.DRAFT)
        .aggregate(last=Max("month"))["last"]
    )


def earliest_rule_month(teacher_id: int) -> date:
    """The first month a new rate may apply from: after the last approved month."""
    locked = last_locked_month(teacher_id)
    return next_month(locked) if locked else date(2000, 1, 1)


@transaction.atomic
def set_pay_rule(*, teacher: User, kind: str, rate: Decimal, from_month: date, by: User) -> PayRule:
    """Set `teacher`'s rate of `kind` from `from_month` on. A month already approved keeps
    what it used: the new rate may apply only from the month after the last approved one.
    Setting the same (kind, month) again replaces that not-yet-used row."""
    if teacher.role != Role.TEACHER:
        raise ValidationError("Pay rules are for teachers.")
    check_rate(kind, rate)
    from_month = month_start(from_month)
    earliest = earliest_rule_month(teacher.pk)
    if from_month < earliest:
        locked = month_start(earliest - timedelta(days=1))
        raise ValidationError(
            f"The pay of {locked:%B %Y} is approved and locked: a new rate can apply from "
            f"{earliest:%B %Y} on."
        )
    rule, _ = PayRule.objects.update_or_create(
        teacher=teacher,
        kind=kind,
        from_month=from_month,
        defaults={"rate": rate, "created_by": by, "created_at": timezone.now()},
    )
    return rule


def _statement(teacher: User, month: date) -> PayStatement:
    if teacher.role != Role.TEACHER:
        raise ValidationError("Pay statements are for teachers.")
    statement, _ = PayStatement.objects.get_or_create(teacher=teacher, month=month_start(month))
    return statement


def _refuse_locked(statement: PayStatement) -> None:
    if statement.status != PayStatement.Status.DRAFT:
        when = timezone.localtime(statement.approved_at)
        raise ValidationError(
            f"The pay of {statement.month:%B %Y} was already approved on "
            f"{when:%-d %b %Y at %H:%M}; it is locked. Record a correction as an adjustment."
        )


@transaction.atomic
def approve_statement(*, teacher: User, month: date, by: User) -> PayStatement:
    """Snapshot `teacher`'s pay of `month` (lines and total) and lock it. Refused before
    the month is over and when it is approved already (concurrency-safe: the status moves
    from draft in one conditional UPDATE, and only the caller that moved it writes lines)."""
    month = month_start(month)
    today = timezone.localdate()
    if month_end(month) >= today:
        raise ValidationError(
            f"{month:%B %Y} is not over yet: its pay can be approved from "
            f"{next_month(month):%-d %B %Y}."
        )
    statement = _statement(teacher, month)
    _refuse_locked(statement)
    pay = compute_month(month=month, teacher_ids=[teacher.pk], today=today)[teacher.pk]
    now = timezone.now()
    moved = PayStatement.objects.filter(pk=statement.pk, status=PayStatement.Status.DRAFT).update(
        status=PayStatement.Status.APPROVED, approved_by=by, approved_at=now, lines_total=pay.total
    )
    if not moved:
        statement.refresh_from_db()
        _refuse_locked(statement)
    PayLine.objects.bulk_create(
        PayLine(
            statement=statement,
            lesson_id=line.lesson_id,
            kind=line.kind,
            description=line.description[:200],
            quantity=line.quantity,
            rate=line.rate,
            amount=line.amount,
            flag=line.flag,
        )
        for line in pay.lines
    )
    statement.refresh_from_db()
    return statement


@transaction.atomic
def add_adjustment(
    *, teacher: User, month: date, amount: Decimal, reason: str, by: User
) -> PayAdjustment:
    """A correction of ± `amount` to `teacher`'s pay of `month`, with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the pay is adjusted; the teacher sees it.")
    if not amount or abs(amount) > MAX_ADJUSTMENT:
        raise ValidationError(
            "An adjustment is a non-zero amount of at most ₹10,00,000 either way."
        )
    statement = _statement(teacher, month)
    if statement.status == PayStatement.Status.PAID:
        raise ValidationError(
            f"The pay of {statement.month:%B %Y} is already paid; record the correction "
            "in a later month's statement."
        )
    return PayAdjustment.objects.create(
        statement=statement, amount=amount, reason=reason[:200], created_by=by
    )


@transaction.atomic
def mark_paid(
    *, teacher: User, month: date, paid_on: date, method: str, reference: str, by: User
) -> PayStatement:
    """Record that an approved statement was paid (its total with adjustments)."""
    statement = _statement(teacher, month)
    if statement.status == PayStatement.Status.DRAFT:
        raise ValidationError("Approve the statement before marking it paid.")
    if statement.status == PayStatement.Status.PAID:
        raise ValidationError(f"This statement was already marked paid on {statement.paid_on}.")
    if paid_on > timezone.localdate() or paid_on < statement.month:
        raise ValidationError(
            f"The payment date must be between {statement.month:%-d %b %Y} and today."
        )
    if method not in PayStatement.Method.values:
        raise ValidationError("Choose how the pay was handed over.")
    reference = (reference or "").strip()
    if method != PayStatement.Method.CASH and not reference:
        raise ValidationError("A bank transfer, UPI or cheque payment needs its reference.")
    adjusted = statement.adjustments.aggregate(total=money_sum("amount"))["total"]
    moved = PayStatement.objects.filter(
        pk=statement.pk, status=PayStatement.Status.APPROVED
    ).update(
        status=PayStatement.Status.PAID,
        paid_on=paid_on,
        paid_method=method,
        paid_reference=reference[:60],
        paid_amount=statement.lines_total + adjusted,
        paid_by=by,
    )
    if not moved:
        raise ValidationError("This statement was marked paid meanwhile.")
    statement.refresh_from_db()
    return statement
