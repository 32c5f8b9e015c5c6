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

CACHE_SECONDS = 60 * 60


def ledger_version() -> str:
    """A fingerprint of everything the institute-wide fee figures are computed from, in
    one query of index look-ups (no scan): the newest payment, how many are void (a void
    is never undone), the newest charge, and the newest history row of charges (a
    concession), enrolments and batches (what a due counts towards) and people (names
    on the figures). Payments are never changed or deleted; charges change only through
    the ORM (history kept); allocations change only with one of these writes."""
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
        f"SELECT (SELECT MAX(id) FROM {q['payment']}),"  # noqa: S608
        f" (SELECT COUNT(*) FROM {q['payment']} WHERE voided_at IS NOT NULL),"
        f" (SELECT MAX(id) FROM {q['charge']}),"
        f" (SELECT MAX(history_id) FROM {q['charge_history']}),"
        f" (SELECT MAX(history_id) FROM {q['enrollment_history']}),"
        f" (SELECT MAX(history_id) FROM {q['batch_history']}),"
        f" (SELECT MAX(history_id) FROM {q['user_history']})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return "-".join(str(value) for value in cursor.fetchone())


def cached(name: str, *parts, version: str, compute):
    """`compute()`, kept in the cache under `name`, `parts` and the ledger `version`."""
    digest = hashlib.sha256(repr((parts, version)).encode()).hexdigest()[:40]
    key = f"fees:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
