"""The institute settings form (`/settings/institute/`): name, contact details, currency
and the fee rules every fee page reads."""

from decimal import Decimal

from babel.numbers import get_currency_name, list_currencies
from django import forms

from accounts.models import Institute
from accounts.validators import clean_name, validate_upi_id

MAX_LATE_FEE = Decimal("100000.00")


def currency_choices():
    # Every ISO 4217 currency babel knows, rupee first: the institute is in India.
    codes = sorted(list_currencies())
    named = [(code, f"{code} · {get_currency_name(code, locale='en_IN')}") for code in codes]
    return sorted(named, key=lambda choice: (choice[0] != "INR", choice[0]))


class InstituteForm(forms.ModelForm):
    class Meta:
        model = Institute
        fields = [
            "name",
            "address",
            "phone",
            "email",
            "currency",
            "upi_id",
            "proration",
            "due_day",
            "late_fee",
            "defaulter_days",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "upi_id": "Families see a UPI QR code for what they owe when this is set "
            "(rupees only). Leave empty to show none.",
            "proration": "How a month is charged when a student joins or leaves mid-month.",
            "late_fee": "Added to an overdue month when the office applies late fees.",
        }

    currency = forms.ChoiceField(choices=currency_choices)
    due_day = forms.IntegerField(
        min_value=1,
        max_value=28,
        help_text="Monthly dues are due on this day of the month (1 to 28).",
    )
    late_fee = forms.DecimalField(
        min_value=Decimal(0), max_value=MAX_LATE_FEE, max_digits=10, decimal_places=2
    )
    defaulter_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        help_text="Dues overdue by more than this many days list the family as a defaulter.",
    )

    def clean_upi_id(self):
        value = self.cleaned_data["upi_id"].strip()
        if value:
            validate_upi_id(value)
        return value

    def clean_name(self):
        # On one line and without control characters: it heads every email subject.
        return clean_name(self.cleaned_data["name"], what="the institute's name")
