"""The fee figures on the dashboards: for staff today's and this month's collections, the
month's dues and how many students are overdue; for a family what is due."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fees.models import Allocation, Charge
from fees.reports.ledger import NET
from fees.reports.ledger_cache import cached, ledger_version_figures, version_key
from fees.reports.owing import overdue_students
from fees.reports.totals import collections_row, latest_payment_row, money, none_after
from fees.selectors import family_students, with_balances
from musicbeats.dates import month_start
from musicbeats.figures import Figures, one_row, read_at_once
from musicbeats.money import ZERO, money_sum


def dues_billed_row(month: date):
    """The month's dues (net of concessions), as a one-row aggregate (`t`)."""
    return one_row(Charge.objects.filter(period=month_start(month)), t=money_sum(NET))


def dues_paid_row(month: date):
    """What valid payments (of any day, before or in the month) have settled of the
    month's own dues: allocations to its charges. Arrears paid this month and advances
    for later months are not in it, unlike the month's collections. A one-row aggregate
    (`t`)."""
    return one_row(
        Allocation.objects.filter(
            charge__period=month_start(month), payment__voided_at__isnull=True
        ),
        t=money_sum("amount"),
    )


def dues_billed(month: date) -> Decimal:
    [billed] = read_at_once(Figures((dues_billed_row(month),), lambda row: row["t"]))
    return billed


@dataclass
class StaffFees:
    today: date
    today_total: Decimal
    today_count: int
    month_total: Decimal
    month_count: int
    month_dues: Decimal
    month_dues_paid: Decimal
    overdue_students: int | None = None

    @property
    def month_share(self) -> int:
        """How much of the month's own dues is paid, in percent (0 when none billed).
        Not the month's collections over its dues: those hold arrears and advances."""
        if not self.month_dues:
            return 0
        return int(self.month_dues_paid * 100 / self.month_dues)


def staff_fee_figures(today: date, *, with_overdue: bool) -> Figures:
    """Today's and this month's collections (the kept day totals: a month is a few dozen
    rows), this month's dues and what is paid of them, and (for the office) how many
    students are overdue (cached under the ledger's version). All parts of the
    dashboard's one query (musicbeats/figures.py); then only the cached count is looked
    up, and computed when the ledger has changed (two queries more)."""
    first = month_start(today)
    parts = (collections_row(first, today), dues_billed_row(first), dues_paid_row(first))
    if with_overdue:
        parts += (*ledger_version_figures().parts, latest_payment_row())

    def finish(collected, billed, paid, version=None, latest=None) -> StaffFees:
        overdue = None
        if version is not None:
            nothing_after = none_after(latest["latest"], today)
            overdue = cached(
                "overdue",
                today,
                version=version_key(version),
                compute=lambda: overdue_students(today, nothing_after=nothing_after),
            )
        return StaffFees(
            today=today,
            today_total=money(collected["today_paise"]),
            today_count=collected["today_count"],
            month_total=money(collected["span_paise"]),
            month_count=collected["span_count"],
            month_dues=billed["t"],
            month_dues_paid=paid["t"],
            overdue_students=overdue,
        )

    return Figures(parts, finish)


def family_fee_figures(user) -> dict:
    """What is due for each child of a family's dashboard (musicbeats/dashboard.py), in
    two queries. (Staff see `staff_fee_figures`, a teacher no fees.)"""
    students = with_balances(family_students(user))
    dues = [{"student": student, "due": max(student.balance_total, ZERO)} for student in students]
    return {"family_fees": dues, "family_due": sum((d["due"] for d in dues), ZERO)}
