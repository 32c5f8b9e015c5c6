"""`manage.py restore FILE`: put a backup back, with the server stopped.

The server must not run: a worker writing between the check and the restore would be
lost, and one that keeps its view of the old database would hand out numbers twice. The
command refuses when the gunicorn pid file (SERVER_PIDFILE, written by `make serve` and
the systemd unit) names a live process, or, on PostgreSQL, when other clients are
connected to the database; since a server started some other way (another machine,
`runserver`) cannot be seen from here, it also wants `--yes-the-server-is-stopped`.
"""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from musicbeats.backups import archive, engines
from musicbeats.backups.archive import BackupError
from musicbeats.backups.services import default_database, restore_backup, server_running

CONFIRM = "--yes-the-server-is-stopped"
ISSUED_RE = re.compile(r"^(?P<year>\d{4}-\d{2}):(?P<n>\d{1,9})$")


def issued(value: str) -> tuple[str, int]:
    match = ISSUED_RE.match(value.strip())
    if match is None:
        raise ValueError(value)
    return match["year"], int(match["n"])


class Command(BaseCommand):
    help = (
        "Restore a backup (a name in BACKUP_DIR or a path) with the server stopped; checks "
        "it, moves the receipt counters forward and lists receipts issued after the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a backup's name in BACKUP_DIR, or a path")
        parser.add_argument(
            CONFIRM,
            dest="confirmed",
            action="store_true",
            help="say that every web server and worker using this database is stopped",
        )
        parser.add_argument(
            "--issued-up-to",
            dest="issued_up_to",
            type=issued,
            action="append",
            default=[],
            metavar="YEAR:N",
            help=(
                "the highest receipt number printed in a financial year, e.g. 2026-27:120, "
                "when the live database cannot be read (repeat for several years)"
            ),
        )

    def handle(self, *args, file, confirmed, issued_up_to, **options):
        path = self._path(file)
        settings_dict = default_database()
        running = server_running()
        if running:
            raise CommandError(f"Not restoring: {running}. Stop it first, then run this again.")
        connections.close_all()  # our own connections are not "other clients"
        try:
            clients = engines.other_sessions(settings_dict)
        except DatabaseError:  # an unreachable database has no other clients
            clients = []
        if clients:
            raise CommandError(
                "Not restoring: other clients use the database (stop the web servers and "
                "workers): " + "; ".join(clients)
            )
        if not confirmed:
            raise CommandError(
                f"Restoring replaces the database with {path.name}. Stop every web server "
                f"and worker using it (systemctl stop musicbeats), then run this again with "
                f"{CONFIRM}."
            )
        try:
            report = restore_backup(
                path, settings_dict=settings_dict, issued_up_to=dict(issued_up_to)
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self._print(report)

    def _path(self, file: str) -> Path:
        named = archive.find(file)
        if named is not None:
            return named.path
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No backup called {file} in {archive.backup_dir()}, nor that file.")
        return path

    def _print(self, report):
        write = self.stdout.write
        write(f"Restored {report.backup.name} (taken {report.backup.taken_at:%Y-%m-%d %H:%M}).")
        write("Integrity checked: ok.")
        if report.pending_migrations:
            write(
                "The backup is older than the code: run `make deploy` (it migrates) before "
                "starting the server. Unapplied: " + ", ".join(report.pending_migrations)
            )
        else:
            write("Migrations: none unapplied (migrate --check clean).")
        for key, (before, after) in report.counters.items():
            if after != before:
                write(f"Counter {key}: {before} -> {after}")
        if not report.live_readable:
            write(
                "The database before the restore could not be read: receipts issued after "
                "the backup are known only from the printed receipt books. Give the highest "
                "printed number with --issued-up-to YEAR:N (run this command again) so no "
                "number is handed out twice."
            )
        if not report.lost:
            write("No receipt numbers were issued after this backup.")
            return
        write(
            f"{len(report.lost)} receipt number(s) were issued after the backup; their "
            "payments are not in the restored ledger. Re-enter each payment (it gets a new "
            "number; put the printed number in its remarks; the printed receipt stays valid):"
        )
        for lost in report.lost:
            payment = lost.payment
            if payment is None:
                write(f"  {lost.number}  (details unknown: see the receipt book)")
                continue
            ref = f"  ref {payment['reference']}" if payment["reference"] else ""
            write(
                f"  {lost.number}  {payment['paid_on']}  {payment['amount']}  "
                f"{payment['method']}  student id {payment['student_id']}{ref}"
            )
