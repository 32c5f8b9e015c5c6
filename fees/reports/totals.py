"""Payment figures from the totals the database keeps in each payment's own transaction
(PaymentDayTotal per day and method, StudentPaidTotal per student; migration 0011), and
the check that they equal the ledger (`manage.py check_fee_totals`).

A figure read here is exact the moment a payment or void commits, so the dashboards, the
summary and the cash close need no cache for it: a day's methods, a month or a financial
year are a few hundred rows at most, a student's payments one row."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce

from fees.models import Payment, PaymentDayTotal, StudentPaidTotal
from musicbeats.figures import one_row
from musicbeats.money import CENT, money_sum


def money(paise: int | None) -> Decimal:
    """Whole paise as rupees, exactly."""
    return (Decimal(paise or 0) / 100).quantize(CENT)


@dataclass(frozen=True)
class DayMethod:
    """One day's non-void payments by one method, and its voids."""

    paid_on: date
    method: str
    amount: Decimal
    payments: int
    voids: int


def day_totals(start: date, end: date) -> list[DayMethod]:
    """Every day and method with a payment (or a void) from `start` to `end`: one query
    of at most a few rows per day."""
    return [
        DayMethod(paid_on, method, money(paise), payments, voids)
        for paid_on, method, paise, payments, voids in PaymentDayTotal.objects.filter(
            paid_on__range=(start, end)
        )
        .order_by("paid_on", "method")
        .values_list("paid_on", "method", "paise", "payments", "voids")
    ]


def collections_row(first: date, today: date):
    """A one-row aggregate (musicbeats/figures.py) of the kept day totals from `first` to
    `today`: the non-void payments' paise and count of `today` and of the whole span.
    (A few dozen rows a month; `money()` makes rupees of the paise.)"""
    on_the_day = Q(paid_on=today)
    return one_row(
        PaymentDayTotal.objects.filter(paid_on__range=(first, today)),
        today_paise=Coalesce(Sum("paise", filter=on_the_day), 0),
        today_count=Coalesce(Sum("payments", filter=on_the_day), 0),
        span_paise=Coalesce(Sum("paise"), 0),
        span_count=Coalesce(Sum("payments"), 0),
    )


def paid_by_student() -> dict[int, Decimal]:
    """What each student's non-void payments add up to, of every day (one query)."""
    return {
        student_id: money(paise)
        for student_id, paise in StudentPaidTotal.objects.filter(payments__gt=0).values_list(
            "student_id", "paise"
        )
    }


def latest_payment_row():
    """A one-row aggregate (`latest`): the date of the latest payment, void or not (one
    look-up in the date index)."""
    return one_row(Payment.objects.all(), latest=Max("paid_on"))


def none_after(latest: date | None, on: date) -> bool:
    """True when the latest payment's date (`latest_payment_row`) is not after `on`: then
    a student's payments up to `on` are all of them, and `paid_by_student` answers."""
    return latest is None or latest <= on


def nothing_paid_after(on: date) -> bool:
    """`none_after` with the latest payment looked up (one look-up in the date index)."""
    return none_after(Payment.objects.aggregate(latest=Max("paid_on"))["latest"], on)


# The check: the totals against the ledger itself.


def ledger_day_totals() -> dict[tuple[date, str], tuple[int, int, int]]:
    """{(day, method): (paise, payments, voids)} summed from the payments themselves."""
    rows = (
        Payment.objects.order_by()
        .values("paid_on", "method")
        .annotate(
            amount=money_sum("amount", filter=Q(voided_at__isnull=True)),
            valid=Count("pk", filter=Q(voided_at__isnull=True)),
            void=Count("pk", filter=Q(voided_at__isnull=False)),
        )
    )
    return {
        (row["paid_on"], row["method"]): (int(row["amount"] * 100), row["valid"], row["void"])
        for row in rows
    }


def ledger_student_totals() -> dict[int, tuple[int, int]]:
    """{student id: (paise, payments)} of the non-void payments themselves."""
    rows = (
        Payment.objects.filter(voided_at__isnull=True)
        .order_by()
        .values("student_id")
        .annotate(amount=money_sum("amount"), n=Count("pk"))
    )
    return {row["student_id"]: (int(row["amount"] * 100), row["n"]) for row in rows}


def kept_day_totals() -> dict[tuple[date, str], tuple[int, int, int]]:
    return {
        (paid_on, method): (paise, payments, voids)
        for paid_on, method, paise, payments, voids in PaymentDayTotal.objects.values_list(
            "paid_on", "method", "paise", "payments", "voids"
        )
        if payments or voids or paise
    }


def kept_student_totals() -> dict[int, tuple[int, int]]:
    return {
        student_id: (paise, payments)
        for student_id, paise, payments in StudentPaidTotal.objects.values_list(
            "student_id", "paise", "payments"
        )
        if payments or paise
    }


def differences() -> list[str]:
    """Every kept total that differs from the ledger, as a sentence; empty when all agree."""
    found = []
    kept, ledger = kept_day_totals(), ledger_day_totals()
    for key in sorted(kept.keys() | ledger.keys()):
        if kept.get(key, (0, 0, 0)) != ledger.get(key, (0, 0, 0)):
            day, method = key
            found.append(
                f"{day} {method}: kept (paise, payments, voids) {kept.get(key, (0, 0, 0))}, "
                f"the ledger says {ledger.get(key, (0, 0, 0))}"
            )
    kept_s, ledger_s = kept_student_totals(), ledger_student_totals()
    for student_id in sorted(kept_s.keys() | ledger_s.keys()):
        if kept_s.get(student_id, (0, 0)) != ledger_s.get(student_id, (0, 0)):
            found.append(
                f"student {student_id}: kept (paise, payments) {kept_s.get(student_id, (0, 0))}, "
                f"the ledger says {ledger_s.get(student_id, (0, 0))}"
            )
    return found


def rebuild() -> None:
    """Write the totals again from the ledger, with payments held still meanwhile."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # No payment or void commits half-way through the rebuild; reads go on.
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE fees_payment IN SHARE ROW EXCLUSIVE MODE")
        days = ledger_day_totals()
        students = ledger_student_totals()
        PaymentDayTotal.objects.all().delete()
        StudentPaidTotal.objects.all().delete()
        PaymentDayTotal.objects.bulk_create(
            PaymentDayTotal(paid_on=d, method=m, paise=p, payments=n, voids=v)
            for (d, m), (p, n, v) in days.items()
        )
        StudentPaidTotal.objects.bulk_create(
            StudentPaidTotal(student_id=s, paise=p, payments=n) for s, (p, n) in students.items()
        )
