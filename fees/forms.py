"""Forms of the fee desk and the dues pages. Amounts: Decimal, more than zero, at most
₹10,00,000, at most two decimal places, digits and one dot only ("12,50" is refused
rather than guessed at)."""

import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone

from fees.models import EARLIEST_PAYMENT_DATE, MAX_AMOUNT, Charge, Payment
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


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

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
