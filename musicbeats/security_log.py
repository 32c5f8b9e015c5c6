"""The security log: one JSON line per event that matters to an audit (issue 12, item 8).

    from musicbeats.security_log import event
    event("payment_voided", request, payment=payment.pk, receipt=payment.receipt_number)

Each line carries the UTC time, the event's name, the user (id and email: the one
given, else the request's logged-in user), the client address and the request's method
and path, then the event's own fields. Events: `login`, `login_failed`, `lockout`
(allauth's failed-login limit reached), `rate_limited` (any 429), `access_denied`
(any 403, CSRF failures included), `payment_voided`, `role_changed`, and whatever the
backup and restore commands send (`backup`, `restore`).

Never logged: a password, a session key, a one-time code or any token. A field whose
name says it holds one is dropped (SECRET_FIELD_PARTS), and nothing here reads the
request's body, cookies or headers beyond the client address. Logged through the
`musicbeats.security` logger (settings.LOGGING: `JsonFormatter`, stderr or
SECURITY_LOG_FILE).
"""

import json
import logging
from datetime import UTC, datetime

from musicbeats import client_address

logger = logging.getLogger("musicbeats.security")

# A field whose name contains one of these is never written, whatever its value.
SECRET_FIELD_PARTS = ("password", "secret", "token", "session", "code", "csrf", "key", "otp")
MAX_FIELD_LENGTH = 300


def client_ip(request) -> str:
    """The client's real address, behind the trusted proxies as the rate limits see it
    (musicbeats.client_address)."""
    if request is None:
        return ""
    return client_address.client_ip(request) or ""


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SECRET_FIELD_PARTS)


def _plain(value):
    """A JSON-safe, bounded copy of a field's value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return str(value)[:MAX_FIELD_LENGTH]


def event(name: str, request=None, user=None, **fields) -> None:
    """Write one security event. `user` defaults to the request's logged-in user; fields
    whose names suggest a secret (password, token, session, code, key…) are dropped."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    record = {
        "event": name,
        "user_id": getattr(user, "pk", None),
        "user_email": getattr(user, "email", None) or None,
        "ip": client_ip(request),
    }
    if request is not None:
        record["method"] = request.method
        record["path"] = request.path[:MAX_FIELD_LENGTH]
    for field, value in fields.items():
        if not _is_secret(field) and field not in record:
            record[field] = _plain(value)
    logger.info(name, extra={"security": record})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: `time` (UTC, ISO 8601), `level`, then the event's fields
    (or `message` for a record that did not come through `event`)."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
        }
        fields = getattr(record, "security", None)
        if fields is None:
            line["logger"] = record.name
            line["message"] = record.getMessage()
        else:
            line.update(fields)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


class DropForbidden(logging.Filter):
    """Drop Django's own record of a 403 (django.request logs a PermissionDenied with its
    whole traceback; django.security.csrf a CSRF failure): the security log's
    `access_denied` line says it once."""

    def filter(self, record):
        return getattr(record, "status_code", None) != 403


class SecurityEventsMiddleware:
    """Log every refusal the way an audit needs it: a 403 (a role without access, a
    CSRF failure, a teacher marking another's lesson) as `access_denied`, a 429 (a rate
    limit) as `rate_limited`. Sits near the top of MIDDLEWARE so it sees both, whichever
    layer answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            event("access_denied", request, status=403)
        elif response.status_code == 429:
            event("rate_limited", request, status=429)
        return response


def logged_in(sender, request, user, **kwargs):
    event("login", request, user)


def login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the address tried
    # is kept.
    attempted = credentials.get("email") or credentials.get("username") or ""
    event("login_failed", request, attempted=attempted)


def logged_out(sender, request, user, **kwargs):
    event("logout", request, user)


def connect_signals() -> None:
    """Called once from AccountsConfig.ready()."""
    from django.contrib.auth import signals

    signals.user_logged_in.connect(logged_in, dispatch_uid="security_log_login")
    signals.user_login_failed.connect(login_failed, dispatch_uid="security_log_login_failed")
    signals.user_logged_out.connect(logged_out, dispatch_uid="security_log_logout")
