"""Forms of the intake pages: the public admission form, the office's decision, CSV upload."""

from datetime import date

from django import forms
from django.utils import timezone

from accounts.by_name import attendance_models
from accounts.intake.csv_checks import MAX_BYTES
from accounts.models import AdmissionRequest
from accounts.phones import normalise_phone
from accounts.validators import clean_name, single_line, validate_plain_text
from musicbeats.ids import IdModelChoiceField
from musicbeats.widgets import DateInput

HONEYPOT = "website"


def check_phone(value: str) -> str:
    """The guardian's phone in E.164 (accounts/phones.py)."""
    return normalise_phone(value)


class AdmissionForm(forms.ModelForm):
    """What a family tells the institute. `website` is a honeypot: people never see it."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = AdmissionRequest
        fields = [
            "child_name",
            "date_of_birth",
            "guardian_name",
            "relation",
            "guardian_phone",
            "guardian_email",
            "instrument",
            "preferred_times",
            "message",
        ]
        labels = {
            "relation": "Relation to the child",
            "instrument": "Instrument or course wanted",
            "preferred_times": "Preferred days and times",
            "message": "Anything else we should know",
        }
        help_texts = {
            "relation": "Mother, father, grandparent… (optional)",
            "instrument": "",
            "guardian_email": "We send the login for your family's account here.",
            "preferred_times": "For example: weekday evenings after 5, or Saturday morning.",
        }
        widgets = {
            "date_of_birth": DateInput(),
            "message": forms.Textarea(attrs={"rows": 3}),
            "guardian_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "guardian_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "guardian_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instrument = self.fields["instrument"]
        (Instrument,) = attendance_models("Instrument")
        instrument.queryset = Instrument.objects.filter(is_active=True).order_by("name")
        instrument.empty_label = "Not sure yet: please advise us"
        instrument.required = False

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth is in the future.")
        if born < date(today.year - 100, 1, 1):
            raise forms.ValidationError("Check the year of the date of birth.")
        return born

    # Names on one line, without bidirectional or control characters (the office's
    # Accept once answered 500 on a CR/LF in the child's name: it went into an email
    # subject). The two longer answers may have lines, not control characters.
    def clean_child_name(self):
        return clean_name(self.cleaned_data["child_name"], what="the child's name")

    def clean_guardian_name(self):
        return clean_name(self.cleaned_data["guardian_name"], what="your name")

    def clean_relation(self):
        value = single_line(self.cleaned_data["relation"])
        validate_plain_text(value)
        return value

    def clean_preferred_times(self):
        value = self.cleaned_data["preferred_times"]
        validate_plain_text(value)
        return value

    def clean_message(self):
        value = self.cleaned_data["message"]
        validate_plain_text(value)
        return value

    def clean_guardian_phone(self):
        return check_phone(self.cleaned_data["guardian_phone"])

    def clean_guardian_email(self):
        return self.cleaned_data["guardian_email"].strip().lower()

    @property
    def is_bot(self) -> bool:
        """A person never fills the hidden field; form-filling robots do."""
        return bool(self.data.get(HONEYPOT, "").strip())


class AcceptAdmissionForm(forms.Form):
    batch = IdModelChoiceField(
        queryset=None,
        required=False,
        empty_label="No batch now (enrol later)",
        label="Enrol in a batch",
        help_text="Optional. The monthly fee is the batch's fee.",
    )

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches
        self.fields["batch"].label_from_instance = self.batch_label

    @staticmethod
    def batch_label(batch):
        free = max(batch.capacity - batch.taken, 0)
        seats = "full" if free == 0 else f"{free} of {batch.capacity} seats free"
        return f"{batch.name} · {batch.instrument.name} · {seats}"


class DeclineAdmissionForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for declining",
        help_text="Required. Kept with the request for the office; the family is not emailed.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the request is declined.")
        return reason


class StudentImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV (Excel: File → Save as → CSV UTF-8), at most 5 MB and 10,000 rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
            )
        return upload


class ConfirmImportForm(forms.Form):
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
