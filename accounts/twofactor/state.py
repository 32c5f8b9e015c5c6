"""Whether this session's user has an authenticator app, kept in the session.

The session is read on every page anyway (it holds the login), so the rule costs no SQL
query per page once the answer is yes: `has_totp()` asks the database the first time a
page wants to know and keeps a yes in the session; the person turning their app off in
this session (allauth.mfa's `authenticator_removed` signal) forgets it.

Every login forgets the flag, so it is decided afresh for whoever logged in. An app
removed from another session (or by the admin, for a lost phone) is noticed at the
person's next login: the sessions where they had proven it keep working until then.
"""

from django.conf import settings
from django.http import HttpRequest

from accounts.models import STAFF_ROLES

SESSION_KEY = "musicbeats.has_totp"
DEMO_DOMAIN = "@musicbeats.test"


def has_totp(request: HttpRequest) -> bool:
    """Whether the logged-in user has an active authenticator app (TOTP).

    Only a yes is kept: a staff member without one asks again on each guarded request
    (which is sent to the set-up page anyway), so the set-up counts the moment it is saved."""
    if request.session.get(SESSION_KEY):
        return True
    from allauth.mfa.models import Authenticator

    found = Authenticator.objects.filter(
        user_id=request.user.pk, type=Authenticator.Type.TOTP
    ).exists()
    if found:
        request.session[SESSION_KEY] = True
    return found


def must_set_up(request: HttpRequest) -> bool:
    """Admin and office must have an authenticator app before anything else.

    `MFA_DEMO_EXEMPT` (only with DEBUG, set by `make run`) lets the seed_demo accounts
    skip it, so the demo opens with the published password alone."""
    user = request.user
    if not user.is_authenticated or user.role not in STAFF_ROLES:
        return False
    if settings.MFA_DEMO_EXEMPT and (user.email or "").lower().endswith(DEMO_DOMAIN):
        return False
    return not has_totp(request)


def logged_in(sender, request, user, **kwargs):
    """Decide afresh after every login (a session kept across logins keeps no old flag)."""
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


def authenticator_removed(sender, request, user, authenticator, **kwargs):
    """The person turned their app off in this session: ask the database again."""
    if authenticator.type == authenticator.Type.TOTP and request.user.pk == user.pk:
        request.session.pop(SESSION_KEY, None)
