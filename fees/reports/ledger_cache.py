"""Caching the institute-wide fee figures under the ledger's exact version.

The institute-wide figures (collections, receivables) walk the whole ledger, so
`cached()` keeps them under a key that includes `ledger_version()`: one cheap query whose
answer changes with every write those figures depend on (a payment recorded or voided, a
charge added or changed, an enrolment or batch moved, a name changed). A cached figure is
therefore never stale: a new payment makes a new key.
"""

import hashlib

from django.core.cache import cache
from django.db import connection

from accounts.models import Student
from attendance.models import Batch, Enrollment
from fees.models import Charge, Payment
from musicbeats.figures import Figures, OneRow, read_at_once

CACHE_SECONDS = 60 * 60


def ledger_version_figures() -> Figures:
    """A fingerprint of everything the institute-wide fee figures are computed from, in
    one query of index look-ups (no scan): the newest payment, how many are void (a void
    is never undone), the newest charge, and the newest history row of charges (a
    concession), enrolments and batches (what a due counts towards) and people (names
    on the figures). Payments are never changed or deleted; charges change only through
    the ORM (history kept); allocations change only with one of these writes.

    Our own SQL, not seven ORM aggregates: it is the same index look-ups, and composing
    seven querysets costs about 3 ms of Python where this costs nothing."""
    tables = {
        "payment": Payment._meta.db_table,
        "charge": Charge._meta.db_table,
        "charge_history": Charge.history.model._meta.db_table,
        "enrollment_history": Enrollment.history.model._meta.db_table,
        "batch_history": Batch.history.model._meta.db_table,
        "user_history": Student._meta.get_field("user").related_model.history.model._meta.db_table,
    }
    # Table names from the models' own metadata, quoted: no outside input reaches this SQL.
    q = {name: connection.ops.quote_name(table) for name, table in tables.items()}
    sql = (
        f"SELECT (SELECT MAX(id) FROM {q['payment']}) AS v_payment,"  # noqa: S608
        f" (SELECT COUNT(*) FROM {q['payment']} WHERE voided_at IS NOT NULL) AS v_void,"
        f" (SELECT MAX(id) FROM {q['charge']}) AS v_charge,"
        f" (SELECT MAX(history_id) FROM {q['charge_history']}) AS v_charge_history,"
        f" (SELECT MAX(history_id) FROM {q['enrollment_history']}) AS v_enrollment_history,"
        f" (SELECT MAX(history_id) FROM {q['batch_history']}) AS v_batch_history,"
        f" (SELECT MAX(history_id) FROM {q['user_history']}) AS v_user_history"
    )
    return Figures((OneRow(sql, (), 7),), version_key)


def version_key(row: dict) -> str:
    """The fingerprint's row as the text that goes into a cache key."""
    return "-".join(str(value) for value in row.values())


def ledger_version() -> str:
    """The ledger's fingerprint (`ledger_version_figures`), in one query."""
    [version] = read_at_once(ledger_version_figures())
    return version


def cached(name: str, *parts, version: str, compute):
    """`compute()`, kept in the cache under `name`, `parts` and the ledger `version`."""
    digest = hashlib.sha256(repr((parts, version)).encode()).hexdigest()[:40]
    key = f"fees:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
