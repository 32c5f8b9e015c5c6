"""The daily cash close: the day's payments by method and the cash the drawer should
hold."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from fees.models import Payment
from fees.reports.ledger import Row
from fees.reports.totals import DayMethod, day_totals
from musicbeats.money import ZERO


@dataclass
class CashClose:
    day: date
    payments: QuerySet  # of Payment
    by_method: list[Row]
    total: Decimal
    count: int
    cash: Decimal
    void_count: int


def totals_by_method(day: date, rows: list[DayMethod] | None = None) -> dict[str, Row]:
    """The day's non-void payments per method value, from the kept day totals (one
    query of a row per method, unless the day's `rows` were read already)."""
    found = {row.method: row for row in (day_totals(day, day) if rows is None else rows)}
    return {
        value: Row(
            label,
            found[value].amount if value in found else ZERO,
            found[value].payments if value in found else 0,
            value,
        )
        for value, label in Payment.Method.choices
    }


def cash_close(day: date) -> CashClose:
    """The day's payments (void ones listed, counted nowhere; a lazy queryset, for the
    page to paginate and the exports to stream), by method, and the cash the drawer
    should hold. One query of kept totals, and the payments' own when read."""
    payments = (
        Payment.objects.filter(paid_on=day)
        .select_related("student__user", "recorded_by")
        .order_by("recorded_at", "id")
    )
    rows = day_totals(day, day)
    by_method = list(totals_by_method(day, rows).values())
    total = sum((row.amount for row in by_method), ZERO)
    count = sum(row.count for row in by_method)
    cash = next(row.amount for row in by_method if row.key == Payment.Method.CASH)
    voids = sum(row.voids for row in rows)
    return CashClose(day, payments, by_method, total, count, cash, voids)
