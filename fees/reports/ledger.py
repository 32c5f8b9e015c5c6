"""Query building blocks the fee reports share: a charge's net amount, the non-void
payments, grouped sums over non-void rows, and a report's labelled row."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q

from fees.models import Payment
from musicbeats.money import ZERO, money_sum

NET = F("amount") - F("concession_amount")


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


@dataclass
class Row:
    label: str
    amount: Decimal = ZERO
    count: int = 0
    key: object = None
    detail: str = ""
