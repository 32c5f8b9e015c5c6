"""Money collected in a period, five ways (by month, method, course, batch; dues billed
by month), for the institute summary."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q

from attendance.models import Batch
from fees.models import Allocation, Charge, Payment
from fees.reports.ledger import NET, Row, valid_groups
from fees.reports.totals import day_totals
from musicbeats.dates import Period, month_start, months_between
from musicbeats.money import ZERO, money_sum


@dataclass
class Collections:
    total: Decimal
    count: int
    by_month: list[Row]
    by_method: list[Row]
    by_course: list[Row]
    by_batch: list[Row]
    dues_by_month: list[Row]


def _by_month_and_method(period: Period, months: list[date]) -> tuple[list[Row], list[Row]]:
    """The period's payments by month and by method (the kept day totals: a year is at
    most a few hundred rows, whatever the ledger's size)."""
    month_method: dict[tuple[date, str], list] = {}
    for row in day_totals(period.start, period.end):
        if row.payments:
            cell = month_method.setdefault((month_start(row.paid_on), row.method), [ZERO, 0])
            cell[0] += row.amount
            cell[1] += row.payments
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
    return by_month, by_method


def _by_course_and_batch(period: Period, total: Decimal) -> tuple[list[Row], list[Row]]:
    """What the period's payments paid, by course and by batch (their allocations): money
    for one-off charges and late fees is "other charges", money not yet used on a due is
    the families' credit."""
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
    return by_course, by_batch


def _dues_by_month(period: Period, months: list[date]) -> list[Row]:
    """Dues billed for each month of the period (one grouped query)."""
    dues = {
        row["period"]: row
        for row in Charge.objects.filter(period__range=(period.start, period.end))
        .order_by()
        .values("period")
        .annotate(amount=money_sum(NET), n=Count("id"))
    }
    return [
        Row(
            f"{month:%b %Y}",
            dues.get(month, {}).get("amount", ZERO),
            dues.get(month, {}).get("n", 0),
            key=month,
        )
        for month in months
        if month >= period.start  # a charge on 1 Nov is outside a range from 15 Nov
    ]


def collections(period: Period) -> Collections:
    """Money collected in `period`, five ways; each way adds up to the same total.

    Three queries: payments by month and method (kept totals), what they paid by batch
    (their allocations), dues billed by month. By course and by batch follow what each payment
    paid: money for one-off charges and late fees is "other charges", money not yet used
    on a due is the families' credit.
    """
    months = months_between(period.start, period.end)
    by_month, by_method = _by_month_and_method(period, months)
    total = sum((row.amount for row in by_month), ZERO)
    count = sum(row.count for row in by_month)
    by_course, by_batch = _by_course_and_batch(period, total)
    dues_by_month = _dues_by_month(period, months)
    return Collections(total, count, by_month, by_method, by_course, by_batch, dues_by_month)
