"""The fee figures on the staff dashboards: today's and this month's collections, the
month's dues and how many students are overdue."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.models import STAFF_ROLES, Role
from fees.models import Allocation, Charge
from fees.reports.ledger import NET
from fees.reports.ledger_cache import cached, ledger_version
from fees.reports.owing import overdue_students
from fees.reports.totals import day_totals
from fees.selectors import family_students, with_balances
from musicbeats.dates import month_start
from musicbeats.money import ZERO, money_sum


def dues_billed(month: date) -> Decimal:
    return Charge.objects.filter(period=month_start(month)).aggregate(t=money_sum(NET))["t"]


def dues_paid(month: date) -> Decimal:
    """What valid payments (of any day, before or in the month) have settled of the
    month's own dues: allocations to its charges. Arrears paid this month and advances
    for later months are not in it, unlike the month's collections."""
    return Allocation.objects.filter(
        charge__period=month_start(month), payment__voided_at__isnull=True
    ).aggregate(t=money_sum("amount"))["t"]


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
    month_dues_paid: Decimal
    overdue_students: int | None = None

    @property
    def month_share(self) -> int:
        """How much of the month's own dues is paid, in percent (0 when none billed).
        Not the month's collections over its dues: those hold arrears and advances."""
        if not self.month_dues:
            return 0
        return int(self.month_dues_paid * 100 / self.month_dues)


def staff_dashboard(today: date, *, with_overdue: bool) -> StaffFees:
    """Today's and this month's collections (the kept day totals: a month is a few dozen
    rows), this month's dues, and (for the office) how many students are overdue."""
    first = month_start(today)
    days = day_totals(first, today)
    on_the_day = [row for row in days if row.paid_on == today]
    return StaffFees(
        today=today,
        today_total=sum((row.amount for row in on_the_day), ZERO),
        today_count=sum(row.payments for row in on_the_day),
        month_total=sum((row.amount for row in days), ZERO),
        month_count=sum(row.payments for row in days),
        month_dues=dues_billed(first),
        month_dues_paid=dues_paid(first),
        overdue_students=overdue_students_cached(today) if with_overdue else None,
    )


def dashboard_figures(user) -> dict:
    """The fee figures of a role's dashboard (musicbeats/dashboard.py), in at most four
    queries: office sees today's collections and the overdue count, the admin the month's
    collections against the month's dues, a family what is due for each child; nothing
    for a teacher."""
    if user.role in STAFF_ROLES:
        today = timezone.localdate()
        return {"staff_fees": staff_dashboard(today, with_overdue=user.role == Role.OFFICE)}
    if user.role not in (Role.STUDENT, Role.GUARDIAN):
        return {}
    students = with_balances(family_students(user))
    dues = [{"student": student, "due": max(student.balance_total, ZERO)} for student in students]
    return {"family_fees": dues, "family_due": sum((d["due"] for d in dues), ZERO)}
