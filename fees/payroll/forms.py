"""Forms of teacher pay: a rate, an adjustment, a payment. Bounds are the services'
(`check_rate`), said in the form before anything is stored."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from fees.forms import AmountField
from fees.payroll.models import PayRule, PayStatement
from fees.payroll.services import check_rate
from musicbeats.dates import parse_month
from musicbeats.widgets import DateInput

MONEY_ERRORS = {
    "invalid": "Enter digits with at most one dot, e.g. 600 or 12.5.",
    "not_ascii": "Type the digits 0-9 and at most one dot, e.g. 600.",
    "max_decimal_places": "Use at most two decimal places.",
    "max_digits": "That number is far too large.",
    "max_whole_digits": "That number is far too large.",
}


def number_field(label, **kwargs):
    return AmountField(
        label=label,
        max_digits=12,
        decimal_places=2,
        localize=False,
        error_messages=MONEY_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


class MonthInput(forms.TextInput):
    """`<input type="month">`: YYYY-MM."""

    input_type = "month"


class MonthField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MonthInput())
        super().__init__(max_length=7, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_month(value)
        except ValueError:
            raise ValidationError("Give a month like 2026-11.") from None


class PayRuleForm(forms.Form):
    kind = forms.ChoiceField(label="Paid for", choices=PayRule.Kind.choices)
    rate = number_field(
        "Rate",
        help_text="₹ per hour, ₹ per student present, ₹ a month, or a percent of fees.",
    )
    from_month = MonthField(label="Applies from (month)")

    def __init__(self, *args, earliest=None, **kwargs):
        super().__init__(*args, **kwargs)
        if earliest is not None:
            self.fields["from_month"].widget.attrs["min"] = f"{earliest:%Y-%m}"

    def clean(self):
        data = super().clean()
        if "kind" in data and "rate" in data:
            try:
                check_rate(data["kind"], data["rate"])
            except ValidationError as error:
                self.add_error("rate", error)
        return data


class AdjustmentForm(forms.Form):
    amount = number_field(
        "Amount (₹, minus to deduct)", help_text="e.g. 500 to add, -250 to deduct."
    )
    reason = forms.CharField(label="Reason (the teacher sees it)", max_length=200)


class PaidForm(forms.Form):
    paid_on = forms.DateField(label="Paid on", widget=DateInput())
    method = forms.ChoiceField(label="Method", choices=PayStatement.Method.choices)
    reference = forms.CharField(
        label="Reference", max_length=60, required=False, help_text="UTR or cheque number."
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].widget.attrs["max"] = timezone.localdate().isoformat()
