"""How long a sign-in lasts: the idle timeout and the absolute lifetime of each role
(settings.SESSION_LIMITS), checked against two stamps kept in the session itself.

Nothing here touches the database: the stamps are read from the session the
authentication middleware has loaded anyway, and the idle stamp is rewritten at most
once a minute (REFRESH_EVERY), so a busy page writes its session once a minute, not on
every request.
"""

from dataclasses import dataclass

from django.conf import settings

# Session keys. Seconds since the epoch (JSON-serialisable, compact).
SIGNED_IN_AT = "mb_signed_in_at"
SEEN_AT = "mb_seen_at"
# The client address of the latest refresh (the sessions page shows it).
SEEN_IP = "mb_seen_ip"
# The session key the usersessions row was written for: a key that changed since (a
# password change cycles it) is tracked again.
TRACKED_KEY = "mb_tracked_key"

REFRESH_EVERY = 60


@dataclass(frozen=True)
class Limits:
    idle: int  # seconds without a request
    absolute: int  # seconds since sign-in


def limits_for(role: str) -> Limits:
    limits = settings.SESSION_LIMITS[role]
    return Limits(idle=limits["idle"], absolute=limits["absolute"])


def stamp_sign_in(session, *, now: float) -> None:
    session[SIGNED_IN_AT] = int(now)
    session[SEEN_AT] = int(now)


def why_ended(data, *, role: str, now: float) -> str | None:
    """Why a session (its data: a session or a decoded dict) is over for a person of
    `role` at `now`, or None while it is alive.

    A session without a sign-in stamp was made before these limits existed (or by
    something that bypassed the sign-in): it ends, so every live session is one that
    was tracked at sign-in and can be ended by the office.
    """
    signed_in = data.get(SIGNED_IN_AT)
    seen = data.get(SEEN_AT, signed_in)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return "unknown"
    limits = limits_for(role)
    if now - signed_in >= limits.absolute:
        return "absolute"
    if now - seen >= limits.idle:
        return "idle"
    return None


def needs_refresh(data, *, now: float) -> bool:
    return now - data.get(SEEN_AT, 0) >= REFRESH_EVERY
