"""A person's own details form (`/profile/edit/`): name and phone."""

from django import forms

from accounts.people.forms import check_login_phone
from accounts.phones import PhoneField
from accounts.validators import clean_name


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    phone = PhoneField(required=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if user is not None and user.phone_login:
            self.fields[
                "phone"
            ].help_text = "You sign in with this phone: a new number becomes your sign-in number."

    def clean_full_name(self):
        return clean_name(self.cleaned_data["full_name"])

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if self.user is not None and self.user.phone_login and phone != self.user.phone:
            # An empty number or a landline would lock them out; someone else's sign-in
            # number is refused by the database: say so here instead.
            if not phone:
                raise forms.ValidationError(
                    "You sign in with your phone, so it cannot be left empty. Ask the "
                    "office if you want to sign in another way."
                )
            if check_login_phone(phone=phone, person=self.user):
                # Never who else signs in with it: that is another family's business.
                raise forms.ValidationError(
                    "You sign in with your phone, so this must be a mobile number that "
                    "nobody else signs in with. Ask the office if it is yours."
                )
        return phone
