from accounts.models import Role
from tests.access import Row

ADMIN = frozenset({Role.ADMIN})
SAMPLE = "musicbeats-2026-11-18T095500.sqlite3"


def _backup_dir(request):
    settings = request.getfixturevalue("settings")
    settings.BACKUP_DIR = request.getfixturevalue("tmp_path") / "backups"
    settings.BACKUP_DIR.mkdir(exist_ok=True)
    return settings.BACKUP_DIR


def _sample_backup(request):
    (_backup_dir(request) / SAMPLE).write_bytes(b"SQLite format 3\x00")
    return {"name": SAMPLE}


ROWS = {
    # Backups hold every family's details and the whole ledger: the admin alone.
    "backups": Row(ADMIN, kwargs=lambda request: _backup_dir(request) and {}),
    "backup_download": Row(ADMIN, kwargs=_sample_backup),
}
