"""`manage.py backup`: a consistent copy of the database into BACKUP_DIR, while the app runs.

Nightly from cron (README, Operations):
    30 2 * * *  cd /srv/musicbeats && .venv/bin/python manage.py backup --quiet
"""

from django.core.management.base import BaseCommand, CommandError

from musicbeats.backups.archive import BackupError
from musicbeats.backups.services import take_backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database (SQLite online backup or pg_dump -Fc) into "
        "BACKUP_DIR, encrypted when BACKUP_KEY is set, keeping the newest BACKUP_KEEP."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, help="keep this many (default BACKUP_KEEP)")
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(self, *args, keep=None, quiet=False, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            backup = take_backup(keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if not quiet:
            lock = " (encrypted)" if backup.encrypted else ""
            self.stdout.write(f"{backup.path}  {backup.size:,} bytes{lock}")
