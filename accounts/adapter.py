from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.encoding import force_str

from accounts.institute.memory import institute_name
from musicbeats.security_log import event


@dataclass(frozen=True)
class InstituteSite:
    """What allauth's mails call `current_site`: the institute's name (from its settings,
    not the host name) at the address the request came to."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Nobody signs up by themselves: the office creates accounts."""
        return False

    def pre_authenticate(self, request, **credentials):
        """allauth refuses a login past the failed-login limit here: log the lockout."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            event("lockout", request, attempted=credentials.get("email", ""))
            raise

    def format_email_subject(self, subject):
        """`[Institute name] Password reset`: the name as the institute's settings say now."""
        return f"[{institute_name()}] {force_str(subject)}"

    def send_mail(self, template_prefix, email, context):
        request = context.get("request") or getattr(self, "request", None)
        domain = request.get_host() if request is not None else ""
        context = {"current_site": InstituteSite(institute_name(), domain), **context}
        super().send_mail(template_prefix, email, context)

    def can_delete_email(self, email_address):
        """The address a person logs in with stays: they change it, never remove it."""
        from accounts.models import User

        logs_in_with = User.objects.filter(
            pk=email_address.user_id, email=email_address.email
        ).exists()
        if email_address.pk and logs_in_with:
            return False
        return super().can_delete_email(email_address)

    def confirm_email(self, request, email_address):
        """Refuse to confirm an address another person logs in with.

        allauth checks its own table; people the office made (or the demo's bulk rows)
        may only have `User.email`, and two people must never share a login.
        """
        from accounts.models import User

        taken = (
            User.objects.filter(email__iexact=email_address.email)
            .exclude(pk=email_address.user_id)
            .exists()
        )
        if taken:
            messages.error(
                request,
                f"{email_address.email} is already used by another account: "
                "your email address was not changed.",
            )
            return False
        return super().confirm_email(request, email_address)
