"""Copy a database while the app runs, put a copy back, and check one, per database.

- SQLite: Python's `sqlite3` online backup API, in one step: it reads one snapshot (WAL
  lets the fee desks keep writing meanwhile) and includes what only sits in the WAL
  file, unlike a copy of the file. Not the `sqlite3` tool: a CHECK constraint calls
  Django's `django_date_extract`, which only a Django connection has, so the tool's
  `.dump`, `VACUUM INTO` and `integrity_check` fail (STACK-NOTES.md).
- PostgreSQL: `pg_dump -Fc` (one consistent snapshot by itself) and `pg_restore --clean
  --single-transaction` (all or nothing), with the connection from DATABASE_URL.

Checks run through a Django connection made for the purpose (`django_connection`), so
Django's SQL functions and ours (`fees.ledger_lock`) are registered: SQLite's
`PRAGMA integrity_check` and `foreign_key_check`, and on both the migration plan that
`migrate --check` looks at (reported, not refused: an older backup under newer code is
restored and then migrated).
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing, contextmanager
from pathlib import Path

from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from musicbeats.backups.archive import BackupError

VENDORS = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}
SQLITE_BUSY_TIMEOUT = 20


def vendor_of(settings_dict: dict) -> str:
    try:
        return VENDORS[settings_dict["ENGINE"]]
    except KeyError:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL, not {settings_dict['ENGINE']}."
        ) from None


@contextmanager
def django_connection(settings_dict: dict, alias: str = "backup"):
    """A Django connection of its own to the database `settings_dict` describes.

    For SQLite the live database's OPTIONS (WAL, IMMEDIATE) are left out: a check must
    not switch a copy's journal mode."""
    settings_dict = dict(settings_dict)
    if vendor_of(settings_dict) == "sqlite":
        settings_dict["OPTIONS"] = {"timeout": SQLITE_BUSY_TIMEOUT}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    # Registered under its alias in this thread for the ORM queries Django's migration
    # recorder makes (`using=alias`); removed again on the way out.
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]


# Copy out ------------------------------------------------------------------------------


def dump(settings_dict: dict, target: Path) -> None:
    """Write a consistent copy of the database to `target` while the app runs."""
    if vendor_of(settings_dict) == "sqlite":
        _sqlite_copy(Path(settings_dict["NAME"]), target)
    else:
        _pg_run("pg_dump", settings_dict, ["-Fc", "-f", str(target)])


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist.")
    with (
        closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT)) as src,
        closing(sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT)) as dst,
    ):
        # pages=-1: the whole database in one step, from one read snapshot. In steps,
        # every write by a desk between two steps would restart the copy.
        src.backup(dst, pages=-1)
        # The copy is one self-contained file (no -wal beside it).
        dst.execute("PRAGMA journal_mode=DELETE")


# Put back ------------------------------------------------------------------------------


def load(source: Path, settings_dict: dict) -> None:
    """Replace the database `settings_dict` names with the backup at `source`."""
    if vendor_of(settings_dict) == "sqlite":
        # Through the backup API into the live file (not a file copy): SQLite writes the
        # pages under its own lock and journal, so a stale -wal cannot survive beside it.
        target = Path(settings_dict["NAME"])
        with (
            closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT)) as src,
            closing(sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT)) as dst,
        ):
            src.backup(dst, pages=-1)
    else:
        _pg_run(
            "pg_restore",
            settings_dict,
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(source),
            ],
        )


def _pg_run(program: str, settings_dict: dict, arguments: list[str]) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed: install PostgreSQL's client tools "
            "(Debian: postgresql-client), the same major version as the server or newer."
        )
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = options["sslmode"]
    result = subprocess.run(  # noqa: S603 (a fixed program and our own arguments)
        [executable, "--dbname", settings_dict["NAME"], *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()}")


# Check ---------------------------------------------------------------------------------


def problems(settings_dict: dict) -> list[str]:
    """What is wrong with the database: empty when it is sound (SQLite's integrity and
    foreign-key checks pass) and holds a migrated MusicBeats database."""
    found = []
    with django_connection(settings_dict, alias="backup_check") as wrapper:
        try:
            if wrapper.vendor == "sqlite":
                with wrapper.cursor() as cursor:
                    cursor.execute("PRAGMA integrity_check")
                    rows = [row[0] for row in cursor.fetchall()]
                    if rows != ["ok"]:
                        found += [f"integrity_check: {row}" for row in rows]
                    cursor.execute("PRAGMA foreign_key_check")
                    for table, rowid, parent, _fk in cursor.fetchall():
                        found.append(f"foreign_key_check: {table} row {rowid} has no {parent}")
            applied = MigrationRecorder(wrapper).applied_migrations()
        except (DatabaseError, sqlite3.DatabaseError) as error:
            return [*found, f"the database cannot be read: {error}"]
        if not any(app == "fees" for app, _name in applied):
            found.append("it holds no MusicBeats database (no migrations applied)")
    return found


def pending_migrations(settings_dict: dict) -> list[str]:
    """The migrations `migrate --check` would report: an older backup restored under
    newer code has some (then `make deploy` applies them before the server starts)."""
    with django_connection(settings_dict, alias="backup_check") as wrapper:
        executor = MigrationExecutor(wrapper)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def other_sessions(settings_dict: dict) -> list[str]:
    """PostgreSQL: the other clients connected to this database (a running server)."""
    if vendor_of(settings_dict) != "postgresql":
        return []
    with django_connection(settings_dict) as wrapper, wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT pid, coalesce(application_name, ''), coalesce(host(client_addr), 'local')"
            " FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [f"pid {pid} {app} from {addr}".replace("  ", " ") for pid, app, addr in cursor]
