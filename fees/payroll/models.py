"""The models of teacher pay. They belong to the `fees` app (imported at the end of
fees.models so the app label and migrations stay in fees).

- `PayRule`: one component of a teacher's pay (per hour taught, per student present, a
  fixed monthly amount, a share of fees collected) from a month on. Rows are never edited
  once an approved month could have used them: a change is a new row from a later month.
- `PayStatement`: a teacher's month. Draft = computed live from the lessons; approved =
  its `PayLine`s and total are a snapshot that nothing recomputes; paid = money handed over.
- `PayAdjustment`: a correction (±) with a reason, who and when; never an edit.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Bounds of a rate, per kind (the brief's "absurd"): ₹50,000 an hour or a student,
# ₹10,00,000 a month, 100 %.
MAX_PER_UNIT = Decimal("50000.00")
MAX_MONTHLY = Decimal("1000000.00")
MAX_PERCENT = Decimal("100.00")
MAX_ADJUSTMENT = Decimal("1000000.00")


class PayRule(models.Model):
    class Kind(models.TextChoices):
        PER_HOUR = "per_hour", "Per hour taught"
        PER_STUDENT = "per_student", "Per student present"
        MONTHLY = "monthly", "Fixed monthly amount"
        FEE_SHARE = "fee_share", "Share of fees collected"

    BOUNDS = {
        Kind.PER_HOUR: MAX_PER_UNIT,
        Kind.PER_STUDENT: MAX_PER_UNIT,
        Kind.MONTHLY: MAX_MONTHLY,
        Kind.FEE_SHARE: MAX_PERCENT,
    }

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pay_rules"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    rate = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        help_text="₹ per hour, ₹ per student present, ₹ a month, or a percent (fee share).",
    )
    from_month = models.DateField(help_text="First day of the month this rate applies from.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["teacher_id", "kind", "-from_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "kind", "from_month"], name="payrule_one_per_kind_and_month"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0)
                & (
                    Q(kind__in=["per_hour", "per_student"], rate__lte=MAX_PER_UNIT)
                    | Q(kind="monthly", rate__lte=MAX_MONTHLY)
                    | Q(kind="fee_share", rate__lte=MAX_PERCENT)
                ),
                name="payrule_rate_bounded",
            ),
        ]

    def __str__(self):
        return f"{self.teacher_id} {self.kind} {self.rate} from {self.from_month:%Y-%m}"


class PayStatement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"

    class Method(models.TextChoices):
        BANK = "bank", "Bank transfer"
        UPI = "upi", "UPI"
        CHEQUE = "cheque", "Cheque"
        CASH = "cash", "Cash"

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pay_statements"
    )
    month = models.DateField(help_text="First day of the month.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    lines_total = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), help_text="Set on approval."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    paid_method = models.CharField(max_length=6, choices=Method.choices, blank=True)
    paid_reference = models.CharField(max_length=60, blank=True)
    paid_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "teacher_id"]
        indexes = [models.Index(fields=["month", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "month"], name="paystatement_one_per_month"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="paystatement_approved_has_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False, paid_amount__isnull=False),
                name="paystatement_paid_has_date",
            ),
        ]

    def __str__(self):
        return f"pay of {self.teacher_id} for {self.month:%Y-%m} ({self.status})"

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT


class PayLine(models.Model):
    """One line of an approved statement, as it was computed at approval."""

    statement = models.ForeignKey(PayStatement, on_delete=models.PROTECT, related_name="lines")
    lesson = models.ForeignKey(
        "attendance.Lesson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=PayRule.Kind.choices, blank=True)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    rate = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    flag = models.CharField(max_length=120, blank=True, help_text="Why this line pays nothing.")

    class Meta:
        ordering = ["statement_id", "id"]

    def __str__(self):
        return f"{self.statement_id}: {self.description} {self.amount}"


class PayAdjustment(models.Model):
    """A correction to a statement (plus or minus), with its reason: never an edit."""

    statement = models.ForeignKey(
        PayStatement, on_delete=models.PROTECT, related_name="adjustments"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__gt=0) | Q(amount__lt=0))
                & Q(amount__gte=-MAX_ADJUSTMENT, amount__lte=MAX_ADJUSTMENT),
                name="payadjustment_amount_bounded",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="payadjustment_has_reason"),
        ]

    def __str__(self):
        return f"{self.statement_id} {self.amount:+} {self.reason}"
