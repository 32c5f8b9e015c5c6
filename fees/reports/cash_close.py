"""The daily cash close: the day's payments by method and the cash the drawer should
hold."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count

from fees.models import Payment
from fees.reports.ledger import Row, valid_payments
from musicbeats.money import ZERO, money_sum


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
