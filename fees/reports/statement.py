"""A student's fee statement for a period: opening balance, every line with its running
balance, month by month totals and the closing balance."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import Student
from fees.models import Charge, Payment
from fees.reports.ledger import NET, valid_payments
from musicbeats.dates import Period, month_start, months_between
from musicbeats.money import ZERO, money_sum


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


def _opening(student: Student, start: date) -> Decimal:
    """What the student owed before `start` (two sums)."""
    opening_charged = Charge.objects.filter(student=student, period__lt=start).aggregate(
        total=money_sum(NET)
    )["total"]
    opening_paid = (
        valid_payments()
        .filter(student=student, paid_on__lt=start)
        .aggregate(total=money_sum("amount"))["total"]
    )
    return opening_charged - opening_paid


def _charge_entries(charges) -> list[Entry]:
    """A line for each charge, followed by a line for its concession if it has one."""
    entries = []
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
    return entries


def _payment_entry(payment: Payment) -> Entry:
    return Entry(
        payment.paid_on,
        "payment",
        f"Payment, {payment.get_method_display()}",
        credit=payment.amount,
        void=payment.is_void,
        payment=payment,
    )


def _entries(student: Student, start: date, end: date) -> list[Entry]:
    """The period's charges, concessions and payments as lines, in order (two lists)."""
    charges = Charge.objects.filter(student=student, period__range=(start, end)).order_by(
        "period", "due_on", "id"
    )
    payments = (
        Payment.objects.filter(student=student, paid_on__range=(start, end))
        .select_related("recorded_by", "voided_by")
        .order_by("paid_on", "id")
    )
    entries = _charge_entries(charges) + [_payment_entry(payment) for payment in payments]
    # Sorted by day; on one day charges come before their concessions and payments.
    entries.sort(
        key=lambda e: (
            e.day,
            _ORDER[e.kind],
            e.payment.pk if e.payment else e.charge.pk if e.charge else 0,
        )
    )
    return entries


def _add(line: MonthLine, entry: Entry) -> None:
    """Count a non-void line in a month's line (or in the statement's totals)."""
    if entry.kind == "charge":
        line.charged += entry.debit
    elif entry.kind == "concession":
        line.concessions += entry.credit
    else:
        line.paid += entry.credit
        line.payments += 1


def _post(
    entries: list[Entry], opening: Decimal, months: dict[date, MonthLine]
) -> tuple[MonthLine, int, Decimal]:
    """Walk the lines in order: set each line's running balance and add it to its month
    and to the totals (a void payment is counted as void, and nowhere else). Returns
    the totals, the number of void lines and the closing balance."""
    totals = MonthLine(month=None)
    balance, void_count = opening, 0
    for entry in entries:
        if entry.void:
            void_count += 1
        else:
            _add(months[month_start(entry.day)], entry)
            _add(totals, entry)
            balance += entry.debit - entry.credit
        entry.balance = balance
    return totals, void_count, balance


def _close_months(lines, opening: Decimal) -> None:
    """Each month's closing balance, running on from the opening balance."""
    running = opening
    for line in lines:
        running += line.charged - line.concessions - line.paid
        line.closing = running


def statement(student: Student, period: Period) -> Statement:
    """The student's ledger for `period`: four queries (two opening sums, two lists)."""
    opening = _opening(student, period.start)
    entries = _entries(student, period.start, period.end)
    months = {m: MonthLine(m) for m in months_between(period.start, period.end)}
    totals, void_count, closing = _post(entries, opening, months)
    _close_months(months.values(), opening)
    return Statement(
        student=student,
        period=period,
        opening=opening,
        entries=entries,
        months=list(months.values()),
        charged=totals.charged,
        concessions=totals.concessions,
        paid=totals.paid,
        payment_count=totals.payments,
        void_count=void_count,
        closing=closing,
    )
