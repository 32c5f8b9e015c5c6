"""The institute settings form (`/settings/institute/`): name, contact details, currency
and the fee rules every fee page reads."""

from decimal import Decimal

from babel.numbers import get_currency_name, list_currencies
from django import forms

from accounts.institute.identity import MAX_LOGO_BYTES, logo_type, validate_gstin
from accounts.institute.lesson_notices import MAX_GRACE_MINUTES, MIN_GRACE_MINUTES
from accounts.institute.reminders import REMINDER_LIMITS
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
            "gstin",
            "currency",
            "upi_id",
            "proration",
            "due_day",
            "late_fee",
            "defaulter_days",
            "overpay_confirm_above",
            "past_date_confirm_days",
            "lesson_reminders",
            "absence_notices",
            "absence_notice_minutes",
            "reminder_before",
            "reminder_before_days",
            "reminder_on_due_day",
            "reminder_after",
            "reminder_after_every",
            "reminder_after_times",
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

    overpay_confirm_above = forms.IntegerField(
        label="Ask before keeping credit above (₹)",
        min_value=0,
        max_value=1000000,
        help_text="The fee desk asks for a confirmation when a payment is more than what is "
        "due by more than this many rupees (0: whenever it leaves any credit).",
    )
    past_date_confirm_days = forms.IntegerField(
        label="Ask for payments dated more than (days ago)",
        min_value=1,
        max_value=3650,
        help_text="The fee desk asks for a confirmation of a payment dated further back.",
    )

    absence_notice_minutes = forms.IntegerField(
        label="Wait before telling of an absence (minutes)",
        required=False,
        min_value=MIN_GRACE_MINUTES,
        max_value=MAX_GRACE_MINUTES,
        help_text="A mark corrected within this many minutes is never told "
        f"({MIN_GRACE_MINUTES} to {MAX_GRACE_MINUTES}; empty keeps the present wait).",
    )
    reminder_before_days = forms.IntegerField(
        label="Days before the due day",
        min_value=1,
        max_value=REMINDER_LIMITS["before_days"],
        error_messages={
            "min_value": "Remind at least 1 day before the due day.",
            "max_value": "Remind at most %(limit_value)s days before the due day.",
        },
    )
    reminder_after_every = forms.IntegerField(
        label="Then every (days)",
        min_value=1,
        max_value=REMINDER_LIMITS["after_every"],
        error_messages={
            "min_value": "Repeat the reminder every 1 day or more.",
            "max_value": "Repeat the reminder at least every %(limit_value)s days.",
        },
    )
    reminder_after_times = forms.IntegerField(
        label="At most (times)",
        min_value=1,
        max_value=REMINDER_LIMITS["after_times"],
        error_messages={
            "min_value": "Remind at least once after the due day (or turn that step off).",
            "max_value": "Remind at most %(limit_value)s times after the due day.",
        },
    )

    gstin = forms.CharField(
        label="GSTIN",
        required=False,
        max_length=20,
        help_text="Printed on receipts when set (15 characters). Leave empty if the "
        "institute is not registered for GST.",
    )
    logo_file = forms.FileField(
        label="Logo",
        required=False,
        help_text="Printed at the head of every receipt: a PNG, JPEG or WebP of at most "
        "200 KB. Leave empty to keep the present one.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    def clean_absence_notice_minutes(self):
        value = self.cleaned_data["absence_notice_minutes"]
        return self.instance.absence_notice_minutes if value is None else value

    def clean_gstin(self):
        # People copy it with spaces or in lower case from a certificate.
        value = "".join(self.cleaned_data["gstin"].split()).upper()
        if value:
            validate_gstin(value)
        return value

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        # Read one byte past the limit: enough to refuse a big file without holding it all.
        content = upload.read(MAX_LOGO_BYTES + 1)
        return content, logo_type(content)

    def save(self, commit=True):
        institute = super().save(commit=False)
        if self.cleaned_data.get("logo_file"):
            institute.logo, institute.logo_type = self.cleaned_data["logo_file"]
        elif self.cleaned_data.get("remove_logo"):
            institute.logo, institute.logo_type = b"", ""
        if commit:
            institute.save()
        return institute

    def clean_upi_id(self):
        value = self.cleaned_data["upi_id"].strip()
        if value:
            validate_upi_id(value)
        return value

    def clean_name(self):
        # On one line and without control characters: it heads every email subject.
        return clean_name(self.cleaned_data["name"], what="the institute's name")
