"""Writes about sessions: tracking a session at sign-in, ending sessions.

A session is tracked by allauth's `UserSession` row (person, address, browser, the
session key); ending one deletes its stored session (so its cookie no longer signs
anyone in) and its row. The stored sessions are deleted in one query when they live
in the database (settings.SESSION_ENGINE), one by one otherwise.
"""

from importlib import import_module

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

from accounts.sessions import policy
from musicbeats.client_address import client_ip

DB_ENGINE = "django.contrib.sessions.backends.db"
# allauth's row needs an address; the test client's sign-in (and a misconfigured proxy)
# has none.
# Set on a request whose logout ends only its own session (a timeout, or ending this
# one session): the logout receiver then leaves the person's other sessions alone.
ENDING_THIS_SESSION_ONLY = "mb_ending_this_session_only"


def session_store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def track(request, user) -> None:
    """Record (or re-record after its key changed) the request's session as `user`'s."""
    session = request.session
    if not session.session_key:
        session.save()
    key = session.session_key
    max_length = UserSession._meta.get_field("user_agent").max_length
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:max_length],
            "last_seen_at": timezone.now(),
        },
    )
    session[policy.TRACKED_KEY] = key


def delete_stored(keys: list[str]) -> None:
    """Delete the stored sessions with these keys: their cookies sign nobody in."""
    if not keys:
        return
    store_class = session_store_class()
    if settings.SESSION_ENGINE == DB_ENGINE:
        store_class.get_model_class().objects.filter(session_key__in=keys).delete()
    else:
        for key in keys:
            store_class().delete(key)


def end_sessions(user, *, keep: str | None = None, only: list[str] | None = None) -> int:
    """End `user`'s tracked sessions (all, or those keyed `only`), except the one keyed
    `keep`. Returns how many rows were ended (including rows of sessions that had
    already expired)."""
    rows = UserSession.objects.filter(user_id=user.pk)
    if keep:
        rows = rows.exclude(session_key=keep)
    if only is not None:
        rows = rows.filter(session_key__in=only)
    keys = list(rows.values_list("session_key", flat=True))
    forget(keys)
    return len(keys)


def forget(keys: list[str]) -> None:
    """Delete these sessions and their tracking rows (two queries)."""
    if keys:
        delete_stored(keys)
        UserSession.objects.filter(session_key__in=keys).delete()


def end_other_sessions(request) -> int:
    """End every session of the signed-in person but this one."""
    return end_sessions(request.user, keep=request.session.session_key)


def end_this_session(request) -> None:
    """Log this request's session out, leaving the person's other sessions alone."""
    key = request.session.session_key
    setattr(request, ENDING_THIS_SESSION_ONLY, True)
    logout(request)
    if key:
        UserSession.objects.filter(session_key=key).delete()
