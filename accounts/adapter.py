import uuid
from dataclasses import dataclass

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.encoding import force_str

from accounts.institute.memory import institute_name
from accounts.notifications.channels import send_text
from accounts.phones import PhoneField
from accounts.validators import single_line
from musicbeats.client_address import client_ip
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

    def get_client_ip(self, request):
        """The real client behind our proxies (TRUSTED_PROXY_COUNT /
        TRUSTED_CLIENT_IP_HEADER): the same rule as the admission form's flood guard."""
        return client_ip(request)

    def pre_authenticate(self, request, **credentials):
        """allauth refuses a login past the failed-login limit here: log the lockout."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            event("lockout", request, attempted=credentials.get("email", ""))
            raise

    def format_email_subject(self, subject):
        """`[Institute name] Password reset`: the name as the institute's settings say now."""
        return single_line(f"[{institute_name()}] {force_str(subject)}")

    def send_mail(self, template_prefix, email, context):
        """allauth's mails (password reset, email change, notices) through the outbox:
        rendered as allauth renders them, recorded, sent by the task, so a mail server
        that is down never turns the page into a 500."""
        from accounts.notifications.service import send_email

        request = context.get("request") or getattr(self, "request", None)
        domain = request.get_host() if request is not None else ""
        context = {
            "request": request,
            "email": email,
            "current_site": InstituteSite(institute_name(), domain),
            **context,
        }
        rendered = self.render_mail(template_prefix, email, context)
        html = next(
            (
                body
                for body, mimetype in getattr(rendered, "alternatives", ())
                if mimetype == "text/html"
            ),
            None,
        )
        if rendered.content_subtype == "html":
            html = rendered.body
        user = context.get("user")
        send_email(
            email,
            rendered.subject,
            rendered.body,
            html=html,
            user=user if getattr(user, "pk", None) else None,
            event=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
        )

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

    # Phone sign-in (allauth's login by code, ACCOUNT_LOGIN_METHODS includes "phone").
    # A code goes only to a family member (student or guardian) whose phone the office
    # marked as their sign-in phone (`User.phone_login`, unique among those): staff and
    # teachers never get one, so a phone never replaces their password. Nobody signs up,
    # so allauth's set_phone/verification flows stay unused; the office's number counts
    # as verified, like the email addresses the office enters.

    def phone_form_field(self, **kwargs):
        return PhoneField(**kwargs)

    def get_user_by_phone(self, phone):
        from accounts.models import FAMILY_ROLES, User

        return User.objects.filter(
            phone=phone, phone_login=True, is_active=True, role__in=FAMILY_ROLES
        ).first()

    def get_phone(self, user):
        if getattr(user, "phone_login", False) and user.phone:
            return user.phone, True
        return None

    def set_phone(self, user, phone, verified):
        user.phone = phone
        user.save(update_fields=["phone"])

    def set_phone_verified(self, user, phone):
        """Nothing to record: a sign-in phone is one the office entered."""

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        minutes = app_settings.LOGIN_BY_CODE_TIMEOUT // 60
        send_text(
            phone,
            f"{code} is your {institute_name()} sign-in code. It works once, for "
            f"{minutes} minutes. Nobody from the institute will ask you for it.",
        )

    def send_unknown_account_sms(self, phone, **kwargs):
        """No text to a number nobody signs in with: the page says the same either way,
        and a stranger's phone is not pestered."""
