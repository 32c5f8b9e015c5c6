"""allauth.mfa's adapter: the institute's name in the authenticator app, our wording."""

from allauth.mfa.adapter import DefaultMFAAdapter

from accounts.institute.memory import institute_name


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        # allauth refuses a new, not yet confirmed address on an account with two-factor
        # login (it could be used to take the account over); the office's change, which
        # counts as confirmed, still works.
        "add_email_blocked": (
            "Your account has two-factor login, so your email cannot be changed here: "
            "ask the institute's office to change it."
        ),
    }

    def get_totp_issuer(self) -> str:
        """The name the authenticator app shows beside the codes."""
        return institute_name()
