from datetime import timedelta

from django import forms

from musicbeats.widgets import DateInput

MAX_RANGE = timedelta(days=731)


class DateRangeForm(forms.Form):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD` of the reports (either may be left out)."""

    def __init__(self, *args, default, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default
        self.fields["from"] = forms.DateField(label="From", required=False, widget=DateInput())
        self.fields["to"] = forms.DateField(label="To", required=False, widget=DateInput())
        self.initial = {"from": default[0], "to": default[1]}

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("from") or self.default[0]
        end = cleaned.get("to") or self.default[1]
        if start > end:
            raise forms.ValidationError("The start date is after the end date.")
        if end - start > MAX_RANGE:
            raise forms.ValidationError("Choose at most two years.")
        cleaned["from"], cleaned["to"] = start, end
        return cleaned

    def dates(self):
        """The range asked for, or the default one when the form is empty or wrong."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["from"], self.cleaned_data["to"]
        return self.default


class StreakForm(forms.Form):
    absentee_streak = forms.IntegerField(
        label="Absent from this many lessons in a row",
        min_value=2,
        max_value=20,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
