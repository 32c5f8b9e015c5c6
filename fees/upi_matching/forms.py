"""Forms of UPI matching: a family's report, the office's reject reason, an upload."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from fees.forms import AMOUNT_HELP, amount_field
from fees.upi_matching import reports
from fees.upi_matching.statements import MAX_BYTES
from musicbeats.widgets import DateInput

ALL = "all"


class UpiReportForm(forms.Form):
    students = forms.ChoiceField(label="Paid for")
    amount = amount_field(help_text=AMOUNT_HELP)
    reference = forms.CharField(
        label="UPI reference (UTR)",
        max_length=40,
        help_text=f"In your UPI app's payment details: {reports.UTR_SAID}.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    paid_on = forms.DateField(label="Date paid", initial=timezone.localdate, widget=DateInput())

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.children = {str(s.pk): s for s in children}
        choices = [
            (key, f"{s.user.full_name} ({s.roll_number})") for key, s in self.children.items()
        ]
        if len(choices) > 1:
            choices.insert(0, (ALL, "All my children"))
        self.fields["students"].choices = choices
        today = timezone.localdate()
        self.fields["paid_on"].widget.attrs["max"] = today.isoformat()
        earliest = today - timedelta(days=reports.OLDEST_DAYS)
        self.fields["paid_on"].widget.attrs["min"] = earliest.isoformat()

    def clean_students(self):
        value = self.cleaned_data["students"]
        return list(self.children.values()) if value == ALL else [self.children[value]]

    def clean_reference(self):
        try:
            reference = reports.clean_reference(self.cleaned_data["reference"])
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        taken = reports.reference_taken(reference)
        if taken:
            raise forms.ValidationError(taken)
        return reference

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        today = timezone.localdate()
        if paid_on > today:
            raise forms.ValidationError("The payment date cannot be in the future.")
        if paid_on < today - timedelta(days=reports.OLDEST_DAYS):
            raise forms.ValidationError(
                f"Payments older than {reports.OLDEST_DAYS} days: please talk to the office."
            )
        return paid_on


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the family sees it)",
        max_length=300,
        widget=forms.TextInput(),
        error_messages={"required": "Say why the report is rejected; the family sees it."},
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Say why the report is rejected.")
        return reason


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label="Statement file (CSV or XLSX)",
        help_text=f"A bank account statement or a UPI business app export, at most "
        f"{MAX_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_BYTES // 1024 // 1024} MB. Nothing was read."
            )
        return upload
