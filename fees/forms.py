"""Forms of the fee desk and the dues pages. Amounts: Decimal, more than zero, at most
₹10,00,000, at most two decimal places, digits and one dot only ("12,50" is refused
rather than guessed at)."""

import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone

from fees.day_close import clean_count
from fees.models import DAY_METHODS, EARLIEST_PAYMENT_DATE, MAX_AMOUNT, Charge, Payment
from musicbeats.money import is_plain_amount
from musicbeats.widgets import DateInput

AMOUNT_HELP = "Rupees and paise, digits and a dot: 1500 or 1500.50."


class AmountField(forms.DecimalField):
    """A DecimalField that reads ASCII digits only: Python's Decimal would also take
    "४९००" (Devanagari), "٤٩٠٠" (Arabic-Indic) or full-width digits, and "1e3"."""

    def to_python(self, value):
        if value not in self.empty_values and not is_plain_amount(str(value)):
            raise forms.ValidationError(self.error_messages["not_ascii"], code="not_ascii")
        return super().to_python(value)


def amount_field(label="Amount (₹)", **kwargs):
    return AmountField(
        label=label,
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        localize=False,
        error_messages={
            "invalid": "Enter the amount as digits with at most one dot, e.g. 1500.50.",
            "not_ascii": (
                "Type the amount with the digits 0-9 and at most one dot, e.g. 1500.50 "
                "(other scripts' digits are not read)."
            ),
            "min_value": "The amount must be more than zero.",
            "max_value": "The amount can be at most ₹10,00,000.",
            "max_decimal_places": "Use at most two decimal places (paise).",
            "max_digits": "The amount can be at most ₹10,00,000.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


class PaymentForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    amount = amount_field(help_text=AMOUNT_HELP)
    method = forms.ChoiceField(choices=Payment.Method.choices, initial=Payment.Method.CASH)
    reference = forms.CharField(
        max_length=60,
        required=False,
        help_text="UPI transaction id, cheque number or bank reference (needed for those).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    paid_on = forms.DateField(
        label="Date paid",
        initial=timezone.localdate,
        widget=DateInput(),
    )
    remarks = forms.CharField(max_length=300, required=False)
    # Only the admin's desk shows it (fees.day_close): a payment dated on a closed day.
    closed_day_reason = forms.CharField(
        label="Reason for recording on a closed day (admin)",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # The desk's confirmations (fees.desk_checks.slips): each names what it confirms (the
    # amount, the date), so a changed amount or date is asked about again.
    confirm_credit = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm_date = forms.CharField(required=False, widget=forms.HiddenInput)
    reference_override = forms.CharField(
        label="Record this reference anyway: why? (admins)",
        max_length=200,
        required=False,
        help_text="Kept with the payment's remarks and in the security log.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
        self.fields["paid_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["paid_on"].widget.attrs["min"] = EARLIEST_PAYMENT_DATE.isoformat()

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("A payment cannot be dated in the future.")
        if paid_on < EARLIEST_PAYMENT_DATE:
            raise forms.ValidationError(
                f"A payment cannot be dated before {EARLIEST_PAYMENT_DATE:%-d %B %Y}: "
                "check the year."
            )
        return paid_on

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        reference = (cleaned.get("reference") or "").strip()
        if method in Payment.METHODS_NEEDING_REFERENCE and not reference:
            self.add_error(
                "reference", f"A {Payment.Method(method).label} payment needs its reference."
            )
        cleaned["reference"] = reference
        return cleaned

    def focus_first_error(self) -> None:
        """Put the cursor (autofocus) on the first field in error, in the page's order."""
        for name in ("amount", "method", "reference", "paid_on", "remarks", "reference_override"):
            if name in self.errors:
                self.fields[name].widget.attrs["autofocus"] = True
                return

    def confirmed(self, slips) -> bool:
        """Whether the posted confirmations cover these slips (the same amount, date)."""
        data = self.cleaned_data
        confirmed = data["confirm_credit"]
        credit_ok = slips.credit is None or (
            is_plain_amount(confirmed) and Decimal(confirmed) == data["amount"]
        )
        date_ok = slips.old_date is None or data["confirm_date"] == data["paid_on"].isoformat()
        return credit_ok and date_ok


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # Shown to the admin for a payment of a closed day (fees.day_close).
    closed_day_reason = forms.CharField(
        label="Reason for changing a closed day",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, closed_day: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not closed_day:
            del self.fields["closed_day_reason"]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why this payment is void.")
        return reason


class RemarksForm(forms.Form):
    remarks = forms.CharField(max_length=300, required=False)


class LedgerFilterForm(forms.Form):
    STATUS_CHOICES = [("", "All"), ("valid", "Not void"), ("void", "Void only")]

    start = forms.DateField(label="From", required=False, widget=DateInput())
    end = forms.DateField(label="To", required=False, widget=DateInput())
    method = forms.ChoiceField(
        choices=[("", "Any method"), *Payment.Method.choices], required=False
    )
    q = forms.CharField(label="Student", max_length=80, required=False)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label="Voided")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return cleaned


class MonthForm(forms.Form):
    month = forms.DateField(
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Enter a month like 2026-11."},
    )


class ChargeForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in Charge.ONE_OFF_KINDS])
    description = forms.CharField(
        max_length=200, required=False, help_text="Shown on the receipt; the kind if empty."
    )
    amount = amount_field()
    due_on = forms.DateField(label="Due on", initial=timezone.localdate, widget=DateInput())


class ConcessionForm(forms.Form):
    kind = forms.ChoiceField(choices=Charge.ConcessionKind.choices)
    amount = amount_field(label="Concession (₹)", help_text="The whole charge waives it.")
    reason = forms.CharField(max_length=200)

    def __init__(self, *args, charge, **kwargs):
        super().__init__(*args, **kwargs)
        self.charge = charge

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount > self.charge.amount:
            raise forms.ValidationError("A concession cannot be more than the charge.")
        return amount

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for the concession.")
        return reason


class FamilyPaymentForm(PaymentForm):
    """One payment for several children of a guardian: an amount per child (empty: not
    in it), or a total that "Split" shares out; the credit goes to the child picked."""

    amount = amount_field(
        label="Total (₹)",
        required=False,
        help_text="Type the total and press Split, or type each child's amount.",
    )
    credit_to = forms.TypedChoiceField(
        label="Credit beyond the dues goes to", coerce=int, required=False
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        self.fields["credit_to"].choices = [(c.pk, c.user.full_name) for c in children]
        for child in children:
            self.fields[f"child_{child.pk}"] = amount_field(
                label=f"{child.user.full_name} (₹)", required=False
            )

    def child_fields(self):
        return [(child, self[f"child_{child.pk}"]) for child in self.children]

    def shares(self) -> dict:
        """{student: amount} of the children with an amount (after is_valid)."""
        return {
            child: self.cleaned_data[f"child_{child.pk}"]
            for child in self.children
            if self.cleaned_data.get(f"child_{child.pk}")
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        shares = self.shares()
        total = cleaned.get("amount")
        if not shares and not total:
            raise forms.ValidationError("Enter the total, or an amount for at least one child.")
        if shares and total and sum(shares.values()) != total:
            raise forms.ValidationError(
                f"The children's amounts add up to ₹{sum(shares.values()):,.2f}, "
                f"not the total ₹{total:,.2f}: correct one, or clear the total."
            )
        return cleaned


class DayCloseForm(forms.Form):
    """The day's counts per method (blank is ₹0) and a note; see fees.day_close."""

    date = forms.DateField(widget=forms.HiddenInput)
    counted_cash = forms.CharField(label="Cash counted", required=False, max_length=20)
    counted_upi = forms.CharField(label="UPI seen in the bank app", required=False, max_length=20)
    counted_card = forms.CharField(label="Card", required=False, max_length=20)
    counted_bank = forms.CharField(label="Bank transfer", required=False, max_length=20)
    counted_cheque = forms.CharField(label="Cheque", required=False, max_length=20)
    note = forms.CharField(max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        for method in DAY_METHODS:
            name = f"counted_{method}"
            if name in self.errors:
                continue
            try:
                cleaned[name] = clean_count(
                    cleaned.get(name), label=self.fields[name].label or method
                )
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def counted(self) -> dict:
        return {m: self.cleaned_data[f"counted_{m}"] for m in DAY_METHODS}
