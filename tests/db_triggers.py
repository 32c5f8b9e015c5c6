"""The names of the database triggers on a table, on SQLite or PostgreSQL: the inventory
tests (tests/fees/test_ledger_append_only.py, tests/attendance/test_lesson_tallies.py)
compare them with what the migrations create, since a later migration that rebuilds a
table on SQLite drops its triggers silently."""

from django.db import connection


def trigger_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        return {row[0] for row in cursor.fetchall()}
