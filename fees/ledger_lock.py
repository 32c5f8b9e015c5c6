"""The one way past the ledger's DELETE trigger on SQLite: wiping the whole database.

SQLite has no TRUNCATE, so `manage.py flush` (and the test suite's reset between
transactional tests) empties tables with DELETE, which the append-only trigger refuses.
Our `flush` command (fees/management/commands/flush.py) opens `unlocked_for_flush()`
around Django's; nothing else does. PostgreSQL's flush uses TRUNCATE, which the row
triggers do not see.
"""

import threading
from contextlib import contextmanager

_state = threading.local()


def is_unlocked() -> bool:
    return getattr(_state, "unlocked", False)


@contextmanager
def unlocked_for_flush():
    _state.unlocked = True
    try:
        yield
    finally:
        _state.unlocked = False


def register_sqlite_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "mb_ledger_unlocked", 0, lambda: int(is_unlocked()), deterministic=False
        )
