"""Database faults that should not reach people as a generic 500 (issue 12, item 4).

- A read (GET/HEAD) whose database connection dropped mid-request (PostgreSQL restarted,
  a backend terminated, a network blip) runs its view once more on a fresh connection.
  Reads only: a write is never repeated, because the first attempt may have committed.
- A write refused because the disk is full or the database is read-only answers 503 with
  a page that says so and that nothing was saved (the transaction rolled back).

One middleware, above the session middleware. Django turns an exception into a 500 inside
the middleware stack, so a receiver of `got_request_exception` notes the database error
on the request, and the middleware, seeing the 500, answers instead: the 503 page, or the
read run once more (every middleware below it, then the view: the fault may
come from the session lookup or the session limits as well as from the view). The
first query of a request checks a reused connection (`CONN_HEALTH_CHECKS`), so this is
for a connection that dies during the request.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.shortcuts import render

logger = logging.getLogger("musicbeats.db_faults")

SAFE_METHODS = {"GET", "HEAD"}
# SQLite's messages for a full disk and a read-only file (sqlite3 gives no error code
# through Django); PostgreSQL's SQLSTATEs: disk_full, read_only_sql_transaction.
SQLITE_STORAGE_MESSAGES = ("database or disk is full", "attempt to write a readonly database")
POSTGRES_STORAGE_STATES = {"53100": "full", "25006": "read-only"}


def storage_fault(error: BaseException) -> str | None:
    """The database refused a write for lack of space ("full") or of write access
    ("read-only"); None for any other error."""
    if not isinstance(error, DatabaseError):
        return None
    cause = error.__cause__ or error
    state = getattr(cause, "sqlstate", None)
    if state in POSTGRES_STORAGE_STATES:
        return POSTGRES_STORAGE_STATES[state]
    text = str(error).lower()
    if SQLITE_STORAGE_MESSAGES[0] in text:
        return "full"
    if SQLITE_STORAGE_MESSAGES[1] in text:
        return "read-only"
    return None


def _drop_connections() -> None:
    """Close every connection this thread opened, so the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            # Closing a dead connection can fail; it is forgotten either way.
            connection.connection = None


def remember_database_fault(sender, request=None, **kwargs):
    """got_request_exception receiver: keep the database error on its request."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DatabaseError):
        request.database_fault = error


class DatabaseFaultsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(remember_database_fault, dispatch_uid="db_faults")

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "database_fault", None)
        if error is None or response.status_code != 500:
            return response
        request.database_fault = None
        fault = storage_fault(error)
        if fault is not None:
            logger.error("%s %s refused: the database is %s", request.method, request.path, fault)
            return not_saved(request, fault)
        if request.method in SAFE_METHODS and isinstance(error, OperationalError | InterfaceError):
            logger.warning(
                "%s %s: database connection lost (%s); running it once more",
                request.method,
                request.path,
                str(error).strip().splitlines()[0][:200] if str(error).strip() else "",
            )
            _drop_connections()
            # Once: a second failure is remembered again but answered as the 500 it is.
            return self.get_response(request)
        return response


def not_saved(request, fault: str):
    """The 503 page for a write the database refused: what happened, nothing saved."""
    try:
        response = render(request, "errors/503_not_saved.html", {"fault": fault}, status=503)
    except Exception:  # the layout itself needs the database: say it in plain text
        logger.exception("the 503 page could not be rendered")
        response = HttpResponse(
            "Nothing was saved: the database could not store what you sent "
            f"(it is {fault}). Tell the person who looks after the server.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response["Retry-After"] = "300"
    return response
