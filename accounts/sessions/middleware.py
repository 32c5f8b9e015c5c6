"""Idle timeout and absolute lifetime of a sign-in (accounts/sessions/policy.py)."""

from django.contrib import messages
from django.utils import timezone

from accounts.sessions import policy, services
from musicbeats.client_address import client_ip

ENDED_MESSAGES = {
    "idle": "You were signed out after a while without activity. Please sign in again.",
    "absolute": "Your sign-in had reached its time limit. Please sign in again.",
    "unknown": "Please sign in again.",
}


class SessionLimitsMiddleware:
    """End a session past its limits before any view runs; keep the idle stamp fresh.

    It reads only the session and user that the authentication middleware loads anyway,
    and writes the session (one UPDATE) at most once a minute per session: no query of
    its own on an ordinary request. It sits after MessageMiddleware (to say why someone
    was signed out) and, like every `__call__`, runs before LoginRequiredMiddleware's
    `process_view`, which then sends the now anonymous request to the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            self.check(request, user)
        return self.get_response(request)

    @staticmethod
    def check(request, user) -> None:
        session = request.session
        now = timezone.now().timestamp()
        reason = policy.why_ended(session, role=user.role, now=now)
        if reason:
            services.end_this_session(request)
            messages.info(request, ENDED_MESSAGES[reason])
            return
        if session.get(policy.TRACKED_KEY) != session.session_key:
            # The key changed since sign-in (Django cycles it on a password change made
            # outside allauth, or on a secret-key rotation): track it under the new key.
            services.track(request, user)
        if policy.needs_refresh(session, now=now):
            session[policy.SEEN_AT] = int(now)
            session[policy.SEEN_IP] = client_ip(request)
