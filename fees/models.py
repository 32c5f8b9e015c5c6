"""Fees: what a student owes (charges, with concessions) and what they paid (payments).

- `Charge`: one due. Monthly dues come from enrolments (`kind=monthly`, one per enrolment
  and month, prorated by the institute's rule); one-off charges (admission, exam,
  instrument rental, books, other) and late fees (one per student and month) are added by
  the office. A concession or waiver is kept on the charge it reduces
  (`concession_amount`, kind, reason, who, when): the database checks it never exceeds
  the charge.
- `Payment`: the append-only ledger. Amount, student, date, method, reference, receipt
  number and who recorded it never change and a payment is never deleted: the QuerySet
  refuses `update()`/`delete()`/`bulk_update()`, `save()` refuses to rewrite a stored
  payment, and database triggers (migrations 0002, 0004) refuse UPDATE of every column
  but the remarks and the void fields, and DELETE, for any client, raw SQL included. A
  mistake is voided (`payment.void()`) and recorded anew; a voided payment stays listed
  and counts in no total.
- `Allocation`: which charge a payment paid, stored when the payment is recorded (oldest
  open dues first, `fees.allocation.settle`). What a payment did not use is the student's
  credit, which later dues use. Allocations of a voided payment stay as history and
  count nowhere; the charges they paid open again and any credit is used on them.
- `RemarkEdit`: each change of a payment's remarks (the one field that may change).

Money invariant (tested): for every student,
balance = Σ charges - Σ concessions - Σ non-void payments
        = Σ open amounts of charges - credit.
"""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Student
from musicbeats.money import MONEY, money_expr, money_or_zero

MAX_AMOUNT = Decimal("1000000.00")  # ₹10,00,000: no single charge or payment is larger.
# No payment is dated before this (the model has no founding date): a year typed as 0202
# or 1026 is a slip, and receipt years before it would be nonsense. The latest date is
# today: a payment is never dated in the future.
EARLIEST_PAYMENT_DATE = date(2000, 1, 1)
RECEIPT_PREFIX = "MB"


class LedgerError(Exception):
    """A write the append-only payment ledger refuses (change or delete of a payment)."""


class ChargeQuerySet(models.QuerySet):
    def with_amounts(self):
        """Annotate `net` (amount - concession), `paid` (what non-void payments allocated
        to it) and `open` (what is still owed on it), in the database, each an exact
        Decimal of paise on SQLite too."""
        paid = (
            Allocation.objects.filter(charge=models.OuterRef("pk"), payment__voided_at__isnull=True)
            .order_by()
            .values("charge")
            .annotate(total=models.Sum("amount"))
            .values("total")
        )
        return self.annotate(
            net=money_expr(F("amount") - F("concession_amount")),
            paid=money_or_zero(models.Subquery(paid, output_field=MONEY)),
        ).annotate(open=money_expr(F("net") - F("paid")))


class Charge(models.Model):
    """Something a student owes: a monthly fee, a one-off charge or a late fee."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "Monthly fee"
        ADMISSION = "admission", "Admission fee"
        EXAM = "exam", "Exam fee"
        RENTAL = "rental", "Instrument rental"
        BOOKS = "books", "Books and material"
        LATE = "late", "Late fee"
        OTHER = "other", "Other"

    class ConcessionKind(models.TextChoices):
        SIBLING = "sibling", "Sibling"
        SCHOLARSHIP = "scholarship", "Scholarship"
        STAFF_CHILD = "staff_child", "Staff child"
        OTHER = "other", "Other"

    # Kinds the office adds by hand (monthly dues are generated, late fees applied).
    ONE_OFF_KINDS = (Kind.ADMISSION, Kind.EXAM, Kind.RENTAL, Kind.BOOKS, Kind.OTHER)

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.DateField(help_text="First day of the month this charge belongs to.")
    due_on = models.DateField(help_text="Payable by this day; oldest dues are paid first.")
    enrollment = models.ForeignKey(
        "attendance.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges",
        help_text="The enrolment a monthly fee is for.",
    )
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for dues generated by the monthly command.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    # A concession or waiver on this charge (0 when none).
    concession_amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    concession_kind = models.CharField(max_length=12, choices=ConcessionKind.choices, blank=True)
    concession_reason = models.CharField(max_length=200, blank=True)
    concession_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    concession_at = models.DateTimeField(null=True, blank=True)

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )

    objects = ChargeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["student", "due_on"]),
            models.Index(fields=["period", "kind"]),
            models.Index(fields=["due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=MAX_AMOUNT), name="charge_amount_bounded"
            ),
            models.CheckConstraint(
                condition=Q(concession_amount__gte=0, concession_amount__lte=F("amount")),
                name="charge_concession_within_charge",
            ),
            models.CheckConstraint(
                condition=Q(concession_amount=0, concession_by__isnull=True)
                | (
                    Q(concession_amount__gt=0, concession_by__isnull=False)
                    & ~Q(concession_reason="")
                    & ~Q(concession_kind="")
                ),
                name="charge_concession_has_reason_and_grantor",
            ),
            models.CheckConstraint(
                condition=Q(kind="monthly", enrollment__isnull=False)
                | (~Q(kind="monthly") & Q(enrollment__isnull=True)),
                name="charge_monthly_has_enrollment",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="charge_period_first_day"),
            # `generate_dues` may run any number of times: one monthly fee per
            # enrolment and month, one late fee per student and month.
            models.UniqueConstraint(
                fields=["enrollment", "period"],
                condition=Q(kind="monthly"),
                name="charge_one_monthly_fee_per_enrollment_month",
            ),
            models.UniqueConstraint(
                fields=["student", "period"],
                condition=Q(kind="late"),
                name="charge_one_late_fee_per_student_month",
            ),
        ]

    def __str__(self):
        return self.description


class PaymentQuerySet(models.QuerySet):
    """Payments are append-only: no bulk update or delete, whatever the caller."""

    def update(self, **kwargs):
        raise LedgerError("Payments are never updated in bulk; void a payment instead.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise LedgerError("Payments are never updated in bulk; void a payment instead.")

    def delete(self):
        raise LedgerError("Payments are never deleted; void a payment instead.")

    delete.alters_data = True
    delete.queryset_only = True

    def valid(self):
        """Payments that count: not voided."""
        return self.filter(voided_at__isnull=True)


class PaymentGroup(models.Model):
    """A family payment: one sum from a guardian, split across their children.

    Each child's share is an ordinary `Payment` (with `group` set), so each statement,
    balance and allocation stays exactly as for a single payment; the members share one
    receipt number, drawn once from the counter. Written once by
    `fees.services.record_family_payment`; never changed (its members carry the void).
    """

    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="family_payments",
        help_text="The guardian who paid.",
    )
    receipt_number = models.CharField(max_length=24, unique=True)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="family_payments_recorded"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="payment_group_total_positive"),
        ]

    def __str__(self):
        return self.receipt_number

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerError("A family payment is never changed; void it instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError("A family payment is never deleted; void it instead.")


class Payment(models.Model):
    """Money received from (or for) a student, with its receipt number. Append-only."""

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        UPI = "upi", "UPI"
        CARD = "card", "Card"
        BANK = "bank", "Bank transfer"
        CHEQUE = "cheque", "Cheque"

    # Methods whose payments must carry a reference (UPI transaction id, cheque number,
    # bank transfer UTR): the accountant reconciles them.
    METHODS_NEEDING_REFERENCE = (Method.UPI, Method.BANK, Method.CHEQUE)
    # Columns that never change once stored: all but MUTABLE_FIELDS (the database
    # triggers, migration 0004, guard the same list).
    FROZEN_FIELDS = (
        "id",
        "student",
        "amount",
        "paid_on",
        "method",
        "reference",
        "receipt_number",
        "financial_year",
        "receipt_sequence",
        "idempotency_key",
        "recorded_by",
        "recorded_at",
        "group",
    )
    # What `save(update_fields=…)` may write on a stored payment.
    MUTABLE_FIELDS = frozenset({"remarks", "voided_at", "voided_by", "void_reason"})

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    paid_on = models.DateField(default=timezone.localdate)
    method = models.CharField(max_length=6, choices=Method.choices)
    reference = models.CharField(
        max_length=60, blank=True, help_text="UPI transaction id, cheque number, bank UTR."
    )
    remarks = models.CharField(max_length=300, blank=True)
    # Unique per student; the members of a family payment (`group`) share one number,
    # any other payment has its own (the constraints below, the INSERT trigger of
    # migration 0006: payments sharing a number belong to one group).
    receipt_number = models.CharField(max_length=24)
    financial_year = models.CharField(max_length=7, help_text="2026-27: April to March.")
    receipt_sequence = models.PositiveIntegerField()
    idempotency_key = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        help_text="Sent with the fee form: a resubmitted form records nothing new.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments_recorded"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments_voided",
    )
    void_reason = models.CharField(max_length=300, blank=True)
    group = models.ForeignKey(
        PaymentGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        help_text="The family payment this is one child's share of.",
    )

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-id"]
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["paid_on", "id"]),
            # Covers the sums by date range, method and void (the ledger's totals, the
            # fee reports): they read the index alone, never the table.
            models.Index(
                fields=["paid_on", "method", "voided_at", "amount"], name="payment_sums_cover"
            ),
            models.Index(fields=["student", "paid_on"]),
            models.Index(fields=["method", "paid_on"]),
            models.Index(fields=["voided_at"]),
            # The desk's duplicate-reference check (fees.desk_checks) compares upper-cased.
            models.Index(Upper("reference"), name="payment_reference_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=MAX_AMOUNT), name="payment_amount_bounded"
            ),
            models.CheckConstraint(
                condition=~Q(method__in=["upi", "bank", "cheque"]) | ~Q(reference=""),
                name="payment_reference_when_needed",
            ),
            models.UniqueConstraint(
                fields=["financial_year", "receipt_sequence", "student"],
                name="payment_receipt_unique",
            ),
            models.UniqueConstraint(
                fields=["financial_year", "receipt_sequence"],
                condition=Q(group__isnull=True),
                name="payment_receipt_unique_single",
            ),
            models.UniqueConstraint(
                fields=["receipt_number", "student"], name="payment_receipt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["receipt_number"],
                condition=Q(group__isnull=True),
                name="payment_receipt_number_unique_single",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
                name="payment_void_has_reason_and_who",
            ),
        ]

    def __str__(self):
        return self.receipt_number

    def save(self, *args, update_fields=None, **kwargs):
        if not self._state.adding and (
            update_fields is None or not set(update_fields) <= self.MUTABLE_FIELDS
        ):
            raise LedgerError(
                "A stored payment only changes its remarks or is voided; "
                "its amount, student and date never change."
            )
        super().save(*args, update_fields=update_fields, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError("Payments are never deleted; void the payment instead.")

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    def void(self, *, by, reason: str) -> None:
        """Void this payment: it stays listed and counts in no total. Use
        `fees.services.void_payment`, which also reopens the dues it paid."""
        reason = (reason or "").strip()
        if not reason:
            raise ValueError("A void needs a reason.")
        if self.is_void:
            raise ValueError("This payment is already void.")
        self.voided_at = timezone.now()
        self.voided_by = by
        self.void_reason = reason
        self.save(update_fields=["voided_at", "voided_by", "void_reason"])


class Allocation(models.Model):
    """Part of a payment applied to a charge (oldest open dues first)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["charge__due_on", "charge_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=MAX_AMOUNT),
                name="allocation_amount_bounded",
            ),
            models.UniqueConstraint(fields=["payment", "charge"], name="allocation_unique"),
        ]

    def __str__(self):
        return f"{self.payment_id} → {self.charge_id}: {self.amount}"


class RemarkEdit(models.Model):
    """A change of a payment's remarks: who, when, what it said before and after."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="remark_edits")
    old = models.CharField(max_length=300, blank=True)
    new = models.CharField(max_length=300, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["edited_at", "id"]

    def __str__(self):
        return f"{self.payment_id} remarks edited {self.edited_at:%Y-%m-%d}"


class PaymentDayTotal(models.Model):
    """The non-void payments of one day by one method: their sum in paise, how many, and
    how many of the day's payments by that method are void. Kept by database triggers in
    the same transaction as the payment or void that changes it (migration 0011), so the
    figures built on it (fees.reports.totals) survive a payment without a recompute;
    `manage.py check_fee_totals` compares it with the ledger. Never written by the ORM."""

    paid_on = models.DateField()
    method = models.CharField(max_length=6, choices=Payment.Method.choices)
    paise = models.BigIntegerField(default=0)
    payments = models.IntegerField(default=0)
    voids = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paid_on", "method"], name="payment_day_total_unique")
        ]

    def __str__(self):
        return f"{self.paid_on} {self.method}: {self.paise} paise in {self.payments}"


class StudentPaidTotal(models.Model):
    """What one student's non-void payments add up to, in paise, and how many: kept like
    PaymentDayTotal (migration 0011's triggers)."""

    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    paise = models.BigIntegerField(default=0)
    payments = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.student_id}: {self.paise} paise in {self.payments}"


# The day's close (fees.day_close) and UPI reports and statement imports
# (fees/upi_matching): their own modules, kept in the fees app's label.
from fees.day_close_models import (  # noqa: E402, F401
    DAY_METHODS,
    MAX_DAY_COUNT,
    DayClose,
    DayCloseOverride,
)
from fees.payroll.models import PayAdjustment, PayLine, PayRule, PayStatement  # noqa: E402, F401
from fees.upi_matching.models import StatementImport, StatementLine, UpiReport  # noqa: E402, F401
