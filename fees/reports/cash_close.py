"""The daily cash close: the day's payments by method and the cash the drawer should
hold."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet

from fees.models import Payment
from fees.reports.ledger import Row, valid_payments
from musicbeats.money import ZERO, money_sum, paise


@dataclass
class CashClose:
    day: date
    payments: QuerySet  # of Payment
    by_method: list[Row]
    total: Decimal
    count: int
    cash: Decimal
    void_count: int


def totals_by_method(day: date) -> dict[str, Row]:
    """The day's non-void payments per method value: one aggregate query."""
    rows = {
        row["method"]: row
        for row in valid_payments()
        .filter(paid_on=day)
        .order_by()
        .values("method")
        .annotate(amount=money_sum("amount"), n=Count("id"))
    }
    return {
        value: Row(
            label, paise(rows.get(value, {}).get("amount")), rows.get(value, {}).get("n", 0), value
        )
        for value, label in Payment.Method.choices
    }


def cash_close(day: date) -> CashClose:
    """The day's payments (void ones listed, counted nowhere; a lazy queryset, for the
    page to paginate and the exports to stream), by method, and the cash the drawer
    should hold. Two queries, and the payments' own when read."""
    payments = (
        Payment.objects.filter(paid_on=day)
        .select_related("student__user", "recorded_by")
        .order_by("recorded_at", "id")
    )
    by_method = list(totals_by_method(day).values())
    total = sum((row.amount for row in by_method), ZERO)
    count = sum(row.count for row in by_method)
    cash = next(row.amount for row in by_method if row.key == Payment.Method.CASH)
    void_count = Payment.objects.filter(paid_on=day, voided_at__isnull=False).count()
    return CashClose(day, payments, by_method, total, count, cash, void_count)
