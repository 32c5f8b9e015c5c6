"""Reads of fees that several pages share: a student's open dues, credit and balance, what
a payment paid, balances for a list of students, the fee desk's student search.

Definitions (one place, used by every page and summary):

- a charge's *net* amount is its amount less its concession;
- *paid* on a charge is what non-void payments allocated to it; its *open* amount is
  net - paid (never negative: `fees.allocation.settle` keeps it so);
- a student's *balance* = Σ charges - Σ concessions - Σ non-void payments. Positive: they
  owe it; negative: they have that much credit;
- *outstanding* = Σ open amounts; *credit* = Σ non-void payments - Σ their allocations;
  balance = outstanding - credit, and at most one of the two is non-zero.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)

from accounts.models import Role, Student
from accounts.people.selectors import search_students
from fees.models import Allocation, Charge, Payment
from musicbeats.money import MONEY, money_expr, money_or_zero, money_sum

# Money read through `musicbeats.money` is exact paise on both databases; this threshold
# only matters to a filter computed inside SQL (`open__gte`), where SQLite's floating
# arithmetic may leave 1e-12 on a paid due: an amount below half a paisa is nothing.
OPEN_THRESHOLD = Decimal("0.005")


def open_dues(student_id: int) -> list[Charge]:
    """The student's charges with something still to pay, oldest first (the order payments
    are allocated in). Each is annotated with `net`, `paid` and `open`."""
    return list(
        Charge.objects.with_amounts()
        .filter(student_id=student_id, open__gte=OPEN_THRESHOLD)
        .order_by("due_on", "id")
    )


def credit(student_id: int) -> Decimal:
    """What the student paid and no charge has used yet."""
    paid = (
        Payment.objects.valid().filter(student_id=student_id).aggregate(t=money_sum("amount"))["t"]
    )
    allocated = Allocation.objects.filter(
        payment__student_id=student_id, payment__voided_at__isnull=True
    ).aggregate(t=money_sum("amount"))["t"]
    return paid - allocated


def balance(student_id: int) -> Decimal:
    """Σ charges - Σ concessions - Σ non-void payments (negative: a credit)."""
    dues = Charge.objects.filter(student_id=student_id).aggregate(
        t=money_sum(F("amount") - F("concession_amount"))
    )["t"]
    paid = (
        Payment.objects.valid().filter(student_id=student_id).aggregate(t=money_sum("amount"))["t"]
    )
    return dues - paid


@dataclass(frozen=True)
class Account:
    """A student's fee position. Figures are Decimals; `open_dues` oldest first."""

    student_id: int
    dues: Decimal
    concessions: Decimal
    paid: Decimal
    allocated: Decimal
    open_dues: list = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.dues - self.concessions - self.paid

    @property
    def outstanding(self) -> Decimal:
        return self.dues - self.concessions - self.allocated

    @property
    def credit(self) -> Decimal:
        return self.paid - self.allocated


def student_account(student_id: int) -> Account:
    """Everything the fee desk shows about a student, in three queries."""
    charges = Charge.objects.filter(student_id=student_id).aggregate(
        dues=money_sum("amount"), concessions=money_sum("concession_amount")
    )
    payments = (
        Payment.objects.valid().filter(student_id=student_id).aggregate(paid=money_sum("amount"))
    )
    allocated = Allocation.objects.filter(
        payment__student_id=student_id, payment__voided_at__isnull=True
    ).aggregate(t=money_sum("amount"))["t"]
    return Account(
        student_id=student_id,
        dues=charges["dues"],
        concessions=charges["concessions"],
        paid=payments["paid"],
        allocated=allocated,
        open_dues=open_dues(student_id),
    )


def payment_allocations(payment_id: int) -> list[Allocation]:
    """What a payment paid: its allocations with their charges, oldest charge first.
    (For a void payment: what it had paid before it was voided.)"""
    return list(
        Allocation.objects.filter(payment_id=payment_id)
        .select_related("charge")
        .order_by("charge__due_on", "charge_id")
    )


def family_students(user):
    """The students whose fees `user` (a student or guardian) may see."""
    students = Student.objects.select_related("user").order_by("user__full_name", "pk")
    if user.role == Role.STUDENT:
        return students.filter(pk=user.pk)
    if user.role == Role.GUARDIAN:
        return students.filter(guardianships__guardian=user)
    return students.none()


def with_balances(students: QuerySet) -> QuerySet:
    """Annotate a Student queryset with `dues_total` (net of concessions), `paid_total`
    (non-void payments), `allocated_total` and `balance_total`, in the database (one query
    for the whole list)."""
    dues = (
        Charge.objects.filter(student=OuterRef("pk"))
        .order_by()
        .values("student")
        .annotate(t=Sum(F("amount") - F("concession_amount")))
        .values("t")
    )
    paid = (
        Payment.objects.valid()
        .filter(student=OuterRef("pk"))
        .order_by()
        .values("student")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    allocated = (
        Allocation.objects.filter(payment__student=OuterRef("pk"), payment__voided_at__isnull=True)
        .order_by()
        .values("payment__student")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    return students.annotate(
        dues_total=money_or_zero(Subquery(dues, output_field=MONEY)),
        paid_total=money_or_zero(Subquery(paid, output_field=MONEY)),
        allocated_total=money_or_zero(Subquery(allocated, output_field=MONEY)),
    ).annotate(balance_total=money_expr(F("dues_total") - F("paid_total")))


def picker_students(query: str, *, limit: int = 10) -> list[Student]:
    """Students for the fee desk (the one student search, `search_students`), active
    students first."""
    if not (query or "").strip():
        return []
    return list(
        search_students(Student.objects.select_related("user"), query).order_by(
            "-user__is_active", "user__full_name", "pk"
        )[:limit]
    )


def recent_payments(student_id: int, *, limit: int = 5) -> list[Payment]:
    """The student's latest payments, newest first, void ones included (a page marks
    them): one query whatever the number of payments."""
    return list(Payment.objects.filter(student_id=student_id).order_by("-paid_on", "-id")[:limit])
