"""Read-only fee figures: a student's statement, the institute summary, the cash close,
the families' own page and the dashboards.

Every figure is an aggregate computed by the database over ledger rows (charges and
non-void payments), in a fixed number of queries whatever the data size; lists that could
grow with the institute (defaulters, the dues matrix) are paginated.

Dates. A charge counts on the first day of the month it belongs to (`period`): the
November fee is billed on 1 November and due on the institute's due day. A payment
counts on the day it was paid (`paid_on`). A voided payment counts nowhere.

Outstanding and overdue follow the ledger's rule that payments pay the oldest dues first:
what a student still owes on dues due by day D is
`max(0, Σ dues due by D - Σ payments so far)`, so no per-row allocation history is needed
to answer "as of" a past date.

Caching. The institute-wide figures (collections, receivables) walk the whole ledger, so
`cached()` keeps them under a key that includes `ledger_version()`: one cheap query whose
answer changes with every write those figures depend on (a payment recorded or voided, a
charge added or changed, an enrolment or batch moved, a name changed). A cached figure is
therefore never stale: a new payment makes a new key.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
)
from django.db.models.functions import Cast, Substr

from accounts.models import Guardianship, Student
from attendance.models import Batch, Enrollment
from fees.models import Allocation, Charge, Payment
from musicbeats.dates import Period, month_start, months_between
from musicbeats.money import ZERO, money_sum

NET = F("amount") - F("concession_amount")
PAGE_SIZE = 50
DEFAULTERS_PAGE_SIZE = 25


CACHE_SECONDS = 60 * 60


def ledger_version() -> str:
    """A fingerprint of everything the institute-wide fee figures are computed from, in
    one query of index look-ups (no scan): the newest payment, how many are void (a void
    is never undone), the newest charge, and the newest history row of charges (a
    concession), enrolments and batches (what a due counts towards) and people (names
    on the figures). Payments are never changed or deleted; charges change only through
    the ORM (history kept); allocations change only with one of these writes."""
    tables = {
        "payment": Payment._meta.db_table,
        "charge": Charge._meta.db_table,
        "charge_history": Charge.history.model._meta.db_table,
        "enrollment_history": Enrollment.history.model._meta.db_table,
        "batch_history": Batch.history.model._meta.db_table,
        "user_history": Student._meta.get_field("user").related_model.history.model._meta.db_table,
    }
    # Table names from the models' own metadata, quoted: no outside input reaches this SQL.
    q = {name: connection.ops.quote_name(table) for name, table in tables.items()}
    sql = (
        f"SELECT (SELECT MAX(id) FROM {q['payment']}),"  # noqa: S608
        f" (SELECT COUNT(*) FROM {q['payment']} WHERE voided_at IS NOT NULL),"
        f" (SELECT MAX(id) FROM {q['charge']}),"
        f" (SELECT MAX(history_id) FROM {q['charge_history']}),"
        f" (SELECT MAX(history_id) FROM {q['enrollment_history']}),"
        f" (SELECT MAX(history_id) FROM {q['batch_history']}),"
        f" (SELECT MAX(history_id) FROM {q['user_history']})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return "-".join(str(value) for value in cursor.fetchone())


def cached(name: str, *parts, version: str, compute):
    """`compute()`, kept in the cache under `name`, `parts` and the ledger `version`."""
    digest = hashlib.sha256(repr((parts, version)).encode()).hexdigest()[:40]
    key = f"fees:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def valid_payments():
    return Payment.objects.filter(voided_at__isnull=True)


def valid_groups(rows, *fields, void=None, **expressions) -> dict[tuple, list]:
    """{group values: [Σ amount, count]} over the non-void rows of `rows` (payments, or
    allocations with `void=Q(payment__voided_at__isnull=False)`), computed as all rows
    less the voided ones. Either query has a selective index to use (the date range; the
    few voids), where "voided_at IS NULL" leads SQLite to walk the void index over the
    whole ledger."""
    void = void if void is not None else Q(voided_at__isnull=False)
    names = [*fields, *expressions]
    totals: dict[tuple, list] = {}
    for sign, queryset in ((1, rows), (-1, rows.filter(void))):
        for row in (
            queryset.order_by()
            .values(*fields, **expressions)
            .annotate(amount=money_sum("amount"), n=Count("pk"))
        ):
            key = tuple(row[name] for name in names)
            total = totals.setdefault(key, [ZERO, 0])
            total[0] += sign * row["amount"]
            total[1] += sign * row["n"]
    return {key: value for key, value in totals.items() if value[1]}


# --- Statement -------------------------------------------------------------------------


@dataclass
class Entry:
    """One line of a statement."""

    day: date
    kind: str  # "charge", "concession", "payment"
    description: str
    debit: Decimal = ZERO  # adds to what is owed
    credit: Decimal = ZERO  # takes from what is owed
    balance: Decimal = ZERO  # running balance after this line (owed, negative = credit)
    void: bool = False
    payment: Payment | None = None
    charge: Charge | None = None


@dataclass
class MonthLine:
    month: date
    charged: Decimal = ZERO
    concessions: Decimal = ZERO
    paid: Decimal = ZERO
    payments: int = 0
    closing: Decimal = ZERO


@dataclass
class Statement:
    student: Student
    period: Period
    opening: Decimal
    entries: list[Entry]
    months: list[MonthLine]
    charged: Decimal
    concessions: Decimal
    paid: Decimal
    payment_count: int
    void_count: int
    closing: Decimal

    @property
    def net_charged(self) -> Decimal:
        return self.charged - self.concessions

    @property
    def credits(self) -> Decimal:
        """Everything that took from the balance: payments and concessions."""
        return self.paid + self.concessions


_ORDER = {"charge": 0, "concession": 1, "payment": 2}


def statement(student: Student, period: Period) -> Statement:
    """The student's ledger for `period`: four queries (two opening sums, two lists)."""
    start, end = period.start, period.end
    opening_charged = Charge.objects.filter(student=student, period__lt=start).aggregate(
        total=money_sum(NET)
    )["total"]
    opening_paid = (
        valid_payments()
        .filter(student=student, paid_on__lt=start)
        .aggregate(total=money_sum("amount"))["total"]
    )
    opening = opening_charged - opening_paid

    charges = Charge.objects.filter(student=student, period__range=(start, end)).order_by(
        "period", "due_on", "id"
    )
    payments = (
        Payment.objects.filter(student=student, paid_on__range=(start, end))
        .select_related("recorded_by", "voided_by")
        .order_by("paid_on", "id")
    )
    entries: list[Entry] = []
    for charge in charges:
        entries.append(
            Entry(charge.period, "charge", charge.description, debit=charge.amount, charge=charge)
        )
        if charge.concession_amount:
            reason = charge.get_concession_kind_display() or "Concession"
            entries.append(
                Entry(
                    charge.period,
                    "concession",
                    f"{reason}: {charge.concession_reason}",
                    credit=charge.concession_amount,
                    charge=charge,
                )
            )
    for payment in payments:
        entries.append(
            Entry(
                payment.paid_on,
                "payment",
                f"Payment, {payment.get_method_display()}",
                credit=payment.amount,
                void=payment.is_void,
                payment=payment,
            )
        )
    # Sorted by day; on one day charges come before their concessions and payments.
    entries.sort(
        key=lambda e: (
            e.day,
            _ORDER[e.kind],
            e.payment.pk if e.payment else e.charge.pk if e.charge else 0,
        )
    )
    months = {m: MonthLine(m) for m in months_between(start, end)}
    balance = opening
    charged = concessions = paid = ZERO
    payment_count = void_count = 0
    for entry in entries:
        line = months[month_start(entry.day)]
        if entry.void:
            void_count += 1
        elif entry.kind == "charge":
            charged += entry.debit
            line.charged += entry.debit
        elif entry.kind == "concession":
            concessions += entry.credit
            line.concessions += entry.credit
        else:
            paid += entry.credit
            payment_count += 1
            line.paid += entry.credit
            line.payments += 1
        if not entry.void:
            balance += entry.debit - entry.credit
        entry.balance = balance
    running = opening
    for line in months.values():
        running += line.charged - line.concessions - line.paid
        line.closing = running
    return Statement(
        student=student,
        period=period,
        opening=opening,
        entries=entries,
        months=list(months.values()),
        charged=charged,
        concessions=concessions,
        paid=paid,
        payment_count=payment_count,
        void_count=void_count,
        closing=balance,
    )


# --- Institute summary -----------------------------------------------------------------


@dataclass
class Row:
    label: str
    amount: Decimal = ZERO
    count: int = 0
    key: object = None
    detail: str = ""


@dataclass
class Collections:
    total: Decimal
    count: int
    by_month: list[Row]
    by_method: list[Row]
    by_course: list[Row]
    by_batch: list[Row]
    dues_by_month: list[Row]


def month_key(field: str):
    """`YYYY-MM` of a date column, with the database's own string functions (SQLite's
    TruncMonth calls back into Python for every row)."""
    return Substr(Cast(field, output_field=CharField()), 1, 7)


def _key_month(key: str) -> date:
    return date(int(key[:4]), int(key[5:7]), 1)


def collections(period: Period) -> Collections:
    """Money collected in `period`, five ways; each way adds up to the same total.

    Three aggregate queries: payments by month and method, what they paid by batch (their
    allocations), dues billed by month. By course and by batch follow what each payment
    paid: money for one-off charges and late fees is "other charges", money not yet used
    on a due is the families' credit.
    """
    in_range = Payment.objects.filter(paid_on__range=(period.start, period.end))
    month_method = {
        (_key_month(month), method): value
        for (month, method), value in valid_groups(
            in_range, month=month_key("paid_on"), pay_method=F("method")
        ).items()
    }
    months = months_between(period.start, period.end)
    by_month = []
    for month in months:
        cells = [v for (m, _method), v in month_method.items() if m == month]
        by_month.append(
            Row(
                f"{month:%b %Y}",
                sum((c[0] for c in cells), ZERO),
                sum(c[1] for c in cells),
                key=month,
            )
        )
    by_method = []
    for value, label in Payment.Method.choices:
        cells = [v for (_m, method), v in month_method.items() if method == value]
        if cells:
            by_method.append(
                Row(label, sum((c[0] for c in cells), ZERO), sum(c[1] for c in cells), value)
            )
    total = sum((row.amount for row in by_month), ZERO)
    count = sum(row.count for row in by_month)

    paid_by_batch = {
        batch: amount
        for (batch,), (amount, _n) in valid_groups(
            Allocation.objects.filter(payment__paid_on__range=(period.start, period.end)),
            void=Q(payment__voided_at__isnull=False),
            batch=F("charge__enrollment__batch_id"),
        ).items()
    }
    other = paid_by_batch.pop(None, ZERO)
    allocated = other + sum(paid_by_batch.values(), ZERO)
    unallocated = total - allocated
    batches = Batch.objects.filter(pk__in=list(paid_by_batch)).select_related(
        "instrument", "teacher"
    )
    by_batch, courses = [], defaultdict(lambda: ZERO)
    for batch in batches:
        amount = paid_by_batch[batch.pk]
        by_batch.append(Row(batch.name, amount, key=batch.pk, detail=batch.teacher.full_name))
        courses[batch.instrument.pk, batch.instrument.name] += amount
    by_batch.sort(key=lambda row: (row.detail, row.label, row.key))
    by_course = sorted(
        (Row(name, amount, key=pk) for (pk, name), amount in courses.items()),
        key=lambda row: (-row.amount, row.label),
    )
    if other:
        by_course.append(Row("Other charges (admission, exam, rental, books, late fees)", other))
        by_batch.append(Row("Other charges (not a batch)", other))
    if unallocated:
        by_course.append(Row("Not yet used on a due (families' credit)", unallocated))
        by_batch.append(Row("Not yet used on a due (families' credit)", unallocated))

    dues = {
        row["period"]: row
        for row in Charge.objects.filter(period__range=(period.start, period.end))
        .order_by()
        .values("period")
        .annotate(amount=money_sum(NET), n=Count("id"))
    }
    dues_by_month = [
        Row(
            f"{month:%b %Y}",
            dues.get(month, {}).get("amount", ZERO),
            dues.get(month, {}).get("n", 0),
            key=month,
        )
        for month in months
        if month >= period.start  # a charge on 1 Nov is outside a range from 15 Nov
    ]
    return Collections(total, count, by_month, by_method, by_course, by_batch, dues_by_month)


@dataclass
class Position:
    """What one student owes on a day: `owed` (all dues billed by then, less payments)
    and `overdue` (dues due by the cutoff, less payments; oldest dues are paid first)."""

    student_id: int
    owed: Decimal
    overdue: Decimal
    student: Student | None = None


def positions(on: date, *, cutoff: date) -> list[Position]:
    """Every student who owes something on `on`: two grouped queries (charges, payments),
    combined per student here (at most one row per student)."""
    charged = {
        row["student"]: (row["billed"], row["due"])
        for row in Charge.objects.filter(period__lte=on)
        .order_by()
        .values("student")
        .annotate(billed=money_sum(NET), due=money_sum(NET, filter=Q(due_on__lte=cutoff)))
    }
    paid = {
        student: amount
        for (student,), (amount, _n) in valid_groups(
            # Grouped by an expression, so SQLite reads the table straight through
            # instead of walking the student index with a page fetch per payment.
            Payment.objects.filter(paid_on__lte=on),
            sid=F("student_id") + 0,
        ).items()
    }
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


class KnownCountPaginator(Paginator):
    """A paginator told its count by a query the page already made."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = count

    @property
    def count(self):
        return self._known_count


def paginate(queryset, page_number, *, per_page: int, count: int | None = None):
    if count is None:
        return Paginator(queryset, per_page).get_page(page_number)
    return KnownCountPaginator(queryset, per_page, count=count).get_page(page_number)


# --- Cash close ------------------------------------------------------------------------


@dataclass
class CashClose:
    day: date
    payments: list[Payment]
    by_method: list[Row]
    total: Decimal
    count: int
    cash: Decimal
    void_count: int


def cash_close(day: date) -> CashClose:
    """The day's payments (void ones listed, counted nowhere), by method, and the cash
    the drawer should hold. Two queries."""
    payments = list(
        Payment.objects.filter(paid_on=day)
        .select_related("student__user", "recorded_by")
        .order_by("recorded_at", "id")
    )
    rows = {
        row["method"]: row
        for row in valid_payments()
        .filter(paid_on=day)
        .order_by()
        .values("method")
        .annotate(amount=money_sum("amount"), n=Count("id"))
    }
    by_method = [
        Row(label, rows.get(value, {}).get("amount", ZERO), rows.get(value, {}).get("n", 0), value)
        for value, label in Payment.Method.choices
    ]
    total = sum((row.amount for row in by_method), ZERO)
    count = sum(row.count for row in by_method)
    cash = next(row.amount for row in by_method if row.key == Payment.Method.CASH)
    return CashClose(day, payments, by_method, total, count, cash, sum(p.is_void for p in payments))


# --- Families and dashboards -----------------------------------------------------------


def dues_billed(month: date) -> Decimal:
    return Charge.objects.filter(period=month_start(month)).aggregate(t=money_sum(NET))["t"]


def overdue_students(on: date) -> int:
    """How many students have a due past its due day and still unpaid on `on`."""
    return sum(1 for p in positions(on, cutoff=on - timedelta(days=1)) if p.overdue > 0)


def overdue_students_cached(on: date) -> int:
    return cached("overdue", on, version=ledger_version(), compute=lambda: overdue_students(on))


@dataclass
class StaffFees:
    today: date
    today_total: Decimal
    today_count: int
    month_total: Decimal
    month_count: int
    month_dues: Decimal
    overdue_students: int | None = None

    @property
    def month_share(self) -> int:
        """The month's collections as a percentage of its dues (0 when none billed)."""
        if not self.month_dues:
            return 0
        return int(self.month_total * 100 / self.month_dues)


def staff_dashboard(today: date, *, with_overdue: bool) -> StaffFees:
    """Today's and this month's collections, this month's dues, and (for the office) how
    many students are overdue: three queries."""
    first = month_start(today)
    days = valid_groups(
        Payment.objects.filter(paid_on__range=(first, today)), is_today=Q(paid_on=today)
    )
    today_total, today_count = days.get((True,), [ZERO, 0])
    return StaffFees(
        today=today,
        today_total=today_total,
        today_count=today_count,
        month_total=sum((amount for amount, _n in days.values()), ZERO),
        month_count=sum(n for _a, n in days.values()),
        month_dues=dues_billed(first),
        overdue_students=overdue_students_cached(today) if with_overdue else None,
    )
