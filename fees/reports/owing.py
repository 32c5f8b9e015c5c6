"""The institute's receivables on a day: what each student owes, what is overdue, and
the defaulters (most overdue first, one page at a time)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q

from accounts.models import Guardianship, Student
from fees.models import Charge, Payment
from fees.reports.ledger import NET, valid_groups
from fees.reports.totals import nothing_paid_after, paid_by_student
from musicbeats.money import ZERO, money_sum

DEFAULTERS_PAGE_SIZE = 20  # the summary page must stay about 60 KB (issue 16)


@dataclass
class Position:
    """What one student owes on a day: `owed` (all dues billed by then, less payments)
    and `overdue` (dues due by the cutoff, less payments; oldest dues are paid first)."""

    student_id: int
    owed: Decimal
    overdue: Decimal
    student: Student | None = None


def paid_through(on: date) -> dict[int, Decimal]:
    """What each student's non-void payments dated up to `on` add up to, from the ledger
    (for a day before the newest payment; otherwise `totals.paid_by_student` answers)."""
    return {
        student: amount
        for (student,), (amount, _n) in valid_groups(
            # Grouped by an expression, so SQLite reads the table straight through
            # instead of walking the student index with a page fetch per payment.
            Payment.objects.filter(paid_on__lte=on),
            sid=F("student_id") + 0,
        ).items()
    }


def positions(on: date, *, cutoff: date, nothing_after: bool | None = None) -> list[Position]:
    """Every student who owes something on `on`: the charges grouped per student, and what
    each has paid (the kept per-student totals: one row a student, not the ledger),
    combined here (at most one row per student). Three queries; two when the caller
    already knows whether any payment is dated after `on` (`nothing_after`)."""
    charged = {
        row["student"]: (row["billed"], row["due"])
        for row in Charge.objects.filter(period__lte=on)
        .order_by()
        .values("student")
        .annotate(billed=money_sum(NET), due=money_sum(NET, filter=Q(due_on__lte=cutoff)))
    }
    if nothing_after is None:
        nothing_after = nothing_paid_after(on)
    paid = paid_by_student() if nothing_after else paid_through(on)
    result = []
    for student_id, (billed, due) in charged.items():
        owed = billed - paid.get(student_id, ZERO)
        if owed > 0:
            result.append(Position(student_id, owed, max(due - paid.get(student_id, ZERO), ZERO)))
    return result


@dataclass
class Owing:
    """The institute's receivables on a day: what is outstanding, and the defaulters."""

    on: date
    days: int
    outstanding: Decimal
    owing_students: int
    defaulters: list[Position]  # most overdue first
    overdue: Decimal

    def page(self, number, *, per_page=DEFAULTERS_PAGE_SIZE):
        """One page of defaulters with their students, phones and guardians (2 queries)."""
        page = Paginator(self.defaulters, per_page).get_page(number)
        ids = [p.student_id for p in page.object_list]
        guardians = Guardianship.objects.select_related("guardian").order_by(
            "guardian__full_name", "pk"
        )
        students = (
            Student.objects.filter(pk__in=ids)
            .select_related("user")
            .prefetch_related(Prefetch("guardianships", queryset=guardians))
        )
        found = {student.pk: student for student in students}
        for position in page.object_list:
            position.student = found[position.student_id]
        return page

    def all_defaulters(self) -> list[Position]:
        """Every defaulter with their student (for the export: 2 queries)."""
        page = self.page(1, per_page=max(1, len(self.defaulters)))
        return list(page.object_list)


def owing(on: date, *, days: int) -> Owing:
    """Outstanding on `on` and who is overdue by more than `days` days: dues due before
    `on - days` still unpaid (payments pay the oldest dues first)."""
    cutoff = on - timedelta(days=days + 1)
    rows = positions(on, cutoff=cutoff)
    defaulters = sorted(
        (p for p in rows if p.overdue > 0), key=lambda p: (-p.overdue, p.student_id)
    )
    return Owing(
        on=on,
        days=days,
        outstanding=sum((p.owed for p in rows), ZERO),
        owing_students=len(rows),
        defaulters=defaulters,
        overdue=sum((p.overdue for p in defaulters), ZERO),
    )


def overdue_students(on: date, *, nothing_after: bool | None = None) -> int:
    """How many students have a due past its due day and still unpaid on `on`."""
    rows = positions(on, cutoff=on - timedelta(days=1), nothing_after=nothing_after)
    return sum(1 for p in rows if p.overdue > 0)
