"""Planner statistics after bulk writes (issue 16, item 3).

PostgreSQL plans from statistics that only `ANALYZE` (or autovacuum, which some
installations turn off) gathers; SQLite's planner uses `sqlite_stat1`, which only
`ANALYZE` writes. A table filled in one go — the demo, a CSV import, a restore, a month's
dues, a term's lessons — keeps the statistics of its empty or small self until then, and
plans that suited a few rows can take seconds on many (`/fees/mine/` took 6.2 s on the
unanalyzed large demo, 22 ms after `ANALYZE`). So each bulk write path refreshes the
statistics of the tables it filled, once its transaction has committed.
"""

from django.db import connections, transaction

# Fewer rows than this do not move the statistics enough to be worth an ANALYZE (an
# enrolment's single due, a small import): the next bulk write or a nightly run will.
BULK_ROWS = 500


def refresh_statistics(*tables: str, using: str = "default") -> None:
    """`ANALYZE` these tables (all tables when none is named) on PostgreSQL or SQLite."""
    connection = connections[using]
    names = [connection.ops.quote_name(table) for table in tables]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(names) if names else "ANALYZE")
        elif connection.vendor == "sqlite":
            for name in names or [""]:
                cursor.execute(f"ANALYZE {name}".strip())


def after_bulk_write(rows: int, *models, using: str = "default") -> None:
    """Refresh the statistics of `models`' tables once the current transaction commits
    (at once outside one), if `rows` is a bulk write's worth."""
    if rows < BULK_ROWS:
        return
    tables = sorted({model._meta.db_table for model in models})
    transaction.on_commit(lambda: refresh_statistics(*tables, using=using), using=using)
