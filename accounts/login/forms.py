"""allauth's sign-in forms, narrowed to what MusicBeats allows (settings.ACCOUNT_FORMS).

Phone is an allauth login method (`ACCOUNT_LOGIN_METHODS = {"email", "phone"}`) only so
that families can ask for a code by text. The two forms keep the two ways apart:

- `EmailLoginForm` (`/accounts/login/`): email and password, for everyone. allauth would
  otherwise accept "email or phone" with the password.
- `PhoneCodeRequestForm` (`/accounts/login/code/`): a phone number, nothing else. No code
  is sent by email, so nobody (staff above all) signs in without their password through
  the login-by-code flow; which phones may receive a code is
  `AccountAdapter.get_user_by_phone` (families with `phone_login` only).
"""

from allauth.account.fields import EmailField
from allauth.account.forms import LoginForm, RequestLoginCodeForm
from allauth.utils import set_form_field_order


class EmailLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = EmailField(label="Email")
        set_form_field_order(self, ["login", "password", "remember"])


class PhoneCodeRequestForm(RequestLoginCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("email", None)
        phone = self.fields["phone"]
        phone.required = True
        phone.label = "Your phone number"
        phone.help_text = (
            "The number the institute has for you, e.g. 98450 12345. "
            "We send a 6-digit code to it by SMS."
        )
        phone.error_messages["required"] = "Enter your phone number."
