"""The models of UPI matching. They belong to the `fees` app (imported by fees.models so
the app label and migrations stay in fees)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Student

MAX_AMOUNT_Q = Q(amount__gt=0, amount__lte=1000000)


class UpiReport(models.Model):
    """A family says "we paid ₹X by UPI, reference …, on <date>", for one child or all."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the office"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upi_reports"
    )
    students = models.ManyToManyField(Student, related_name="upi_reports")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reference = models.CharField(max_length=22, help_text="The UPI reference (UTR).")
    paid_on = models.DateField()
    reported_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=300, blank=True)
    payments = models.ManyToManyField("fees.Payment", blank=True, related_name="upi_reports")

    class Meta:
        ordering = ["reported_at", "id"]
        indexes = [models.Index(fields=["status", "reported_at"])]
        constraints = [
            models.CheckConstraint(condition=MAX_AMOUNT_Q, name="upireport_amount_bounded"),
            # A reference is reported once (a rejected report frees it for a corrected one).
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(status="rejected"),
                name="upireport_reference_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="upireport_reject_has_reason",
            ),
        ]

    def __str__(self):
        return f"UPI {self.reference} ₹{self.amount}"


class StatementImport(models.Model):
    """An uploaded statement, parsed: its credit lines wait here for the office's review."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    layout = models.CharField(max_length=20)
    lines = models.JSONField(default=list, help_text="The credit lines as read (amounts as text).")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d})"


class StatementLine(models.Model):
    """A statement credit used for payments: its key is unique, so no line pays twice."""

    key = models.CharField(
        max_length=80, unique=True, help_text="Bank reference/UTR, or a hash of the line."
    )
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="used")
    posted_on = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    narration = models.CharField(max_length=300, blank=True)
    payments = models.ManyToManyField("fees.Payment", blank=True, related_name="statement_lines")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["posted_on", "id"]
        constraints = [
            models.CheckConstraint(condition=MAX_AMOUNT_Q, name="statementline_amount_bounded"),
        ]

    def __str__(self):
        return self.key
