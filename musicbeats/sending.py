"""How messages leave, for settings.py: the mail server (EMAIL_URL) and the queue of
background work (Django's tasks framework).

Every email and text goes out in a task (accounts/notifications/tasks.py), so a slow or
absent mail server never holds up a page. TASKS_BACKEND says which queue runs them:

- `database` (the default): django-tasks-db, a queue in the app's own database; its worker
  is `manage.py tasks_worker` (started by `make run`; `make worker` beside `make serve`).
- `rq`: Redis through django-tasks-rq, at TASKS_URL (default REDIS_URL, else
  redis://127.0.0.1:6379/0); the same `manage.py tasks_worker` runs an RQ worker.
  Setting TASKS_URL=redis://… alone chooses `rq`.
- `immediate`: each task runs inside the request (no worker; the tests use it).

Kept out of settings.py (which calls these) so that file stays under 500 lines.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}


def task_settings(*, backend: str, url: str, redis_url: str) -> tuple[dict, dict]:
    """TASKS and django-rq's RQ_QUEUES (read by the `rq` backend and its worker only)."""
    if backend not in BACKENDS:
        raise ImproperlyConfigured(
            f"TASKS_BACKEND={backend!r} is not one of {', '.join(BACKENDS)}."
        )
    tasks = {"default": {"BACKEND": BACKENDS[backend], "QUEUES": ["default"]}}
    queues = {
        "default": {"URL": url or redis_url or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 300}
    }
    return tasks, queues


def retry_delays(max_attempts: int, delays: list[str]) -> list[int]:
    """OUTBOX_RETRY_DELAYS as seconds, checked with OUTBOX_MAX_ATTEMPTS."""
    if max_attempts < 1 or not delays or not all(delay.isdigit() for delay in delays):
        raise ImproperlyConfigured(
            "OUTBOX_MAX_ATTEMPTS must be at least 1 and OUTBOX_RETRY_DELAYS a comma-separated "
            "list of seconds (0 or more)."
        )
    return [int(delay) for delay in delays]


def mailer_from_url(url: str, *, timeout: int = 10) -> dict:
    """A MAILERS entry from EMAIL_URL (settings.py says which forms it takes)."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {parts.scheme!r} is not smtp, smtps or console."
        )
    query = parse_qs(parts.query)
    implicit_tls = parts.scheme == "smtps"
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if implicit_tls else 587),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": implicit_tls,
            "use_tls": not implicit_tls and query.get("starttls", ["1"])[0] != "0",
            "timeout": timeout,
        },
    }
