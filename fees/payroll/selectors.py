"""Reads of teacher pay: the office's month, one statement, a teacher's own months.

A draft month is computed live (fees.payroll.compute); an approved or paid one is read
from its snapshot (`PayLine`s, `lines_total`) and never recomputed. Every read here costs
the same number of queries for 2 teachers as for 60.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery

from accounts.models import Role, User
from fees.payroll.compute import NO_ROLL_CALL, Line, compute_month
from fees.payroll.models import PayAdjustment, PayLine, PayStatement
from musicbeats.money import ZERO, money_or_zero, money_sum


def _adjusted():
    total = (
        PayAdjustment.objects.filter(statement=OuterRef("pk"))
        .values("statement")
        .annotate(total=money_sum("amount"))
        .values("total")
    )
    return money_or_zero(Subquery(total))


def _flagged():
    count = (
        PayLine.objects.filter(statement=OuterRef("pk"), flag=NO_ROLL_CALL)
        .values("statement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(count)


@dataclass
class MonthRow:
    teacher: User
    status: str
    lines_total: Decimal
    adjusted: Decimal
    flagged: int
    lessons: int
    has_rules: bool
    statement: PayStatement | None = None

    @property
    def total(self) -> Decimal:
        return self.lines_total + self.adjusted

    @property
    def status_label(self) -> str:
        return PayStatement.Status(self.status).label


def month_statements(month: date) -> dict[int, PayStatement]:
    statements = PayStatement.objects.filter(month=month).annotate(
        adjusted=_adjusted(), flagged=_flagged()
    )
    return {statement.teacher_id: statement for statement in statements}


def month_rows(month: date) -> list[MonthRow]:
    """Every active teacher with lessons, rules or a statement in `month`, by name."""
    pays = compute_month(month=month)
    statements = month_statements(month)
    teachers = User.objects.filter(role=Role.TEACHER, pk__in=set(pays) | set(statements)).filter(
        Q(is_active=True) | Q(pk__in=list(statements))
    )
    rows = []
    for teacher in teachers.order_by("full_name", "pk"):
        pay, statement = pays.get(teacher.pk), statements.get(teacher.pk)
        locked = statement is not None and statement.is_locked
        rows.append(
            MonthRow(
                teacher=teacher,
                status=statement.status if statement else PayStatement.Status.DRAFT,
                lines_total=statement.lines_total if locked else (pay.total if pay else ZERO),
                adjusted=statement.adjusted if statement else ZERO,
                flagged=(statement.flagged or 0) if locked else (pay.flagged if pay else 0),
                lessons=pay.lessons if pay else 0,
                has_rules=bool(pay and any(r.rate for r in pay.rules.values())),
                statement=statement,
            )
        )
    return rows


@dataclass
class Statement:
    teacher: User
    month: date
    statement: PayStatement | None
    lines: list = field(default_factory=list)  # Line (draft) or PayLine (locked)
    adjustments: list = field(default_factory=list)
    rules: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.statement.status if self.statement else PayStatement.Status.DRAFT

    @property
    def locked(self) -> bool:
        return self.statement is not None and self.statement.is_locked

    @property
    def lines_total(self) -> Decimal:
        if self.locked:
            return self.statement.lines_total
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def adjusted(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), ZERO)

    @property
    def total(self) -> Decimal:
        return self.lines_total + self.adjusted

    @property
    def flagged(self) -> int:
        return sum(1 for line in self.lines if line.flag == NO_ROLL_CALL)


def statement_of(teacher: User, month: date) -> Statement:
    """`teacher`'s month: the snapshot once approved, else computed now."""
    statement = (
        PayStatement.objects.filter(teacher=teacher, month=month)
        .select_related("approved_by", "paid_by")
        .first()
    )
    pay = compute_month(month=month, teacher_ids=[teacher.pk])[teacher.pk]
    result = Statement(teacher=teacher, month=month, statement=statement, rules=pay.rules)
    if result.locked:
        result.lines = list(statement.lines.order_by("id"))
    else:
        result.lines = pay.lines
    if statement is not None:
        result.adjustments = list(
            statement.adjustments.select_related("created_by").order_by("created_at", "id")
        )
    return result


def own_statements(teacher: User) -> list[PayStatement]:
    """A teacher's approved and paid months, newest first, with their adjustments."""
    statements = list(
        PayStatement.objects.filter(teacher=teacher)
        .exclude(status=PayStatement.Status.DRAFT)
        .annotate(adjusted=_adjusted())
        .order_by("-month")[:36]
    )
    for statement in statements:
        statement.total = statement.lines_total + statement.adjusted
    return statements


def export_lines(month: date, rows: list[MonthRow]) -> list[tuple]:
    """Every line of the month, teacher by teacher: snapshots where locked, else live."""
    locked = [row.statement.pk for row in rows if row.statement and row.statement.is_locked]
    snapshot: dict[int, list] = {}
    for line in PayLine.objects.filter(statement_id__in=locked).order_by("id"):
        snapshot.setdefault(line.statement_id, []).append(line)
    pays = compute_month(month=month, teacher_ids=[row.teacher.pk for row in rows])
    out = []
    for row in rows:
        if row.statement and row.statement.is_locked:
            lines = snapshot.get(row.statement.pk, [])
        else:
            lines = pays[row.teacher.pk].lines
        for line in lines:
            out.append(_export_line(row, line))
    return out


def _export_line(row: MonthRow, line: Line | PayLine) -> tuple:
    return (
        row.teacher.full_name,
        row.teacher.email,
        line.description,
        line.quantity,
        line.rate,
        line.amount,
        line.flag,
    )
