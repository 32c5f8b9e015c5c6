"""The models of the day's close (`fees.day_close`). They belong to the `fees` app
(imported by fees.models so the app label and migrations stay in fees)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# No method's count for one day is above ₹1,00,00,000: a larger figure is a slip.
MAX_DAY_COUNT = Decimal("10000000.00")
DAY_METHODS = ("cash", "upi", "card", "bank", "cheque")  # Payment.Method's values


def _money_field(help_text: str = ""):
    return models.DecimalField(max_digits=12, decimal_places=2, help_text=help_text)


class DayClose(models.Model):
    """The office's close of one day: what it counted per method (cash in the drawer, the
    UPI/card/bank/cheque totals seen in the bank app) beside what the ledger said then
    (a snapshot: later overrides change the ledger, never this row), a note, who closed
    it and when. A closed day is locked (`fees.day_close.ensure_day_open`). A close is
    never reopened or edited: a change after it goes through an admin override."""

    METHODS = DAY_METHODS

    day = models.DateField(unique=True)
    counted_cash = _money_field("Cash counted in the drawer.")
    counted_upi = _money_field("UPI total seen in the bank app.")
    counted_card = _money_field()
    counted_bank = _money_field()
    counted_cheque = _money_field()
    expected_cash = _money_field("What the ledger said when the day was closed.")
    expected_upi = _money_field()
    expected_card = _money_field()
    expected_bank = _money_field()
    expected_cheque = _money_field()
    note = models.CharField(max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"counted_{m}__gte": 0 for m in DAY_METHODS})
                & Q(**{f"counted_{m}__lte": MAX_DAY_COUNT for m in DAY_METHODS}),
                name="dayclose_counts_bounded",
            ),
        ]

    def __str__(self):
        return f"Close of {self.day}"

    def counted(self, method: str) -> Decimal:
        return getattr(self, f"counted_{method}")

    def expected(self, method: str) -> Decimal:
        return getattr(self, f"expected_{method}")

    def difference(self, method: str) -> Decimal:
        """Counted minus expected: positive is more money than the ledger, negative is short."""
        return self.counted(method) - self.expected(method)

    @property
    def total_difference(self) -> Decimal:
        return sum((self.difference(m) for m in self.METHODS), Decimal("0.00"))


class DayCloseOverride(models.Model):
    """A payment recorded on, or voided from, a closed day: only the admin, with a reason."""

    class Action(models.TextChoices):
        RECORD = "record", "Payment recorded"
        VOID = "void", "Payment voided"

    day_close = models.ForeignKey(DayClose, on_delete=models.PROTECT, related_name="overrides")
    payment = models.ForeignKey(
        "fees.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=6, choices=Action.choices)
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="dayclose_override_has_reason")
        ]

    def __str__(self):
        return f"{self.get_action_display()} on closed {self.day_close.day}"
