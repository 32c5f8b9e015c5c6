"""The dues matrix of the institute summary: students (with a due in the period) x
months, what was billed for each month and how much of it payments have paid."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q

from accounts.models import Student
from fees.models import Allocation, Charge
from fees.reports.ledger import NET, valid_groups
from musicbeats.dates import Period, months_between
from musicbeats.money import ZERO, money_sum

# Students to a page: twelve months of cells each, so a page of 20 keeps the summary
# within what a phone can carry (about 60 KB of HTML, issue 16).
PAGE_SIZE = 20


@dataclass
class MatrixCell:
    due: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def open(self) -> Decimal:
        return self.due - self.paid

    @property
    def state(self) -> str:
        if not self.due:
            return "none"
        if self.paid >= self.due:
            return "paid"
        return "part" if self.paid else "open"


@dataclass
class MatrixRow:
    student: Student
    cells: list[MatrixCell]
    total: Decimal = ZERO


@dataclass
class Matrix:
    months: list[date]
    rows: list[MatrixRow]
    page: object  # django Page
    column_totals: list[Decimal] = field(default_factory=list)
    total: Decimal = ZERO


def _matrix_students(period: Period):
    in_range = Charge.objects.filter(period__range=(period.start, period.end))
    return (
        Student.objects.filter(Exists(in_range.filter(student=OuterRef("pk"))))
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


@dataclass
class MatrixIndex:
    """The institute-wide part of the matrix (cacheable): which students have dues in the
    range, in name order, and each month's total over all of them."""

    student_ids: list[int]
    column: dict[date, Decimal]


def matrix_index(period: Period) -> MatrixIndex:
    column = {
        row["period"]: row["amount"]
        for row in Charge.objects.filter(period__range=(period.start, period.end))
        .order_by()
        .values("period")
        .annotate(amount=money_sum(NET))
    }
    return MatrixIndex(list(_matrix_students(period).values_list("pk", flat=True)), column)


def _matrix(period: Period, students: list[Student], *, column, page=None) -> Matrix:
    months = [m for m in months_between(period.start, period.end) if m >= period.start]
    in_range = Charge.objects.filter(period__range=(period.start, period.end))
    ids = [student.pk for student in students]
    due = defaultdict(lambda: ZERO)
    for row in (
        in_range.filter(student__in=ids)
        .order_by()
        .values("student", "period")
        .annotate(amount=money_sum(NET))
    ):
        due[row["student"], row["period"]] = row["amount"]
    # What payments have paid on these charges so far, found through the charges (the
    # allocations' charge index), not by walking the allocations.
    paid = defaultdict(lambda: ZERO)
    for (student, month), (amount, _n) in valid_groups(
        Allocation.objects.filter(charge__in=in_range.filter(student__in=ids).values("pk")),
        void=Q(payment__voided_at__isnull=False),
        student=F("charge__student_id"),
        period=F("charge__period"),
    ).items():
        paid[student, month] = amount
    rows = []
    for student in students:
        cells = [MatrixCell(due[student.pk, month], paid[student.pk, month]) for month in months]
        rows.append(MatrixRow(student, cells, sum((c.due for c in cells), ZERO)))
    column_totals = [column.get(month, ZERO) for month in months]
    return Matrix(months, rows, page, column_totals, sum(column_totals, ZERO))


def dues_matrix(period: Period, *, page_number, index: MatrixIndex | None = None) -> Matrix:
    """Students (with a due in `period`) x months: the dues billed for each month, and
    how much of them payments have paid so far. One page of students at a time; the
    column totals are over every student. `index` (from `matrix_index`, perhaps cached)
    spares the institute-wide queries."""
    index = index or matrix_index(period)
    page = Paginator(index.student_ids, PAGE_SIZE).get_page(page_number)
    found = Student.objects.filter(pk__in=list(page.object_list)).select_related("user")
    by_id = {student.pk: student for student in found}
    students = [by_id[pk] for pk in page.object_list if pk in by_id]
    return _matrix(period, students, column=index.column, page=page)


def dues_matrix_all(period: Period) -> Matrix:
    """Every student's row, for the CSV/XLSX export."""
    index = matrix_index(period)
    return _matrix(period, list(_matrix_students(period)), column=index.column)
