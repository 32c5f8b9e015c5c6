"""The sessions page's rows: a person's live sessions in two queries, however many.

allauth's own list checks each session with three queries; here the tracked rows and
their stored sessions are read in one query each, and a session counts as live only
when it still signs this person in: it exists and has not expired, its password hash
still matches (a password change ends the others), and it is within its idle and
absolute limits. Rows of dead sessions are removed on the way.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.sessions import policy, services
from accounts.sessions.devices import describe_device


@dataclass(frozen=True)
class SessionRow:
    pk: int
    device: str
    user_agent: str
    ip: str
    started: datetime
    last_seen: datetime
    is_current: bool


def _stored(keys: list[str]) -> dict[str, dict]:
    """Session key → its decoded data, for the stored sessions that have not expired."""
    store_class = services.session_store_class()
    if settings.SESSION_ENGINE == services.DB_ENGINE:
        model = store_class.get_model_class()
        rows = model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        store = store_class()
        return {row.session_key: store.decode(row.session_data) for row in rows}
    found = {}
    for key in keys:
        store = store_class(key)
        data = store.load()
        if store.session_key:
            found[key] = data
    return found


def _signs_in(data: dict, user) -> bool:
    if data.get(SESSION_KEY) != str(user.pk):
        return False
    stored_hash = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(stored_hash, h) for h in hashes)


def _moment(seconds) -> datetime | None:
    return datetime.fromtimestamp(seconds, tz=UTC) if isinstance(seconds, int) else None


def live_sessions(request) -> list[SessionRow]:
    """The signed-in person's live sessions, this one first, then by last use."""
    user = request.user
    current = request.session.session_key
    tracked = list(UserSession.objects.filter(user_id=user.pk))
    others = [row.session_key for row in tracked if row.session_key != current]
    stored = _stored(others) if others else {}
    now = timezone.now().timestamp()
    live, dead = [], []
    for row in tracked:
        is_current = row.session_key == current
        data = request.session if is_current else stored.get(row.session_key)
        if not is_current and (
            data is None
            or not _signs_in(data, user)
            or policy.why_ended(data, role=user.role, now=now)
        ):
            dead.append(row.session_key)
            continue
        live.append(
            SessionRow(
                pk=row.pk,
                device=describe_device(row.user_agent),
                user_agent=row.user_agent,
                ip=data.get(policy.SEEN_IP) or row.ip,
                started=_moment(data.get(policy.SIGNED_IN_AT)) or row.created_at,
                last_seen=_moment(data.get(policy.SEEN_AT)) or row.last_seen_at,
                is_current=is_current,
            )
        )
    services.forget(dead)  # rows of this person's, read above
    live.sort(key=lambda s: (not s.is_current, -s.last_seen.timestamp()))
    return live
