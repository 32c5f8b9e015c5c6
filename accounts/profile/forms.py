"""A person's own details form (`/profile/edit/`): name and phone."""

from django import forms

from accounts.people.forms import clean_phone
from accounts.validators import clean_name


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    phone = forms.CharField(label="Phone", max_length=20, required=False)

    def clean_full_name(self):
        return clean_name(self.cleaned_data["full_name"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])
