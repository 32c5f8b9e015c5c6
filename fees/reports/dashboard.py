"""The fee figures on the staff dashboards: today's and this month's collections, the
month's dues and how many students are overdue."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.models import STAFF_ROLES, Role
from fees.models import Allocation, Charge, Payment
from fees.reports.ledger import NET, valid_groups
from fees.reports.ledger_cache import cached, ledger_version
from fees.reports.owing import overdue_students
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
    """Today's and this month's collections, this month's dues, and (for the office) how
    many students are overdue: four queries."""
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
