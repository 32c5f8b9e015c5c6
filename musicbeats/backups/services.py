"""Take a backup; restore one without ever handing out a receipt number twice.

Receipt numbers are drawn from `Counter("receipt:<financial year>")` in the payment's own
transaction (fees.services.record_payment). A backup holds the ledger and its counters as
they were when it was taken; payments recorded after it are lost with the failure, but
their printed receipts are in families' hands. So a restore moves every counter forward
to the highest number known to be issued: the restored ledger's, the restored counter's,
the live database's counter before the restore (when it can still be read) and the
highest printed number the office gives (`--issued-up-to 2026-27:120`). The numbers above
the restored ledger's highest are listed, with what the live database still knows of
them, so the office can re-enter those payments (each gets a new number; its remarks name
the printed receipt, which stays valid).
"""

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections

from accounts.models import Counter
from fees.models import Payment
from fees.services import receipt_number
from musicbeats import security_log
from musicbeats.backups import archive, engines
from musicbeats.backups.archive import BackupError, BackupFile
from musicbeats.db_stats import refresh_statistics

RECEIPT_KEY = "receipt:"
# Payments recorded this long before a backup's name-stamp are read from the live
# database before a restore, for the list of lost receipts: the name is the minute the
# backup began, and a payment may commit later than its recorded_at.
LOST_LOOKBACK = timedelta(hours=6)


def default_database() -> dict:
    return connections["default"].settings_dict


# Backup --------------------------------------------------------------------------------


def take_backup(
    *, settings_dict: dict | None = None, keep: int | None = None, request=None
) -> BackupFile:
    """Write a consistent, checked copy of the database into BACKUP_DIR (encrypted when
    BACKUP_KEY is set) and keep the newest `keep` (BACKUP_KEEP). Safe while the app runs.

    The copy is written under a temporary name and renamed when complete, so the list
    never shows half a backup. A SQLite copy is checked (integrity, foreign keys) before
    it is kept."""
    settings_dict = settings_dict or default_database()
    vendor = engines.vendor_of(settings_dict)
    folder = archive.backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    encrypted = bool(settings.BACKUP_KEYS)
    final = archive.new_path(vendor, encrypted=encrypted)
    plain = folder / f".{final.name}.partial"
    sealed = folder / f".{final.name}.sealing"
    try:
        engines.dump(settings_dict, plain)
        if vendor == "sqlite":
            found = engines.problems({**settings_dict, "NAME": str(plain)})
            if found:
                raise BackupError("The copy failed its check: " + "; ".join(found))
        if encrypted:
            archive.encrypt_file(plain, sealed)
            os.replace(sealed, final)
        else:
            os.replace(plain, final)
    finally:
        plain.unlink(missing_ok=True)
        sealed.unlink(missing_ok=True)
    os.chmod(final, 0o600)  # the ledger and every family's details
    archive.prune(settings.BACKUP_KEEP if keep is None else keep)
    _remove_abandoned(folder)
    security_log.event("backup_taken", request, file=final.name, size=final.stat().st_size)
    return archive.parse(final)


def _remove_abandoned(folder: Path) -> None:
    """Temporary files of a backup that was killed (a worker timed out, the power went)
    more than an hour ago; a running backup's are younger."""
    cutoff = time.time() - 3600
    for pattern in (".musicbeats-*.partial", ".musicbeats-*.sealing"):
        for path in folder.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()


# Restore -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LostReceipt:
    """A receipt number issued after the backup: its payment is not in the restored
    ledger. `payment` is what the live database knew of it (None when unreadable)."""

    number: str
    financial_year: str
    sequence: int
    payment: dict | None = None


@dataclass
class RestoreReport:
    backup: BackupFile
    live_readable: bool
    pending_migrations: list[str] = field(default_factory=list)
    counters: dict[str, tuple[int, int]] = field(default_factory=dict)  # key: (before, after)
    lost: list[LostReceipt] = field(default_factory=list)


@dataclass
class _Live:
    readable: bool = False
    counters: dict[str, int] = field(default_factory=dict)
    payments: dict[tuple[str, int], dict] = field(default_factory=dict)


def server_running() -> str | None:
    """Why the server is believed to run (its pid file names a live process), or None."""
    pidfile = Path(settings.SERVER_PIDFILE)
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # a stale file left by a crash
    except PermissionError:
        pass  # alive, another user's
    return f"the web server runs (process {pid}, from {pidfile})"


def restore_backup(
    path: Path,
    *,
    settings_dict: dict | None = None,
    issued_up_to: dict[str, int] | None = None,
) -> RestoreReport:
    """Put the backup at `path` back into the database `settings_dict` names (default:
    the app's), check it, move the counters forward and list the receipts issued after
    the backup. The caller makes sure the server is stopped (see `manage.py restore`).

    A SQLite backup is checked before it replaces anything; a PostgreSQL one is restored
    in one transaction (all or nothing) and checked after."""
    settings_dict = settings_dict or default_database()
    backup = archive.parse(Path(path)) or _unnamed(Path(path))
    vendor = engines.vendor_of(settings_dict)
    if backup.vendor != vendor:
        raise BackupError(f"{backup.name} is a {backup.vendor} backup; the database is {vendor}.")
    folder = archive.backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".restore-") as tmp:
        plain = backup.path
        if backup.encrypted:
            plain = Path(tmp) / backup.name.removesuffix(archive.ENCRYPTED_SUFFIX)
            archive.decrypt_file(backup.path, plain)
        if vendor == "sqlite":
            found = engines.problems({**settings_dict, "NAME": str(plain)})
            if found:
                raise BackupError(
                    "The backup failed its check; nothing was restored: " + "; ".join(found)
                )
        live = _read_live(settings_dict, since=backup.taken_at - LOST_LOOKBACK)
        engines.load(plain, settings_dict)
    found = engines.problems(settings_dict)
    if found:
        raise BackupError("The restored database failed its check: " + "; ".join(found))
    report = RestoreReport(
        backup=backup,
        live_readable=live.readable,
        pending_migrations=engines.pending_migrations(settings_dict),
    )
    _move_counters_forward(settings_dict, live, issued_up_to or {}, report)
    _refresh_statistics(settings_dict)
    security_log.event("backup_restored", file=backup.name)
    return report


def _unnamed(path: Path) -> BackupFile:
    """A backup file renamed by hand: its kind from its first bytes."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    with path.open("rb") as file:
        head = file.read(len(archive.MAGIC))
    encrypted = head == archive.MAGIC
    vendor = "postgresql" if head.startswith(b"PGDMP") else "sqlite"
    if encrypted:
        vendor = "postgresql" if ".pgdump" in path.name else "sqlite"
    mtime = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    return BackupFile(path, mtime, vendor, encrypted, path.stat().st_size)


def _read_live(settings_dict: dict, *, since: datetime) -> _Live:
    """The live database's counters and its recent payments, before they are replaced."""
    live = _Live()
    counters, payments = Counter._meta.db_table, Payment._meta.db_table
    try:
        with engines.django_connection(settings_dict) as wrapper, wrapper.cursor() as cursor:
            cursor.execute(f'SELECT "key", "value" FROM {counters}')  # noqa: S608 (our table name)
            live.counters = {key: int(value) for key, value in cursor.fetchall()}
            student_id = Payment._meta.get_field("student").column
            cursor.execute(
                "SELECT financial_year, receipt_sequence, receipt_number, amount, paid_on,"  # noqa: S608
                f" method, reference, {student_id}, recorded_at FROM {payments}"
                " WHERE recorded_at >= %s",
                [wrapper.ops.adapt_datetimefield_value(since)],
            )
            for year, sequence, number, amount, paid_on, method, ref, student, at in cursor:
                amount = Decimal(str(amount)).quantize(Decimal("0.01"))
                seen = live.payments.get((year, int(sequence)))
                if seen is not None:
                    # A family payment: one receipt number, a row per child.
                    seen["amount"] += amount
                    seen["student_id"] = f"{seen['student_id']}, {student}"
                    continue
                live.payments[(year, int(sequence))] = {
                    "receipt_number": number,
                    "amount": amount,
                    "paid_on": str(paid_on)[:10],
                    "method": method,
                    "reference": ref,
                    "student_id": student,
                    "recorded_at": str(at),
                }
        live.readable = True
    except (DatabaseError, OSError):
        # A dead disk, a damaged file, a dropped database: the office's printed receipts
        # (`--issued-up-to`) are then the only record of what was issued after the backup.
        live.readable = False
    return live


def _refresh_statistics(settings_dict: dict) -> None:
    """A PostgreSQL dump carries no planner statistics and a SQLite file may carry old
    ones: gather them for every table of the restored database (musicbeats.db_stats)."""
    with engines.django_connection(settings_dict) as wrapper:
        refresh_statistics(using=wrapper.alias)


def _move_counters_forward(
    settings_dict: dict, live: _Live, issued_up_to: dict[str, int], report: RestoreReport
) -> None:
    counters, payments = Counter._meta.db_table, Payment._meta.db_table
    with engines.django_connection(settings_dict) as wrapper:
        with wrapper.cursor() as cursor:
            cursor.execute(f'SELECT "key", "value" FROM {counters}')  # noqa: S608
            restored = {key: int(value) for key, value in cursor.fetchall()}
            cursor.execute(
                f"SELECT financial_year, MAX(receipt_sequence) FROM {payments}"  # noqa: S608
                " GROUP BY financial_year"
            )
            ledger_max = {RECEIPT_KEY + year: int(top) for year, top in cursor.fetchall()}
        wanted = {}
        for key in restored.keys() | ledger_max.keys() | live.counters.keys():
            wanted[key] = max(
                restored.get(key, 0), ledger_max.get(key, 0), live.counters.get(key, 0)
            )
        for year, top in issued_up_to.items():
            key = RECEIPT_KEY + year
            wanted[key] = max(wanted.get(key, 0), top)
        with wrapper.cursor() as cursor:
            wrapper.set_autocommit(False)
            try:
                for key, value in sorted(wanted.items()):
                    before = restored.get(key)
                    if before is None:
                        cursor.execute(
                            f'INSERT INTO {counters} ("key", "value") VALUES (%s, %s)',  # noqa: S608
                            [key, value],
                        )
                    elif value > before:
                        cursor.execute(
                            f'UPDATE {counters} SET "value" = %s WHERE "key" = %s',  # noqa: S608
                            [value, key],
                        )
                    report.counters[key] = (before or 0, value)
                wrapper.commit()
            finally:
                wrapper.set_autocommit(True)
    for key, value in sorted(wanted.items()):
        if not key.startswith(RECEIPT_KEY):
            continue
        year = key.removeprefix(RECEIPT_KEY)
        for sequence in range(ledger_max.get(key, 0) + 1, value + 1):
            report.lost.append(
                LostReceipt(
                    number=receipt_number(year, sequence),
                    financial_year=year,
                    sequence=sequence,
                    payment=live.payments.get((year, sequence)),
                )
            )
